import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn } from 'node:child_process';
import { finished } from '../helpers/spawn.js';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { KEY, definition, startDynamicApi, type DynamicApi } from '../operation/dynamic-api.js';

// `run -f` body fields, `--base-url` for dynamic values, hidden options: the built CLI called as
// the shell scripts call it (`connector complete -- <words>`). npm test builds dist/cli first.
const BIN = join(import.meta.dirname, '..', '..', 'bin', 'connector.js');

let work: string;
let api: DynamicApi;

/** The dynamic-values API's spec with a host nobody listens on (only --base-url reaches the API), and a body operation. */
function spec(): string {
  const def = definition('127.0.0.1:9') as Record<string, any>;
  def.definitions = {
    Style: {
      type: 'object',
      properties: {
        backgroundColor: { type: 'string', enum: ['light_yellow', 'red'], 'x-ms-enum-values': [{ value: 'light_yellow', displayName: 'Light yellow' }] },
        shape: { type: 'object', properties: { round: { type: 'boolean' }, deep: { type: 'object', properties: { deeper: { type: 'string' } } } } },
      },
    },
  };
  def.paths['/cards'] = {
    post: {
      operationId: 'CreateCard',
      parameters: [
        {
          name: 'body',
          in: 'body',
          required: true,
          schema: {
            type: 'object',
            required: ['title'],
            properties: {
              id: { type: 'string', readOnly: true },
              secret: { type: 'string', 'x-ms-visibility': 'internal' },
              done: { type: 'boolean' },
              style: { $ref: '#/definitions/Style' },
              tags: { type: 'array', items: { type: 'string' } },
              site: {
                type: 'string',
                'x-ms-summary': 'Site',
                'x-ms-dynamic-values': { operationId: 'ListSites', 'value-collection': 'value', 'value-path': 'id', 'value-title': 'name' },
              },
              title: { type: 'string', description: 'The card title' },
            },
          },
        },
      ],
      responses: { 201: { description: 'created' } },
    },
  };
  const file = join(work, 'cards.swagger.json');
  writeFileSync(file, JSON.stringify(def));
  return file;
}

function cli(args: string[], cmd = process.execPath, pre: string[] = [BIN]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const env = {
    CONNECTOR_HOME: join(work, 'home'),
    CONNECTOR_CACHE_DIR: join(work, 'cache'),
    CONNECTOR_SECRET_STORE: 'memory',
    CONNECTOR_CARDS__DEFAULT__API_KEY: KEY,
    K: 'stored-but-unused',
    NO_COLOR: '1',
    PATH: `${join(work, 'bin')}:${dirname(process.execPath)}:/usr/bin:/bin`,
  };
  const child = spawn(cmd, [...pre, ...args], { cwd: work, stdio: ['ignore', 'pipe', 'pipe'], env });
  return finished(child);
}

async function complete(...words: string[]) {
  const r = await cli(['complete', '--', ...words]);
  expect(r.status, r.stderr).toBe(0);
  expect(r.stderr).toBe('');
  const lines = r.stdout.trimEnd().split('\n');
  const last = lines.pop()!;
  const rows = lines.map((l) => l.split('\t'));
  return { values: rows.map((r) => r[0]), descriptions: rows.map((r) => r[1] ?? ''), directive: Number(last.slice(1)) };
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'connector-completion-fields-'));
  api = await startDynamicApi();
  mkdirSync(join(work, 'bin'));
  writeFileSync(join(work, 'bin', 'connector'), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} "$@"\n`);
  chmodSync(join(work, 'bin', 'connector'), 0o755);
  for (const args of [
    ['import', spec(), '--name', 'cards'],
    ['connection', 'create', 'cards', '--param-env', 'api_key=K', '--no-verify', '--no-input'],
  ]) {
    const r = await cli(args);
    expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(0);
  }
}, 60_000);

afterAll(async () => {
  await api?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('run -f: body fields', () => {
  it('offers the field paths, required first, nested ones to depth 3, read-only and internal ones left out, no space after =', async () => {
    const r = await complete('run', 'cards', 'CreateCard', '-f', '');
    expect(r.values).toEqual([
      'title=',
      'done=',
      'style=',
      'style.backgroundColor=',
      'style.shape=',
      'style.shape.round=',
      'style.shape.deep=',
      'tags[]=',
      'site=',
    ]);
    expect(r.descriptions[0]).toBe('The card title (string, required)');
    expect(r.directive & 2).toBe(2);
    expect((await complete('run', 'cards', 'CreateCard', '--field', 'style.b')).values).toEqual(['style.backgroundColor=']);
    expect((await complete('run', 'cards', 'CreateCard', '--field=st')).values).toEqual([
      'style=',
      'style.backgroundColor=',
      'style.shape=',
      'style.shape.round=',
      'style.shape.deep=',
    ]);
    expect((await complete('run', 'sample-none', 'CreateCard', '-f', '')).values).toEqual([]);
  });

  it('offers a field’s enum values (with their display names) and true/false for a boolean', async () => {
    const color = await complete('run', 'cards', 'CreateCard', '-f', 'style.backgroundColor=');
    expect(color.values).toEqual(['style.backgroundColor=light_yellow', 'style.backgroundColor=red']);
    expect(color.descriptions).toEqual(['Light yellow', '']);
    expect((await complete('run', 'cards', 'CreateCard', '-f', 'style.shape.round=')).values).toEqual(['style.shape.round=true', 'style.shape.round=false']);
    expect((await complete('run', 'cards', 'CreateCard', '--field=done=t')).values).toEqual(['done=true']);
    expect((await complete('run', 'cards', 'CreateCard', '-f', 'title=')).values).toEqual([]);
    expect((await complete('run', 'cards', 'CreateCard', '-f', 'id=')).values).toEqual([]); // read-only
  });

  it('offers a field’s dynamic values from the source operation, at --base-url', async () => {
    const before = api.requests.length;
    const sites = await complete('run', 'cards', 'CreateCard', '--base-url', api.url, '-f', 'site=');
    expect(sites.values).toEqual(['site=hr', 'site=it']);
    expect(sites.descriptions).toEqual(['Human resources', 'IT']);
    expect(api.requests.length).toBe(before + 1);
  });
});

describe('dynamic values for -p honour the line', () => {
  it('--base-url: the source operation is called there, not at the spec’s host', async () => {
    const before = api.requests.length;
    expect((await complete('run', 'cards', 'GetItems', '--base-url', api.url, '-p', 'site=')).values).toEqual(['site=hr', 'site=it']);
    expect((await complete('run', 'cards', 'GetItems', `--base-url=${api.url}`, '-p', 'site=it', '-p', 'list=')).values).toEqual(['list=l9']);
    expect(api.requests.length).toBe(before + 2);
    // without it the spec's host (nobody listens) answers nothing, silently
    expect((await complete('run', 'cards', 'GetItems', '-p', 'site=')).values).toEqual([]);
  });
});

describe('hidden options', () => {
  it('run --out (the old name of --output) is not offered; --output is', async () => {
    const flags = await complete('run', 'cards', 'GetItems', '--');
    expect(flags.values).toContain('--output');
    expect(flags.values).not.toContain('--out');
    expect((await complete('run', 'cards', 'GetItems', '--ou')).values).toEqual(['--output']);
  });
});

describe('bash inserts field paths and values', () => {
  it('completes -f names and the value after the = bash splits the word at', async () => {
    const file = join(work, 'connector.bash');
    writeFileSync(file, (await cli(['completion', 'bash'])).stdout);
    const bash = async (line: string) => {
      const words = line.split(' ');
      const program = [
        `source ${JSON.stringify(file)}`,
        'declare -F _get_comp_words_by_ref >/dev/null || _get_comp_words_by_ref() { words=("${COMP_WORDS[@]}"); cword=$COMP_CWORD; cur=${words[cword]}; prev=${words[cword-1]}; }',
        `COMP_LINE=${JSON.stringify(line)}; COMP_POINT=${line.length}`,
        `COMP_WORDS=(${words.map((w) => JSON.stringify(w)).join(' ')}); COMP_CWORD=${words.length - 1}`,
        '__connector_complete',
        `printf '%s\\n' "\${COMPREPLY[@]}"`,
      ].join('\n');
      const r = await cli(['--norc', '--noprofile', '-c', program], 'bash', []);
      expect(r.status, r.stderr).toBe(0);
      return r.stdout.split('\n').filter(Boolean);
    };
    expect(await bash('connector run cards CreateCard -f style.b')).toEqual(['style.backgroundColor=']);
    expect(await bash('connector run cards CreateCard -f style.backgroundColor=l')).toEqual(['light_yellow']);
  });
});
