import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { cliEnv, tempHome } from '../helpers/cli.js';
import { MemoryStore } from '../../src/secrets/store.js';
import { CLIENTS, clientCredentialsFlags, startProvider, type TestProvider } from '../oauth/helpers/provider.js';
import { runLive, startResourceApi, writeConnector, type ResourceApi } from '../oauth-cli/helpers.js';

/**
 * Parallel steps of one suite that all start with the same expired OAuth token: the real
 * oidc-provider issues 2-second client-credentials tokens, the token has expired before the run
 * starts, and `--concurrency 8` sends eight steps at once. Between them they renew it once (more
 * only when the run itself outlasts a token's life), and no step is sent with the expired token.
 */
const TTL_S = 2;
/**
 * The most renewals `ms` of running can need: one for the expired token, then one per token life.
 * A life seen by the client is at least TTL - 1 s (it counts from the whole second it got the token)
 * less the 10 % renewal margin: 0.8 s for a 2 s token. A slow machine may so need more, never one per step.
 */
const maxRenewals = (ms: number) => 1 + Math.floor(ms / ((TTL_S - 1) * 1000 - TTL_S * 100));
let op: TestProvider;
let api: ResourceApi;
beforeAll(async () => {
  op = await startProvider({ ttl: { ClientCredentials: TTL_S } });
  api = await startResourceApi(op.issuer);
});
afterAll(async () => {
  await api?.close();
  await op?.close();
});

describe('connector test --concurrency 8 with an expired OAuth token', () => {
  it('renews it once between the parallel steps, and every step passes', async () => {
    const home = tempHome('connector-smoke-oauth-par-');
    const store = new MemoryStore();
    const cli = (args: string[], env: NodeJS.ProcessEnv = {}) =>
      runLive(args, { home, env: { CI: 'true', ...env }, overrides: { secrets: async () => store } });
    const dir = writeConnector(join(home, 'src', 'oauthtest'), op.issuer, api.host);
    expect((await cli(['import', dir, '--name', 'oauthtest'])).code).toBe(0);
    const create = await cli(['connection', 'create', 'oauthtest', '--name', 'ci', ...clientCredentialsFlags(op.issuer), '--no-input'], {
      CC_SECRET: CLIENTS.secret,
    });
    expect(create.code, create.stderr).toBe(0);
    const stored = JSON.parse((await store.get('oauthtest/ci/oauth:tokens'))!) as { access_token: string; expires_at: number };
    // Wait until the stored token has really expired at the provider too.
    await new Promise((r) => setTimeout(r, Math.max(0, stored.expires_at * 1000 - Date.now()) + 150));

    const steps = Array.from(
      { length: 32 },
      (_, i) => `  - operation: GetMe\n    id: me-${i}\n    expect: { json: [{ path: $.client_id, equals: ${CLIENTS.secretPost} }] }\n`,
    );
    const suite = join(home, 'parallel.suite.yaml');
    writeFileSync(suite, `connector: oauthtest\nconnection: ci\nsteps:\n${steps.join('')}`);
    const grantsBefore = op.grants.length;
    const callsBefore = api.calls.length;
    const started = Date.now();
    const r = await cli(['test', suite, '--concurrency', '8', '--reporter', 'json']);
    const elapsed = Date.now() - started;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.trim().split('\n').at(-1)).toBe('32 passed, 0 failed');

    const renewals = op.grants.slice(grantsBefore).filter((g) => g.type === 'client_credentials');
    expect(renewals.every((g) => g.ok)).toBe(true);
    // On a machine fast enough to run the suite within 0.8 s, exactly one.
    expect(renewals.length).toBeGreaterThanOrEqual(1);
    expect(renewals.length).toBeLessThanOrEqual(maxRenewals(elapsed));
    const calls = api.calls.slice(callsBefore);
    // No step was sent with the expired token (that would show as a 401 and a retry).
    expect(calls.map((c) => c.status)).toEqual(Array(32).fill(200));
    expect(calls.some((c) => c.token === stored.access_token)).toBe(false);
    expect(new Set(calls.map((c) => c.token)).size).toBe(renewals.length);
  }, 30_000);
});

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'connector.js');
const BUILT = existsSync(join(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.cjs'));
if (!BUILT) console.warn('skipping the README CI job test: dist/ is not built (npm test builds it)');

/** A forwarder to the resource API that holds each answer back `ms`, so each 8-step shard of the suite outlives a 2 s token. */
async function slowly(host: string, ms: number): Promise<{ host: string; close(): Promise<void> }> {
  const [hostname, port] = host.split(':');
  const server: Server = createServer((req, res) => {
    // The API sees (and checks) the token at once; only its answer is held back.
    const up = request({ hostname, port: Number(port), path: req.url, method: req.method, headers: req.headers }, (r) => {
      setTimeout(() => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      }, ms);
    });
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    host: `127.0.0.1:${(server.address() as { port: number }).port}`,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

/**
 * The README's GitHub Actions job ("Smoke-testing connectors in CI"), its commands run as a CI
 * runner would: separate processes of the built CLI, a fresh CONNECTOR_HOME, CI=true, no stdin,
 * the vault, and the client id and secret only in the environment. The token (2 s) expires during
 * the test command; the JUnit it writes is read back with fast-xml-parser.
 */
describe.skipIf(!BUILT)('the README CI job: import, connection create --no-input, test --reporter junit=file', () => {
  it("passes every step of every shard with a token that expires mid-run, and the shards' JUnit covers each step once", async () => {
    const slow = await slowly(api.host, 400);
    try {
      const work = tempHome('connector-ci-job-');
      mkdirSync(join(work, 'connectors', 'notes'), { recursive: true });
      mkdirSync(join(work, 'suites'));
      writeFileSync(
        join(work, 'connectors', 'notes', 'apiDefinition.swagger.json'),
        JSON.stringify({
          swagger: '2.0',
          info: { title: 'Notes for CI', version: '1.0' },
          host: slow.host,
          basePath: '/',
          schemes: ['http'],
          produces: ['application/json'],
          securityDefinitions: { oauth2_auth: { type: 'oauth2', flow: 'application', tokenUrl: `${op.issuer}/token`, scopes: { 'api:read': 'read' } } },
          security: [{ oauth2_auth: ['api:read'] }],
          paths: {
            '/me': {
              get: {
                operationId: 'GetMe',
                responses: { 200: { description: 'ok', schema: { type: 'object', required: ['client_id'], properties: { client_id: { type: 'string' } } } } },
              },
            },
          },
        }),
      );
      const ids = Array.from({ length: 16 }, (_, i) => `me-${i}`);
      writeFileSync(
        join(work, 'suites', 'notes.yaml'),
        `connector: notes\nsteps:\n${ids.map((id) => `  - { operation: GetMe, id: ${id}, expect: { status: 200, schema: response } }\n`).join('')}`,
      );
      const secrets = { CLIENT_ID: CLIENTS.secretPost, CLIENT_SECRET: CLIENTS.secret, CONNECTOR_VAULT_PASSPHRASE: 'from-the-ci-secrets' };
      const sh = (args: string[], home: string) =>
        new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
          const env = cliEnv(home, { CI: 'true', CONNECTOR_SECRET_STORE: 'vault', ...secrets });
          const child = execFile(process.execPath, [BIN, ...args], { cwd: work, env, timeout: 30_000 }, (e, stdout, stderr) =>
            resolve({ code: e ? Number((e as { code?: number }).code ?? 1) : 0, stdout, stderr }),
          );
          child.stdin?.end(); // no stdin, as on a runner
        });
      const junits: string[] = [];
      for (const shard of [1, 2]) {
        const home = tempHome('connector-ci-runner-'); // each matrix job is a fresh runner
        const imported = await sh(['import', './connectors/notes', '--name', 'notes'], home);
        expect(imported.code, imported.stderr).toBe(0);
        const create = await sh(
          [
            'connection',
            'create',
            'notes',
            '--name',
            'ci',
            '--flow',
            'client-credentials',
            '--client-id',
            CLIENTS.secretPost,
            '--client-secret-env',
            'CLIENT_SECRET',
            '--no-input',
          ],
          home,
        );
        expect(create.code, create.stderr).toBe(0);
        const issued = Date.now();
        const before = op.grants.length;
        const junit = join(work, `junit-${shard}.xml`);
        const r = await sh(['test', 'suites/notes.yaml', '-c', 'ci', '--shard', `${shard}/2`, '--reporter', 'pretty', '--reporter', `junit=${junit}`], home);
        const elapsed = Date.now() - issued;
        expect(r.code, r.stderr).toBe(0);
        expect(r.stderr).toMatch(/^\d+ passed, 0 failed$/m);
        expect(`${r.stdout}${r.stderr}`).not.toContain(CLIENTS.secret);
        const renewals = op.grants.slice(before).filter((g) => g.type === 'client_credentials');
        // The run outlived the token, so it renewed it; at most once per token life.
        expect(elapsed).toBeGreaterThan(TTL_S * 1000);
        expect(renewals.length).toBeGreaterThanOrEqual(1);
        expect(renewals.length).toBeLessThanOrEqual(maxRenewals(elapsed));
        junits.push(readFileSync(junit, 'utf8'));
      }
      const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (n) => n === 'testcase' || n === 'testsuite' });
      const cases = junits.flatMap((x) =>
        (parser.parse(x).testsuites.testsuite as { testcase: { classname: string; name: string; failure?: unknown }[] }[]).flatMap((t) => t.testcase),
      );
      expect(cases.map((c) => c.name).sort()).toEqual([...ids].sort());
      expect(cases.every((c) => c.classname === 'notes' && c.failure === undefined)).toBe(true);
      expect(junits.join('')).not.toContain(CLIENTS.secret);
    } finally {
      await slow.close();
    }
  }, 60_000);
});
