import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempHome } from '../helpers/cli.js';
import { MemoryStore } from '../../src/secrets/store.js';
import { CLIENTS, startProvider, type TestProvider } from '../oauth/helpers/provider.js';
import { runLive, startResourceApi, writeConnector, type ResourceApi } from '../oauth-cli/helpers.js';

/**
 * Parallel steps of one suite that all start with the same expired OAuth token: the real
 * oidc-provider issues 2-second client-credentials tokens, the token has expired before the run
 * starts, and `--concurrency 8` sends eight steps at once. Between them they renew it once (more
 * only when the run itself outlasts a token's life), and no step is sent with the expired token.
 */
const TTL_S = 2;
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
    const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => runLive(args, { home, env: { CI: 'true', ...env }, overrides: { secrets: async () => store } });
    const dir = writeConnector(join(home, 'src', 'oauthtest'), op.issuer, api.host);
    expect((await cli(['import', dir, '--name', 'oauthtest'])).code).toBe(0);
    const create = await cli(
      [
        'connection',
        'create',
        'oauthtest',
        '--name',
        'ci',
        '--provider',
        op.issuer,
        '--flow',
        'client-credentials',
        '--client-id',
        CLIENTS.secretPost,
        '--client-secret-env',
        'CC_SECRET',
        '--scope',
        'api:read',
        '--no-input',
      ],
      { CC_SECRET: CLIENTS.secret },
    );
    expect(create.code, create.stderr).toBe(0);
    const stored = JSON.parse((await store.get('oauthtest/ci/oauth:tokens'))!) as { access_token: string; expires_at: number };
    // Wait until the stored token has really expired at the provider too.
    await new Promise((r) => setTimeout(r, Math.max(0, stored.expires_at * 1000 - Date.now()) + 150));

    const steps = Array.from({ length: 32 }, (_, i) => `  - operation: GetMe\n    id: me-${i}\n    expect: { json: [{ path: $.client_id, equals: ${CLIENTS.secretPost} }] }\n`);
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
    // One renewal for the expired token, plus at most one per token lifetime (less its 10 % renewal
    // margin) that the run itself lasted: a slow machine may legitimately need more, never one per step.
    expect(renewals.length).toBeGreaterThanOrEqual(1);
    expect(renewals.length).toBeLessThanOrEqual(1 + Math.floor(elapsed / (TTL_S * 900)));
    const calls = api.calls.slice(callsBefore);
    // No step was sent with the expired token (that would show as a 401 and a retry).
    expect(calls.map((c) => c.status)).toEqual(Array(32).fill(200));
    expect(calls.some((c) => c.token === stored.access_token)).toBe(false);
    expect(new Set(calls.map((c) => c.token)).size).toBe(renewals.length);
  }, 30_000);
});
