import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { runCli, tempHome } from '../helpers/cli.js';
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
