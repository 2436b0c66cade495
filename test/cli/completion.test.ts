import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn } from 'node:child_process';
import { finished } from '../helpers/spawn.js';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { script } from '@bomb.sh/tab';
import { KEY, startDynamicApi, type DynamicApi } from '../operation/dynamic-api.js';

// The built CLI, called as the shell scripts call it (`connector complete -- <words>`), and bash
// itself running the script it prints. npm test builds dist/cli first.
const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'connector.js');
const SAMPLE = join(ROOT, 'fixtures', 'sample-api');

let work: string;
let api: DynamicApi;
let shimDir: string;
const ENV = () => ({
  CONNECTOR_HOME: join(work, 'home'),
  CONNECTOR_CACHE_DIR: join(work, 'cache'),
  CONNECTOR_SECRET_STORE: 'memory',
  // dyn/default has the right key, dyn/other a wrong one (both from the CI overlay, no keychain)
  CONNECTOR_DYN__DEFAULT__API_KEY: KEY,
  CONNECTOR_DYN__OTHER__API_KEY: 'wrong',
  NO_COLOR: '1',
  PATH: `${shimDir}:${dirname(process.execPath)}:/usr/bin:/bin`,
});

/** Spawned asynchronously: the API runs in this process and must go on answering. */
function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}, cwd?: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...ENV(), ...env }, cwd });
  return finished(child);
}
const cli = (args: string[], env?: NodeJS.ProcessEnv) => run(process.execPath, [BIN, ...args], env);

/** Ask for the candidates of a line: the last word is the one being completed. */
async function complete(...words: string[]) {
  return completeIn({}, ...words);
}
async function completeIn(env: NodeJS.ProcessEnv, ...words: string[]) {
  const r = await cli(['complete', '--', ...words], env);
  expect(r.status, r.stderr).toBe(0);
  expect(r.stderr).toBe('');
  const lines = r.stdout.trimEnd().split('\n');
  const last = lines.pop()!;
  expect(last).toMatch(/^:\d+$/);
  const rows = lines.map((l) => l.split('\t'));
  return { values: rows.map((r) => r[0]), descriptions: rows.map((r) => r[1] ?? ''), directive: Number(last.slice(1)), raw: r.stdout };
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'connector-completion-'));
  shimDir = join(work, 'bin');
  mkdirSync(shimDir);
  writeFileSync(join(shimDir, 'connector'), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} "$@"\n`);
  chmodSync(join(shimDir, 'connector'), 0o755);
  api = await startDynamicApi();
  for (const args of [
    ['import', SAMPLE, '--name', 'sample'],
    ['import', api.writeSpec(work), '--name', 'dyn'],
    ['connection', 'create', 'dyn', '--param-env', 'api_key=K', '--no-verify', '--no-input'],
    ['connection', 'create', 'dyn', '--name', 'other', '--param-env', 'api_key=K', '--no-verify', '--no-input'],
    ['connection', 'create', 'sample', '--name', 'ci', '--param-env', 'api_key=K', '--no-verify', '--no-input'],
  ]) {
    const r = await cli(args, { K: 'stored-but-unused' });
    expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(0);
  }
}, 60_000);

afterAll(async () => {
  await api?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('connector completion <shell>', () => {
  for (const shell of ['bash', 'zsh', 'fish', 'powershell']) {
    it(`prints a ${shell} script that calls connector complete`, async () => {
      const r = await cli(['completion', shell]);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout.length).toBeGreaterThan(500);
      expect(r.stdout).toContain('connector');
      expect(r.stdout).toMatch(/connector complete/);
    });
  }

  it('an unknown shell is a usage error naming the shells', async () => {
    const r = await cli(['completion', 'tcsh']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^connector: no completion for the shell 'tcsh'\nUse one of: bash, zsh, fish, powershell\n$/);
  });

  it('--help says how to install it for every shell; complete stays out of connector --help', async () => {
    const r = await cli(['completion', '--help']);
    for (const s of ['bash', 'zsh', 'fish', 'powershell']) expect(r.stdout).toMatch(new RegExp(`\\n  ${s} +\\S*.*connector completion ${s}`));
    const root = await cli(['--help']);
    expect(root.stdout).toMatch(/\n {2}completion\b/);
    expect(root.stdout).not.toMatch(/\n {2}complete\b/);
  });
});

describe('connector complete -- <words>', () => {
  it('commands at the top, subcommands after connection (and its alias), no files', async () => {
    const top = await complete('');
    expect(top.values).toEqual(expect.arrayContaining(['import', 'run', 'connection', 'completion', 'test']));
    expect(top.values).not.toContain('complete');
    expect(top.directive & 4).toBe(4);
    expect((await complete('conn')).values).toEqual(['connection']);
    expect((await complete('connection', '')).values).toEqual(expect.arrayContaining(['create', 'show', 'delete', 'default']));
    expect((await complete('conn', 'sh')).values).toEqual(['show']);
  });

  it('flags of the command with the global ones, and option choices', async () => {
    const flags = await complete('run', 'sample', 'listNotes', '--');
    expect(flags.values).toEqual(expect.arrayContaining(['--connection', '--param', '--dry-run', '--home', '--json', '--no-input', '--help']));
    expect((await complete('run', 'sample', 'listNotes', '-')).values).toEqual(flags.values); // a lone - offers the long flags
    expect((await complete('export', 'sample', '--format', '')).values).toEqual(['yaml', 'paconn']);
    expect((await complete('--secret-store', '')).values).toEqual(['keychain', 'vault', 'memory']);
    expect((await complete('export', 'sample', '--format=y')).values).toEqual(['yaml']);
  });

  it('connector names where a command takes a connector', async () => {
    for (const words of [
      ['run', ''],
      ['operations', ''],
      ['show', ''],
      ['remove', ''],
      ['connection', 'create', ''],
      ['test', 'init', ''],
    ]) {
      expect((await complete(...words)).values, words.join(' ')).toEqual(['sample', 'dyn']);
    }
    const d = await complete('run', 'd');
    expect(d.values).toEqual(['dyn']);
    expect(d.descriptions).toEqual(['Dynamic Values API']);
    const t = await complete('test', '');
    expect(t.values).toEqual(['init', 'sample', 'dyn']);
    expect(t.directive & 4).toBe(0); // suite files too
    expect((await complete('import', '')).directive & 4).toBe(0); // a file
  });

  it('operation ids after the connector (and for --test-operation)', async () => {
    const ops = await complete('run', 'sample', '');
    expect(ops.values).toEqual(['listNotes', 'createNote', 'searchNotes', 'getNote']);
    expect(ops.descriptions[0]).toBe('List notes');
    expect((await complete('run', 'sample', 'get')).values).toEqual(['getNote']);
    expect((await complete('--home', join(work, 'home'), 'run', 'sample', 'l')).values).toEqual(['listNotes']);
    expect((await complete('run', 'nosuch', '')).values).toEqual([]);
    expect((await complete('connection', 'create', 'sample', '--test-operation', 'ge')).values).toEqual(['getNote']);
  });

  it('connection addresses for connection show/delete/..., names for -c', async () => {
    for (const verb of ['delete', 'default', 'rename']) {
      expect((await complete('connection', verb, '')).values, verb).toEqual(['dyn/default', 'dyn/other', 'sample/ci']);
    }
    // The verbs that take K alone (its default connection) offer it too.
    for (const verb of ['show', 'test', 'token', 'login', 'logout', 'export']) {
      expect((await complete('connection', verb, '')).values, verb).toEqual(['dyn', 'dyn/default', 'dyn/other', 'sample', 'sample/ci']);
    }
    expect((await complete('connection', 'show', 's')).descriptions[0]).toBe('its default connection (sample/ci)');
    expect((await complete('connection', 'show', 'dyn/o')).values).toEqual(['dyn/other']);
    expect((await complete('run', 'dyn', 'GetItems', '-c', '')).values).toEqual(['default', 'other']);
    expect((await complete('run', 'dyn', 'GetItems', '--connection=o')).values).toEqual(['other']);
  });

  it('connections only the environment stands in for, by name only, where a command resolves them', async () => {
    const env = { CONNECTOR_SAMPLE__DEFAULT__API_KEY: 'env-secret-1', CONNECTOR_SAMPLE__CIX__API_KEY: 'env-secret-2' };
    for (const verb of ['show', 'test', 'token']) {
      const r = await completeIn(env, 'connection', verb, 'sa');
      expect(r.values, verb).toEqual(['sample', 'sample/ci', 'sample/cix', 'sample/default']);
      expect(r.raw).not.toContain('env-secret');
    }
    expect((await completeIn(env, 'connection', 'login', 'sa')).values).toEqual(['sample', 'sample/ci']);
    expect((await completeIn(env, 'connection', 'delete', 'sa')).values).toEqual(['sample/ci']);
    expect((await completeIn(env, 'run', 'sample', 'listNotes', '-c', '')).values).toEqual(['ci', 'cix', 'default']);
    // A connector with no stored connection: K alone is its env-only `default`, only when that one exists.
    const only = { CONNECTOR_DYN__DEFAULT__API_KEY: '', CONNECTOR_DYN__OTHER__API_KEY: '' };
    const home2 = join(work, 'home2');
    if (!existsSync(home2)) expect((await cli(['--home', home2, 'import', SAMPLE, '--name', 'sample'])).status).toBe(0);
    expect((await completeIn({ ...only, CONNECTOR_SAMPLE__DEFAULT__API_KEY: 'k' }, '--home', home2, 'connection', 'show', '')).values).toEqual([
      'sample',
      'sample/default',
    ]);
    expect((await completeIn({ ...only, CONNECTOR_SAMPLE__CIX__API_KEY: 'k' }, '--home', home2, 'connection', 'show', '')).values).toEqual(['sample/cix']);
  });

  it('a connector typed in another case completes as the commands read it (the registry’s resolve)', async () => {
    expect((await complete('run', 'Sample', 'get')).values).toEqual(['getNote']);
    expect((await complete('run', 'DYN', 'GetItems', '-p', 'status=')).values).toEqual(['status=open', 'status=closed']);
  });

  it('help completes command words, nested', async () => {
    expect((await complete('help', 'conn')).values).toEqual(['connection']);
    expect((await complete('help', 'connection', 'cr')).values).toEqual(['create']);
    expect((await complete('help', 'conn', 'sh')).values).toEqual(['show']);
    expect((await complete('help', '')).values).toEqual(expect.arrayContaining(['import', 'run', 'connection']));
    expect((await complete('help', 'run', '')).values).toEqual([]);
    expect((await complete('help', 'nosuch', '')).values).toEqual([]);
  });

  it('parameter names after -p, with no space after the =', async () => {
    const names = await complete('run', 'dyn', 'GetItems', '-p', '');
    expect(names.values).toEqual(['site=', 'list=', 'tag=', 'status=', 'flag=', 'mood=', 'slow=', 'hostile=', 'broken=']);
    expect(names.directive & 2).toBe(2);
    expect(names.descriptions[0]).toBe('Site (query)');
    expect((await complete('run', 'dyn', 'GetItems', '--param', 'st')).values).toEqual(['status=']);
  });

  it('connection create: its auth options, and the parameters a connection holds', async () => {
    expect((await complete('connection', 'create', 'sample', '--param', '')).values).toEqual(['api_key=']);
    expect((await complete('connection', 'create', 'sample', '--param-stdin', '')).values).toEqual(['api_key']);
    // the option ids, and a kind where exactly one option has it (create accepts --auth apiKey)
    expect((await complete('connection', 'create', 'sample', '--auth', '')).values).toEqual(['api_key', 'apiKey']);
  });

  it('allowed values after -p name=: enum, true/false', async () => {
    expect((await complete('run', 'dyn', 'GetItems', '-p', 'status=')).values).toEqual(['status=open', 'status=closed']);
    expect((await complete('run', 'dyn', 'GetItems', '-p', 'status=c')).values).toEqual(['status=closed']);
    expect((await complete('run', 'dyn', 'GetItems', '-p', 'flag=')).values).toEqual(['flag=true', 'flag=false']);
  });

  it('dynamic values from the source operation, with the default connection or the -c given, and the line’s -p values', async () => {
    const before = api.requests.length;
    const sites = await complete('run', 'dyn', 'GetItems', '-p', 'site=');
    expect(sites.values).toEqual(['site=hr', 'site=it']);
    expect(sites.descriptions).toEqual(['Human resources', 'IT']);
    expect(api.requests.length).toBe(before + 1);
    // dyn/other has a wrong key: 401, so nothing, and no error on the terminal
    expect((await complete('run', 'dyn', 'GetItems', '-c', 'other', '-p', 'site=')).values).toEqual([]);
    expect((await complete('run', 'dyn', 'GetItems', '-p', 'site=it', '-p', 'list=')).values).toEqual(['list=l9']);
    expect((await complete('run', 'dyn', 'GetItems', '-p', 'site=hr', '--param', 'list=')).values).toEqual(['list=l1', 'list=2']);
    expect((await complete('run', 'dyn', 'GetItems', '-p', 'site=it', '-p', 'tag=')).values).toEqual(['tag=it-all']);
    // a reference not given yet: the source is not called
    const n = api.requests.length;
    expect((await complete('run', 'dyn', 'GetItems', '-p', 'list=')).values).toEqual([]);
    expect(api.requests.length).toBe(n);
  });

  it('a slow or failing source gives no candidates within the timeout, silently', async () => {
    const started = Date.now();
    expect((await complete('run', 'dyn', 'GetItems', '-p', 'slow=')).values).toEqual([]);
    expect(Date.now() - started).toBeLessThan(4500); // the source answers after 5 s
    expect((await complete('run', 'dyn', 'GetItems', '-p', 'broken=')).values).toEqual([]);
  });

  it('candidates from specs and servers carry no control character to the terminal', async () => {
    const mood = await complete('run', 'dyn', 'GetItems', '-p', 'mood=');
    expect(mood.values).toEqual(['mood=calm']); // the value with ESC [2J is left out
    const names = await complete('run', 'dyn', 'GetItems', '-p', 'm');
    expect(names.descriptions).toEqual(['Mood\\x1b]0;owned\\x07 (query)']);
    const hostile = await complete('run', 'dyn', 'GetItems', '-p', 'hostile=');
    expect(hostile.values).toEqual(['hostile=safe', 'hostile=$(touch PWNED)']);
    expect(hostile.descriptions[0]).toBe('title\\x1b]0;pwned\\x07');
    // eslint-disable-next-line no-control-regex
    expect(hostile.raw).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
  });

  it('a hidden command completes to nothing; a broken registry answers nothing, exit 0', async () => {
    expect((await complete('complete', '')).values).toEqual([]);
    const r = await cli(['complete', '--', 'run', ''], { CONNECTOR_HOME: join(work, 'no-such-home') });
    expect(r.stdout).toBe(':4\n');
  });
});

describe('bash runs the script it is given', () => {
  /** Source the script, set what readline sets, call the function, print COMPREPLY. */
  async function bash(line: string, script = join(work, 'connector.bash')): Promise<string[]> {
    if (!existsSync(script)) writeFileSync(script, (await cli(['completion', 'bash'])).stdout);
    const words = line.split(' ');
    const program = [
      `source ${JSON.stringify(script)}`,
      // bash-completion is not installed here: the patched script brings a stand-in, tab's needs one
      'declare -F _get_comp_words_by_ref >/dev/null || _get_comp_words_by_ref() { words=("${COMP_WORDS[@]}"); cword=$COMP_CWORD; cur=${words[cword]}; prev=${words[cword-1]}; }',
      `COMP_LINE=${JSON.stringify(line)}; COMP_POINT=${line.length}`,
      `COMP_WORDS=(${words.map((w) => JSON.stringify(w)).join(' ')}); COMP_CWORD=${words.length - 1}`,
      '__connector_complete',
      `printf '%s\\n' "\${COMPREPLY[@]}"`,
    ].join('\n');
    const r = await run('bash', ['--norc', '--noprofile', '-c', program], {}, work);
    expect(r.status, r.stderr).toBe(0);
    return r.stdout.split('\n').filter(Boolean);
  }

  it('completes commands, connectors and operations', async () => {
    expect(await bash('connector co')).toEqual(['connection', 'completion']);
    expect(await bash('connector run ')).toEqual(['sample', 'dyn']);
    expect(await bash('connector run sample get')).toEqual(['getNote']);
    expect(await bash('connector completion ')).toEqual(['bash', 'zsh', 'fish', 'powershell']);
  });

  it('the script can be sourced twice (a new ~/.bashrc): no readonly variable errors', async () => {
    const file = join(work, 'twice.bash');
    writeFileSync(file, (await cli(['completion', 'bash'])).stdout);
    const r = await run('bash', ['--norc', '--noprofile', '-c', `source ${JSON.stringify(file)}; source ${JSON.stringify(file)}; echo ok`], {}, work);
    expect([r.status, r.stdout, r.stderr]).toEqual([0, 'ok\n', '']);
  });

  it('inserts only what follows the = bash splits the word at', async () => {
    expect(await bash('connector run dyn GetItems -p sta')).toEqual(['status=']);
    expect(await bash('connector run dyn GetItems -p status=c')).toEqual(['closed']);
    expect(await bash('connector run dyn GetItems -p site=')).toEqual(['hr', 'it']);
    expect(await bash('connector run dyn GetItems --connection=o')).toEqual(['other']);
  });

  it('a candidate with shell syntax is inserted quoted, never run', async () => {
    const reply = await bash('connector run dyn GetItems -p hostile=');
    expect(reply).toEqual(['safe', '\\$\\(touch\\ PWNED\\)']);
    expect(existsSync(join(work, 'PWNED'))).toBe(false);
  });

  it('control: @bomb.sh/tab 0.0.22’s own bash script runs it (compgen -W expands candidates)', async () => {
    const lines: string[] = [];
    const log = console.log;
    console.log = (s: string) => void lines.push(s);
    try {
      script('bash', 'connector', 'connector');
    } finally {
      console.log = log;
    }
    const plain = join(work, 'tab.bash');
    writeFileSync(plain, lines.join('\n'));
    await bash('connector run dyn GetItems -p hostile=', plain);
    expect(existsSync(join(work, 'PWNED'))).toBe(true);
    rmSync(join(work, 'PWNED'));
  });
});
