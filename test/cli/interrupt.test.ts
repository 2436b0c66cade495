import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync, cpSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { startProvider, CLIENTS, type TestProvider } from '../oauth/helpers/provider.js';
import { allFiles, writeConnector } from '../oauth-cli/helpers.js';
import { builtCliExists, endWithin, killLeftovers, runBuilt, spawnCli, type ChildResult } from '../proxy/child.js';

// Ctrl-C (and SIGTERM) is exit 3 everywhere, with one line and nothing half-written: the built
// CLI as a child process, signalled once it is visibly waiting (a request in flight, the
// sign-in URL printed, the device code shown), never after a sleep.

const VAULT = { CONNECTOR_VAULT_PASSPHRASE: 'interrupt-test-passphrase' };
let op: TestProvider;
let hang: Server;
let hangPort: number;
const sockets = new Set<Socket>();
/** Resolvers for "the next request reached the server that never answers". */
const arrivals: ((req: IncomingMessage) => void)[] = [];
let template: string;

if (!builtCliExists()) throw new Error('dist/cli is missing: run `npm run build` before these tests');

beforeAll(async () => {
  op = await startProvider();
  hang = createServer((req) => arrivals.shift()?.(req)); // accepts, reads, never answers
  hang.on('connection', (s) => (sockets.add(s), s.once('close', () => sockets.delete(s))));
  await new Promise<void>((r) => hang.listen(0, '127.0.0.1', () => r()));
  hangPort = (hang.address() as { port: number }).port;

  // One registry with both connectors, copied for each test so every test starts from the same files.
  template = mkdtempSync(join(tmpdir(), 'connector-interrupt-tpl-'));
  const spec = join(template, 'src', 'hang.swagger.json');
  writeConnector(join(template, 'src', 'oauthtest'), op.issuer, '127.0.0.1:9');
  writeFileSync(
    spec,
    JSON.stringify({
      swagger: '2.0',
      info: { title: 'Hang', version: '1' },
      host: `127.0.0.1:${hangPort}`,
      schemes: ['http'],
      paths: { '/slow': { get: { operationId: 'slow', responses: { 200: { description: 'ok' } } } } },
    }),
  );
  for (const args of [
    ['import', spec, '--name', 'hang'],
    ['import', join(template, 'src', 'oauthtest'), '--name', 'oauthtest'],
  ]) {
    const r = await runBuilt(args, { home: template });
    expect(r.code, r.stderr).toBe(0);
  }
}, 20_000);

afterEach(killLeftovers);
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) => hang?.close(() => r()));
  await op?.close();
});

function freshHome(): string {
  const home = mkdtempSync(join(tmpdir(), 'connector-interrupt-'));
  cpSync(template, home, { recursive: true });
  return home;
}

/** Wait for a condition on this process's own state (the provider's grant log), checking every 20 ms. */
async function until(cond: () => boolean, ms: number) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const files = (home: string) =>
  allFiles(home)
    .map((f) => relative(home, f))
    .sort();

/** Exit 3, and stderr is one `connector: [sign-in ]cancelled…` line (after what the command printed before), no stack. */
function expectCancelled(r: ChildResult, before = '') {
  expect(r.signal, r.stderr).toBeNull();
  expect(r.code, r.stderr).toBe(3);
  expect(r.stderr.startsWith(before)).toBe(true);
  expect(r.stderr.slice(before.length)).toMatch(before ? /^connector: (sign-in )?cancelled[^\n]*\n$/ : /^connector: cancelled[^\n]*\n$/);
  expect(r.stderr).not.toMatch(/^\s+at /m);
}

describe('a signal while `connector run` waits for an answer', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal} exits 3 with one line, and --out is not left half-written`, async () => {
      const home = freshHome();
      const arrived = new Promise<IncomingMessage>((r) => arrivals.push(r));
      const child = spawnCli(['run', 'hang', 'slow', '--retries', '0', '-o', join(home, 'out.json')], { home });
      await arrived;
      child.proc.kill(signal);
      const r = await endWithin(child, 3000);
      expectCancelled(r);
      expect(r.stdout).toBe('');
      expect(files(home)).toEqual(files(template));
    }, 10_000);
  }
});

describe('Ctrl-C while signing in', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal} during the browser sign-in wait: exit 3, no connection record, no secret, no temp file`, async () => {
      const home = freshHome();
      const child = spawnCli(['--secret-store', 'vault', 'connection', 'create', 'oauthtest', '--flow', 'browser', '--no-input'], { home, env: VAULT });
      await child.waitForStderr(/Open this URL in a browser to sign in[^\n]*\n\s+http:\/\/127\.0\.0\.1:\d+\/auth\?\S+\n/);
      const before = child.stderr;
      child.proc.kill(signal);
      const r = await endWithin(child, 3000);
      expectCancelled(r, before);
      expect(files(home)).toEqual(files(template)); // no connections.json, vault.json, lock or *.tmp
    }, 10_000);
  }

  it('during the device-flow poll (the provider answers authorization_pending): exit 3, nothing saved', async () => {
    const home = freshHome();
    const grants = op.grants.length;
    const child = spawnCli(
      [
        '--secret-store',
        'vault',
        'connection',
        'create',
        'oauthtest',
        '--provider',
        op.issuer,
        '--flow',
        'device',
        '--client-id',
        CLIENTS.native,
        '--no-input',
      ],
      { home, env: VAULT },
    );
    await child.waitForStderr(/Waiting for the sign-in[^\n]*\n/);
    // Signal once the provider has answered a poll with authorization_pending (the first comes after its 5 s interval).
    const pending = { type: 'urn:ietf:params:oauth:grant-type:device_code', ok: false };
    await until(() => op.grants.slice(grants).some((g) => g.type === pending.type && !g.ok), 10_000);
    const before = child.stderr;
    child.proc.kill('SIGINT');
    const r = await endWithin(child, 3000);
    expectCancelled(r, before);
    expect(files(home)).toEqual(files(template));
    expect(op.grants.slice(grants).filter((g) => g.ok)).toEqual([]);
  }, 15_000);
});
