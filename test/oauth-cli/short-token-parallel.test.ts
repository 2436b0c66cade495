import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { cliEnv, tempHome } from '../helpers/cli.js';
import { CLIENTS, clientCredentialsFlags, startProvider, type TestProvider } from '../oauth/helpers/provider.js';
import { VaultStore } from '../../src/secrets/vault.js';
import type { TokenSet } from '../../src/oauth/tokens.js';
import { runLive, startResourceApi, writeConnector, type ResourceApi } from './helpers.js';

/**
 * Tokens that live less than the 60 s renewal margin (30 s client-credentials tokens here): with a
 * fixed margin every renewed token already looked stale, so each of five parallel `connector run`
 * processes renewed it again under the lock, five token requests for one expiry. The margin scales
 * to the token's life (src/oauth/tokens.ts isFresh): one request between them.
 */
const TTL_S = 30;
const BIN = join(import.meta.dirname, '..', '..', 'bin', 'connector.js');
const BUILT = existsSync(join(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.cjs'));
// Not a skip: a missing build would let the test pass without running (npm test builds first).
if (!BUILT) throw new Error('dist/cli is missing: run `npm run build` before these tests');

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

describe('five connector run processes on an expired token shorter-lived than the renewal margin', () => {
  it('make exactly one token request between them, and all succeed', async () => {
    const home = tempHome('connector-oauth-short-5p-');
    const env = { CONNECTOR_SECRET_STORE: 'vault', CONNECTOR_VAULT_PASSPHRASE: 'five-procs', CC_SECRET: CLIENTS.secret };
    const dir = writeConnector(join(home, 'src', 'oauthtest'), op.issuer, api.host);
    expect((await runLive(['import', dir, '--name', 'oauthtest'], { home, env })).code).toBe(0);
    const created = await runLive(['connection', 'create', 'oauthtest', ...clientCredentialsFlags(op.issuer), '--no-input'], { home, env });
    expect(created.code, created.stderr).toBe(0);

    // The stored token: a 30 s one, expired a second ago.
    const vault = new VaultStore(home, async () => env.CONNECTOR_VAULT_PASSPHRASE);
    const account = 'oauthtest/default/oauth:tokens';
    const tokens = JSON.parse((await vault.get(account))!) as TokenSet;
    const now = Math.floor(Date.now() / 1000);
    await vault.set(account, JSON.stringify({ ...tokens, issued_at: now - 1 - TTL_S, expires_at: now - 1 }));

    const grantsBefore = op.grants.length;
    const run = promisify(execFile);
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        run(process.execPath, [BIN, 'run', 'oauthtest', 'GetMe'], { env: cliEnv(home, env), timeout: 30_000 }).then(
          () => 0,
          (e: { code?: number; stderr?: string }) => ({ code: e.code, stderr: e.stderr }),
        ),
      ),
    );
    expect(results).toEqual([0, 0, 0, 0, 0]);
    expect(op.grants.slice(grantsBefore)).toEqual([{ type: 'client_credentials', ok: true }]);
    const after = JSON.parse((await vault.get(account))!) as TokenSet;
    expect(after.access_token).not.toBe(tokens.access_token);
    expect(after.expires_at! - after.issued_at!).toBeLessThanOrEqual(TTL_S);
  }, 60_000);
});
