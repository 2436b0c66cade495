import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
// @ts-expect-error plain JS fixture without type declarations
import { start } from '../../fixtures/sample-api/server.mjs';
import { runCli, tempHome } from '../helpers/cli.js';

const SAMPLE = join(import.meta.dirname, '..', '..', 'fixtures', 'sample-api', 'apiDefinition.swagger.json');
const KEY = 'suite-key-1234';
const env = { CONNECTOR_SAMPLE_NOTES__DEFAULT__API_KEY: KEY, NOTE_TITLE: 'From a suite' };

let server: { port: number; close(): Promise<void> };
let dir: string;
beforeAll(async () => {
  server = await start({ apiKey: KEY });
  dir = mkdtempSync(join(tmpdir(), 'connector-smoke-'));
  // The sample spec with the server's real port (a suite names the connector by a path beside it).
  writeFileSync(join(dir, 'notes.swagger.json'), readFileSync(SAMPLE, 'utf8').replace('127.0.0.1:8787', `127.0.0.1:${server.port}`));
});
afterAll(() => server.close());

const suite = (name: string, text: string) => {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
};

describe('connector test', () => {
  it('runs setup, steps and teardown against a loopback API: captures, JSONPath, schema; JUnit read back', async () => {
    const f = suite(
      'notes.suite.yaml',
      `name: notes
connector: ./notes.swagger.json
setup:
  - operation: createNote
    id: create
    body: { title: '\${env:NOTE_TITLE}', tags: [smoke] }
    expect: { status: 201 }
    capture: { noteId: $.id }
steps:
  - operation: getNote
    params: { id: '\${vars.noteId}' }
    expect:
      status: 2xx
      schema: response
      json:
        - { path: $.title, equals: From a suite }
        - { path: $.tags, length: 1 }
        - { path: $.id, type: integer }
  - operation: listNotes
    params: { limit: 2 }
    expect:
      json: [{ path: '$[*].id', length: 2 }]
  - operation: listNotes
    id: expects-404
    expect: { status: 404 }
  - operation: searchNotes
    skip: the search index is rebuilt at night
teardown:
  - operation: listNotes
    id: cleanup
`,
    );
    const junit = join(dir, 'junit.xml');
    const r = await runCli(['test', f, '--reporter', 'pretty', '--reporter', `junit=${junit}`], { env });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr.trim().split('\n').at(-1)).toBe('4 passed, 1 failed, 1 skipped');
    expect(r.stderr).toContain('status: expected 404, got 200');
    expect(r.stderr).not.toContain(KEY);
    const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(readFileSync(junit, 'utf8'));
    const ts = xml.testsuites.testsuite;
    expect([ts.tests, ts.failures, ts.skipped].map(Number)).toEqual([6, 1, 1]);
    const cases = ts.testcase as { classname: string; name: string; failure?: { message: string }; skipped?: unknown }[];
    expect(cases.every((c) => c.classname === 'sample-notes')).toBe(true);
    expect(cases.find((c) => c.failure)?.failure?.message).toBe('status: expected 404, got 200');
    expect(cases.filter((c) => c.skipped !== undefined)).toHaveLength(1);
    expect(readFileSync(junit, 'utf8')).not.toContain(KEY);
  });

  it('all passing is exit 0 with the closing line; json goes to stdout as one document', async () => {
    const f = suite(
      'ok.yaml',
      'connector: ./notes.swagger.json\nsteps:\n  - operation: listNotes\n    expect: { status: [200, 204], headers: { content-type: /json/ } }\n',
    );
    const r = await runCli(['test', f, '--reporter', 'json'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.trim().split('\n').at(-1)).toBe('1 passed, 0 failed');
    expect(JSON.parse(r.stdout).totals).toEqual({ passed: 1, failed: 0, skipped: 0 });
  });

  it('a malformed suite is exit 2 with file:line:column, and nothing runs (not even the valid suite before it)', async () => {
    const ok = suite('first.yaml', 'connector: ./notes.swagger.json\nsteps:\n  - operation: createNote\n    body: { title: must not be created }\n');
    const bad = suite('bad.yaml', 'connector: ./notes.swagger.json\nsteps:\n  - operation: listNotes\n    expect: { status: 2x }\n');
    const before = await (await fetch(`http://127.0.0.1:${server.port}/api/notes`, { headers: { 'X-Api-Key': KEY } })).json();
    const r = await runCli(['test', ok, bad], { env });
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toMatch(new RegExp(`^connector: ${bad.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:4:23: steps\\.0\\.expect\\.status`));
    const after = await (await fetch(`http://127.0.0.1:${server.port}/api/notes`, { headers: { 'X-Api-Key': KEY } })).json();
    expect(after).toEqual(before);
  });

  it('an unknown operation or a variable no earlier step captures is an invalid suite (exit 2, at the step); nothing of it is sent', async () => {
    const before = await (await fetch(`http://127.0.0.1:${server.port}/api/notes`, { headers: { 'X-Api-Key': KEY } })).json();
    const typo = suite(
      'typo.yaml',
      'connector: ./notes.swagger.json\nsteps:\n  - operation: createNote\n    body: { title: never }\n  - operation: listNotez\n',
    );
    const r = await runCli(['test', typo], { env });
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toMatch(/typo\.yaml:5: step 'listNotez': .*listNotez/);
    expect(r.stderr).toContain('listNotes');
    const vars = suite(
      'vars.yaml',
      'connector: ./notes.swagger.json\nsteps:\n  - operation: getNote\n    params: { id: "${vars.noteId}" }\n  - operation: createNote\n    body: { title: later }\n    capture: { noteId: $.id }\n',
    );
    const v = await runCli(['test', vars], { env });
    expect(v.code).toBe(2);
    expect(v.stderr.split('\n')[0]).toMatch(/vars\.yaml:3: step 'getNote': \$\{vars\.noteId\} is not captured by an earlier step$/);
    const after = await (await fetch(`http://127.0.0.1:${server.port}/api/notes`, { headers: { 'X-Api-Key': KEY } })).json();
    expect(after).toEqual(before);
  });

  it('--shard slices partition the steps: together they run every step exactly once', async () => {
    const steps = Array.from({ length: 12 }, (_, i) => `  - operation: listNotes\n    id: s${i}\n`).join('');
    const f = suite('many.yaml', `connector: ./notes.swagger.json\nsteps:\n${steps}`);
    const seen: string[] = [];
    for (const i of [1, 2, 3]) {
      const r = await runCli(['test', f, '--shard', `${i}/3`, '--reporter', 'json'], { env });
      expect(r.code, r.stderr).toBe(0);
      seen.push(...JSON.parse(r.stdout).suites[0].steps.map((s: { id: string }) => s.id));
    }
    expect(seen.sort()).toEqual(Array.from({ length: 12 }, (_, i) => `s${i}`).sort());
    expect((await runCli(['test', f, '--shard', '4/3'], { env })).code).toBe(2);
  });

  it('--bail skips the rest after the first failure; teardown still runs', async () => {
    const f = suite(
      'bail.yaml',
      'connector: ./notes.swagger.json\nsteps:\n  - operation: listNotes\n    expect: { status: 500 }\n  - operation: listNotes\n    id: never\nteardown:\n  - operation: listNotes\n    id: td\n',
    );
    const r = await runCli(['test', f, '--bail', '--reporter', 'json'], { env });
    expect(r.code).toBe(1);
    const steps = JSON.parse(r.stdout).suites[0].steps as { id: string; status: string }[];
    expect(steps.map((s) => [s.id, s.status])).toEqual([
      ['listNotes', 'failed'],
      ['never', 'skipped'],
      ['td', 'passed'],
    ]);
  });

  it('test init writes a starter suite that test runs; it never overwrites without --force', async () => {
    const home = tempHome();
    expect((await runCli(['import', join(dir, 'notes.swagger.json')], { home, env })).code).toBe(0);
    const out = join(dir, 'init.suite.yaml');
    const w = await runCli(['test', 'init', 'sample-notes', '-o', out], { home, env });
    expect(w.code, w.stderr).toBe(0);
    expect(existsSync(out)).toBe(true);
    expect((await runCli(['test', 'init', 'sample-notes', '-o', out], { home, env })).code).toBe(1);
    const r = await runCli(['test', out], { home, env });
    expect(r.code, r.stderr).toBe(0);
    const direct = await runCli(['test', 'sample-notes'], { home, env });
    expect(direct.code, direct.stderr).toBe(0);
    expect(direct.stderr.trim().split('\n').at(-1)).toBe(r.stderr.trim().split('\n').at(-1));
  });
});

describe('connector test: schema: response', () => {
  it('each mismatch is a failure line with its JSON pointer', async () => {
    const { createServer } = await import('node:http');
    const api = createServer((_q, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"seven","tags":"a"}'));
    await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
    const port = (api.address() as { port: number }).port;
    const spec = {
      swagger: '2.0',
      info: { title: 'Things', version: '1' },
      host: `127.0.0.1:${port}`,
      schemes: ['http'],
      paths: {
        '/thing': {
          get: {
            operationId: 'getThing',
            responses: {
              200: {
                description: 'ok',
                schema: {
                  type: 'object',
                  required: ['id', 'name'],
                  properties: { id: { type: 'integer' }, name: { type: 'string' }, tags: { type: 'array' } },
                },
              },
            },
          },
        },
      },
    };
    writeFileSync(join(dir, 'things.swagger.json'), JSON.stringify(spec));
    const f = suite('things.yaml', 'connector: ./things.swagger.json\nsteps:\n  - operation: getThing\n    expect: { schema: response }\n');
    try {
      const r = await runCli(['test', f, '--reporter', 'json']);
      expect(r.code, r.stderr).toBe(1);
      const failures = JSON.parse(r.stdout).suites[0].steps[0].failures as string[];
      expect(failures).toEqual(
        expect.arrayContaining([expect.stringMatching(/^schema: \/id: must be integer/), expect.stringMatching(/^schema: \/tags: must be array/)]),
      );
      expect(failures.some((x) => /name/.test(x))).toBe(true);
    } finally {
      api.closeAllConnections();
      await new Promise<void>((r) => api.close(() => r()));
    }
  });
});

describe('connector test --concurrency', () => {
  it('runs independent steps at once over one keep-alive pool; chained steps keep their order; results in suite order', async () => {
    const { createServer } = await import('node:http');
    let inFlight = 0;
    let most = 0;
    const sockets = new Set<unknown>();
    const seen: string[] = [];
    const api = createServer((req, res) => {
      sockets.add(req.socket);
      inFlight++;
      most = Math.max(most, inFlight);
      const n = new URL(req.url!, 'http://x').searchParams.get('n')!;
      seen.push(n);
      setTimeout(() => {
        inFlight--;
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ n }));
      }, 150);
    });
    await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
    const port = (api.address() as { port: number }).port;
    const spec = {
      swagger: '2.0',
      info: { title: 'Slow', version: '1' },
      host: `127.0.0.1:${port}`,
      schemes: ['http'],
      paths: {
        '/slow': {
          get: { operationId: 'slow', parameters: [{ name: 'n', in: 'query', type: 'string', required: true }], responses: { 200: { description: 'ok' } } },
        },
      },
    };
    writeFileSync(join(dir, 'slow.swagger.json'), JSON.stringify(spec));
    const free = Array.from({ length: 8 }, (_, i) => `  - { operation: slow, id: f${i}, params: { n: 'f${i}' } }\n`).join('');
    const chain =
      "  - { operation: slow, id: c1, params: { n: c1 }, capture: { got: $.n } }\n  - { operation: slow, id: c2, params: { n: 'c2-${vars.got}' } }\n";
    const f = suite('slow.yaml', `connector: ./slow.swagger.json\nsteps:\n${chain}${free}`);
    try {
      const r = await runCli(['test', f, '--concurrency', '4', '--reporter', 'json']);
      expect(r.code, r.stderr).toBe(0);
      const ids = JSON.parse(r.stdout).suites[0].steps.map((s: { id: string }) => s.id);
      expect(ids).toEqual(['c1', 'c2', 'f0', 'f1', 'f2', 'f3', 'f4', 'f5', 'f6', 'f7']);
      expect(seen.indexOf('c1')).toBeLessThan(seen.indexOf('c2-c1')); // the captured value, after it was captured
      expect(most).toBeGreaterThanOrEqual(3);
      expect(most).toBeLessThanOrEqual(4);
      expect(sockets.size).toBeLessThanOrEqual(4); // kept alive: no new connection per request
      expect((await runCli(['test', f, '--concurrency', '0'])).code).toBe(2);
    } finally {
      api.closeAllConnections();
      await new Promise<void>((r) => api.close(() => r()));
    }
  });
});
