import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { runCli, tempHome } from '../helpers/cli.js';
import { builtCliExists, endWithin, killLeftovers, spawnCli, type CliChild } from '../proxy/child.js';

// The built CLI as a child process, so what it prints is seen as it prints it: `--format ndjson`
// writes page 1's items before page 2 is served, and Ctrl-C while page 2 is awaited is exit 3 with
// page 1's lines kept. The server holds page 2 until the test says so, never for a fixed time.

if (!builtCliExists()) throw new Error('dist/cli is missing: run `npm run build` before these tests');

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'paginate');
const env = { CONNECTOR_HK_DEFAULT_API_KEY: 'stream-key-1234' };
let home: string;
let url: string;
let server: http.Server;
/** Called when page 2 is asked for, with a function that serves it. */
let onPage2: (serve: () => void) => void = () => {};

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const json = (o: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(o));
    if (req.url === '/items') return json({ value: [{ id: 1 }, { id: 2 }], nextLink: '/items?page=2' });
    if (req.url === '/items?page=2') return onPage2(() => json({ value: [{ id: 3 }] }));
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  home = tempHome();
  const r = await runCli(['import', join(FIXTURES, 'header-key.swagger.json'), '--name', 'hk'], { home });
  expect(r.code, r.stderr).toBe(0);
});
afterEach(killLeftovers);
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

/** Resolves once the child's stdout has `text` (rejects after `ms`). */
async function stdoutHas(child: CliChild, text: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!child.stdout.includes(text)) {
    if (Date.now() > end || child.proc.exitCode !== null) throw new Error(`stdout never had ${JSON.stringify(text)}: ${child.stdout}\n${child.stderr}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('run --paginate --format ndjson (built CLI)', () => {
  it('prints the first page before the second is served', async () => {
    let printedFirst: boolean | undefined;
    let child: CliChild | undefined;
    onPage2 = (serve) => {
      // Page 2 is served once page 1's lines are on the child's stdout (or after 10 s, and the test fails).
      stdoutHas(child!, '{"id":1}\n{"id":2}\n').then(
        () => ((printedFirst = true), serve()),
        () => ((printedFirst = false), serve()),
      );
    };
    child = spawnCli(['run', 'hk', 'ListItems', '--paginate', '--format', 'ndjson', '--base-url', url], { home, env });
    const r = await endWithin(child, 20_000);
    expect(printedFirst).toBe(true);
    expect([r.code, r.stdout, r.stderr]).toEqual([0, '{"id":1}\n{"id":2}\n{"id":3}\n', '']);
  }, 30_000);

  it('Ctrl-C while page 2 is awaited: exit 3, the lines already printed stay', async () => {
    const asked = new Promise<void>((resolve) => (onPage2 = () => resolve())); // never served
    const child = spawnCli(['run', 'hk', 'ListItems', '--paginate', '--format', 'ndjson', '--base-url', url], { home, env });
    await asked;
    await stdoutHas(child, '{"id":2}\n');
    child.proc.kill('SIGINT');
    const r = await endWithin(child, 10_000);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('{"id":1}\n{"id":2}\n');
  }, 30_000);
});
