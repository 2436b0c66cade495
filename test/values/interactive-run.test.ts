import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { MemoryStore } from '../../src/secrets/store.js';
import type { Prompter } from '../../src/io/prompter.js';
import { runCli, tempHome } from '../helpers/cli.js';
import { strictPrompter } from '../helpers/context.js';
import { FIXTURE, KEY, startExampleServer, type ExampleServer } from './example-server.js';
import { runOnTerminal } from '../helpers/terminal-run.js';

let api: ExampleServer;
let home: string;
const env = { CONNECTOR_DYN__DEFAULT__API_KEY: KEY };

/** `connector run dyn …` as if on a terminal (stdin and stdout TTYs), questions answered by `prompter`. */
async function runTty(prompter: Prompter | undefined, args: string[]) {
  const overrides = { secrets: async () => new MemoryStore(), ...(prompter ? { prompter: async () => prompter } : {}) };
  return runOnTerminal(['run', 'dyn', ...args, '--base-url', api.url], {
    env: { CONNECTOR_HOME: home, ...env },
    overrides,
    noInput: args.includes('--no-input'),
  });
}

beforeAll(async () => {
  api = await startExampleServer();
  home = tempHome('connector-values-run-');
  const r = await runCli(['import', FIXTURE, '--name', 'dyn'], { home });
  expect(r.code, r.stderr).toBe(0);
});

afterAll(async () => {
  await api?.close();
  rmSync(home, { recursive: true, force: true });
});

describe('interactive run asks for the required parameters not given', () => {
  it('offers dynamic values as a search list; a source depending on another parameter waits for its answer', async () => {
    const p = strictPrompter({ 'Site address (site)': 'it', 'List name (list)': 'l2', mode: 'fuzzy' });
    const r = await runTty(p, ['FindInList']);
    expect(r.code, r.stderr).toBe(0);
    // `list` is declared first, but its source needs `site`: site is asked first.
    expect(p.asked).toEqual([
      { kind: 'search', message: 'Site address (site)', choices: ['Human resources=hr', 'IT=it'], hint: undefined },
      { kind: 'search', message: 'List name (list)', choices: ['Holidays=l1', 'Payroll=l2'], hint: undefined },
      { kind: 'select', message: 'mode', choices: ['exact=exact', 'fuzzy=fuzzy'], default: undefined },
    ]);
    // the source had the answer; a parameter with a default (limit) and an optional one (term) are not asked
    expect(api.requests.slice(-3)).toEqual(['GET /sites', 'GET /sites/it/lists', 'GET /find?list=l2&site=it&mode=fuzzy&limit=10']);
  });

  it('a value typed that is not in the list is sent as typed (search answers free text)', async () => {
    const p = strictPrompter({ 'List name (list)': 'my-own-list', mode: 'exact' });
    const r = await runTty(p, ['FindInList', '-p', 'site=hr']);
    expect(r.code, r.stderr).toBe(0);
    expect(api.requests.at(-1)).toBe('GET /find?list=my-own-list&site=hr&mode=exact&limit=10');
  });

  it('a failing source: one warning line, then free input; a header parameter is asked too', async () => {
    const p = strictPrompter({ code: 'typed-code', 'Trace id (X-Trace)': 't-1' });
    const r = await runTty(p, ['Probe']);
    expect(r.code, r.stderr).toBe(0);
    expect(p.asked.map((a) => `${a.kind} ${a.message}`)).toEqual(['input code', 'input Trace id (X-Trace)']);
    expect(p.asked[0].hint).toBe('A code the Broken operation would list');
    expect(r.stderr.split('\n').filter((l) => l.startsWith('warning'))).toEqual([
      'warning: cannot list the values of code (Broken answered HTTP 500); type one',
    ]);
    expect(api.requests.at(-1)).toBe('GET /probe?code=typed-code');
  });

  it('a tree is walked one level at a time: open a parent, then choose an item', async () => {
    const answers = ['\u0000open:f-docs', '\u0000pick:/Documents/2026'];
    const asked: string[][] = [];
    const prompter: Prompter = {
      input: async () => expect.fail('no input expected'),
      password: async () => expect.fail('no password expected'),
      select: async () => expect.fail('no select expected'),
      confirm: async () => expect.fail('no confirm expected'),
      search: async (message, choices) => {
        asked.push([message, ...choices.map((c) => `${c.name}=${c.value.replace('\u0000', '')}`)]);
        return answers.shift()!;
      },
    };
    const r = await runTty(prompter, ['OpenFolder']);
    expect(r.code, r.stderr).toBe(0);
    // canSelectLeafNodes false: README.md and plan.docx are not offered; parents are, and can be opened
    expect(asked).toEqual([
      ['Folder (folder)', 'Documents=pick:/Documents', 'Documents/ …=open:f-docs'],
      ['Folder (folder)', '2026=pick:/Documents/2026', '2026/ …=open:f-2026'],
    ]);
    expect(api.requests.slice(-3)).toEqual(['GET /folders', 'GET /folders/f-docs/children', 'GET /open?folder=%2FDocuments%2F2026']);
  });

  it('nothing is asked when every required parameter is given', async () => {
    const r = await runTty(strictPrompter({}), ['FindInList', '-p', 'site=hr', '-p', 'LIST=l1', '-p', 'query:mode=exact']);
    expect(r.code, r.stderr).toBe(0);
  });
});

describe('without a terminal, or with --no-input: no question and no source call', () => {
  it('--no-input on a terminal: exit 2 naming the missing parameters, nothing called', async () => {
    const before = api.requests.length;
    const r = await runTty(undefined, ['FindInList', '--no-input']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('missing required parameters for FindInList: list (query), site (query), mode (query)');
    expect(api.requests.length).toBe(before);
  });

  it('not a terminal: the same', async () => {
    const before = api.requests.length;
    const r = await runCli(['run', 'dyn', 'FindInList', '--base-url', api.url], { home, env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('missing required parameters for FindInList');
    expect(api.requests.length).toBe(before);
  });
});
