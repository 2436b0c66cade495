import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { main } from '../../src/main.js';
import { makeIO } from '../../src/io/iostreams.js';
import { runCli, tempHome } from '../helpers/cli.js';
import { strictPager } from '../helpers/context.js';
import { FakeTTY } from '../helpers/terminal.js';
import { PROGRESS_DELAY_MS } from '../../src/io/progress.js';
import { FIXTURES, recordingServer } from '../run/helpers.js';
import { MemoryStore } from '../../src/secrets/store.js';

// --query on every command's JSON output, `operations --filter`, and tables on a pipe.
const KEY = 'output-secret-key-5';
let home: string;
let server: Awaited<ReturnType<typeof recordingServer>>;
const env = { CONNECTOR_THINGS_DEFAULT_API_KEY: KEY };

beforeAll(async () => {
  server = await recordingServer((req) => {
    if (req.url === '/things/2') return { headers: { 'content-type': 'text/html' }, body: '<html>not json</html>' };
    if (req.url === '/things/3') return { body: `{"value":[{"id":"a","key":"${KEY}"}]}` };
    if (req.url === '/things/4') return { status: 204, body: '' };
    if (req.url === '/things/5') return { status: 401, headers: { 'content-type': 'text/html' }, body: '<html>sign in first</html>' };
    return { body: '{"value":[{"id":"a","n":1},{"id":"b","n":2}],"count":2}' };
  });
  home = tempHome();
  for (const [file, name] of [
    [join(FIXTURES, 'cli.swagger.json'), 'things'],
    [join(FIXTURES, '..', 'sample-api'), 'sample'],
  ]) {
    const r = await runCli(['import', file, '--name', name], { home });
    expect(r.code, r.stderr).toBe(0);
  }
});
afterAll(() => server.close());

const run = (...args: string[]) => runCli(['run', 'things', ...args, '--base-url', server.url], { home, env });

describe('run --query', () => {
  it('selects from the JSON body: one match a line, strings raw', async () => {
    const r = await run('GetThing', '-p', 'id=1', '--query', '$.value[*].id');
    expect([r.code, r.stdout, r.stderr]).toEqual([0, 'a\nb\n', '']);
    const one = await run('GetThing', '-p', 'id=1', '--query', '$.count');
    expect(one.stdout).toBe('2\n');
    const obj = await run('GetThing', '-p', 'id=1', '--query', '$.value[?@.n == 2]');
    expect(obj.stdout).toBe('{"id":"b","n":2}\n');
  });

  it('with --json, selects from the {status, headers, body} document', async () => {
    const r = await runCli(['--json', '--query', '$.status', 'run', 'things', 'GetThing', '-p', 'id=1', '--base-url', server.url], { home, env });
    expect(r.stdout).toBe('200\n');
    const b = await run('GetThing', '-p', 'id=1', '--json', '--query', '$.body.value[0].id');
    expect(b.stdout).toBe('a\n');
  });

  it('what it selects from is masked first: a secret the API echoes stays hidden', async () => {
    const r = await run('GetThing', '-p', 'id=3', '--query', '$.value[0].key');
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain(KEY);
  });

  it('no match: nothing on stdout, a note on stderr, exit 0', async () => {
    const r = await run('GetThing', '-p', 'id=1', '--query', '$.nothing');
    expect([r.code, r.stdout, r.stderr]).toEqual([0, '', "--query '$.nothing' matched nothing\n"]);
  });

  it('a body that is not JSON (or none): a clear usage error, exit 2, the body unsaid', async () => {
    const r = await run('GetThing', '-p', 'id=2', '--query', '$.a');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'connector: --query: the output is not JSON, so there is nothing to select from\n' +
        '--query selects from JSON: a JSON response body (run), or the --json document of any other command.\n',
    );
    const none = await run('GetThing', '-p', 'id=4', '--query', '$.a');
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^connector: --query: there is no output to select from/);
  });

  it('an error body that is not JSON: the HTTP exit code stands (401 → 4), a note on stderr, nothing selected', async () => {
    const r = await run('GetThing', '-p', 'id=5', '--query', '$.a');
    expect([r.code, r.stdout]).toEqual([4, '']);
    expect(r.stderr).toContain('--query: the output is not JSON, so nothing was selected (the command failed; its exit code stands)\n');
    expect(r.stderr).not.toContain('sign in first');
    expect(r.stderr).not.toMatch(/^connector: --query/m);
  });

  it('with -i, -o, --dry-run or a format but auto/json: exit 2 in one line and a hint, before any request is sent', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'query-'));
    const cases: [string[], string][] = [
      [['-i'], '-i/--include'],
      [['--format', 'yaml'], '--format yaml'],
      [['--format', 'raw'], '--format raw'],
      [['--output', 'yaml'], '--format yaml'],
      [['--dry-run'], '--dry-run'],
      [['-o', join(dir, 'body.json')], '-o/--output'],
    ];
    for (const [flags, named] of cases) {
      const before = server.seen.length;
      const r = await run('GetThing', '-p', 'id=1', ...flags, '--query', '$.count');
      expect([flags, r.code, r.stdout], r.stderr).toEqual([flags, 2, '']);
      const lines = r.stderr.split('\n').filter((l) => l && !l.startsWith('warning: '));
      expect(lines).toEqual([`connector: --query and ${named} do not go together`, '--query selects from the JSON response body on stdout; drop one of them.']);
      expect(server.seen.length, flags.join(' ')).toBe(before);
    }
    expect(existsSync(join(dir, 'body.json'))).toBe(false);
    const fine = await run('GetThing', '-p', 'id=1', '--format', 'json', '--query', '$.count');
    expect([fine.code, fine.stdout]).toEqual([0, '2\n']);
  });

  it('invalid JSONPath: exit 2 naming the position, before any request is sent', async () => {
    const before = server.seen.length;
    const r = await run('GetThing', '-p', 'id=1', '--query', '$.value[?@.n ==]');
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe("connector: --query is not valid JSONPath: unexpected ']' (position 16 of '$.value[?@.n ==]')");
    expect(server.seen.length).toBe(before);
  });
});

describe('--query on the other commands (implies --json)', () => {
  it('list, operations, show, connection list', async () => {
    expect((await runCli(['list', '--query', '$[*].name'], { home })).stdout).toBe('sample\nthings\n');
    expect((await runCli(['operations', 'things', '--query', '$[*].method'], { home })).stdout).toBe('GET\nPOST\nGET\n');
    expect((await runCli(['show', 'sample', '--query', '$.connection.options[0].kind'], { home })).stdout).toBe('apiKey\n');
    const store = new MemoryStore();
    const c = await runCli(['connection', 'create', 'sample', '--param-env', 'api_key=K', '--no-verify', '--no-input'], {
      home,
      env: { K: 'k1' },
      overrides: { secrets: async () => store },
    });
    expect(c.code, c.stderr).toBe(0);
    const l = await runCli(['connection', 'list', '--query', '$[*].address'], { home, overrides: { secrets: async () => store } });
    expect(l.stdout).toBe('sample/default\n');
  });
});

describe('operations --filter', () => {
  it('matches operationId, summary, path and method, in any case', async () => {
    const ids = async (text: string) =>
      (await runCli(['operations', 'sample', '--filter', text, '--query', '$[*].operationId'], { home })).stdout.trim().split('\n');
    expect(await ids('NOTE')).toEqual(['listNotes', 'createNote', 'searchNotes', 'getNote']);
    expect(await ids('search')).toEqual(['searchNotes']); // operationId and path
    expect(await ids('a note')).toEqual(['createNote', 'getNote']); // summary
    expect(await ids('post')).toEqual(['createNote']); // method
    expect(await ids('{id}')).toEqual(['getNote']); // path
  });

  it('no match: an empty list, one line on stderr, exit 0', async () => {
    const t = await runCli(['operations', 'sample', '--filter', 'zzz'], { home });
    expect([t.code, t.stdout, t.stderr]).toEqual([0, '', "no operation of 'sample' matches 'zzz'\n"]);
    const j = await runCli(['operations', 'sample', '--filter', 'zzz', '--json'], { home });
    expect([j.code, JSON.parse(j.stdout), j.stderr]).toEqual([0, [], "no operation of 'sample' matches 'zzz'\n"]);
  });
});

describe('tables on a pipe', () => {
  it('are whole whatever COLUMNS says (fitting is for terminals)', async () => {
    const r = await runCli(['operations', 'sample'], { home, env: { COLUMNS: '20' } });
    expect(r.stdout.split('\n')[1]).toMatch(/^listNotes +GET +\/notes +api_key +List notes$/);
  });
});

describe('--json on a terminal (the paged commands collect stdout)', () => {
  /**
   * main on a terminal: stdout TTY-like (30 rows), stderr a FakeTTY, stdin a terminal too; the
   * pager fails the test if started. The spinner's delay ends at once; its redraw never comes.
   */
  async function onTerminal(args: string[]) {
    const stdout = Object.assign(new PassThrough(), { isTTY: true, columns: 100, rows: 30 });
    const stderr = new FakeTTY();
    let out = '';
    stdout.on('data', (d) => (out += d));
    const io = makeIO(Object.assign(new PassThrough(), { isTTY: true }), stdout, stderr as never, { NO_COLOR: '1', CONNECTOR_HOME: home, ...env });
    const clock = {
      now: () => 0,
      sleep: (ms: number, signal?: AbortSignal) =>
        ms === PROGRESS_DELAY_MS ? Promise.resolve() : new Promise<void>((_, reject) => signal?.addEventListener('abort', () => reject(new Error('aborted')))),
    };
    const code = await main(['node', 'connector', ...args], io, { pager: strictPager(), clock, signal: new AbortController().signal });
    return { code, stdout: out, stderr: stderr.raw, screen: stderr.screen() };
  }

  it('run --query shows the spinner while it waits (and erases it); the matches on stdout', async () => {
    const r = await onTerminal(['run', 'things', 'GetThing', '-p', 'id=1', '--base-url', server.url, '--query', '$.count']);
    expect([r.code, r.stdout]).toEqual([0, '2\n']);
    expect(r.stderr).toContain('Waiting for GetThing');
    expect(r.screen.rows.some((row) => row.includes('Waiting'))).toBe(false);
  });

  it('a failing paged command still prints the one error document', async () => {
    for (const args of [
      ['--json', 'show', 'nope'],
      ['--json', 'operations', 'nope'],
      ['--json', 'run', 'things', 'NoSuchOp'],
    ]) {
      const r = await onTerminal(args);
      expect(r.code, r.stderr).not.toBe(0);
      expect(JSON.parse(r.stdout), args.join(' ')).toMatchObject({ error: { code: expect.any(String), exitCode: r.code } });
    }
  });
});
