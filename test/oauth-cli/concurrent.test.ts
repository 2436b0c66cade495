import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { cliEnv, tempHome } from '../helpers/cli.js';
import { browse } from '../oauth/helpers/browser.js';
import { startProvider, type TestProvider } from '../oauth/helpers/provider.js';
import { VaultStore } from '../../src/secrets/vault.js';
import type { TokenSet } from '../../src/oauth/tokens.js';
import { runLive, startResourceApi, writeConnector, type ResourceApi } from './helpers.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'connector.js');
const BUILT = existsSync(join(import.meta.dirname, '..', '..', 'dist', 'main.js'));
if (!BUILT) console.warn('skipping the 5-process refresh test: dist/ is not built (npm test builds it)');

let op: TestProvider;
let api: ResourceApi;
beforeAll(async () => {
  op = await startProvider();
  api = await startResourceApi(op.issuer);
});
afterAll(async () => {
  await api?.close();
  await op?.close();
});

describe.skipIf(!BUILT)('five connector processes with an expired token', () => {
  it('make exactly one refresh request between them, and all succeed', async () => {
    const home = tempHome('connector-oauth-5p-');
    const env = { CONNECTOR_HOME: home, CONNECTOR_SECRET_STORE: 'vault', CONNECTOR_VAULT_PASSPHRASE: 'five-procs', NO_COLOR: '1' };
    const dir = writeConnector(join(home, 'src', 'oauthtest'), op.issuer, api.host);
    expect((await runLive(['import', dir, '--name', 'oauthtest'], { home, env })).code).toBe(0);
    let page: Promise<unknown> | undefined;
    const created = await runLive(['connection', 'create', 'oauthtest', '--flow', 'browser'], {
      home,
      env,
      onStderr: (all) => {
        const m = /(http:\/\/127\.0\.0\.1:\d+\/auth\?\S+)/.exec(all);
        if (m && !page) page = browse(m[1]);
      },
    });
    await page;
    expect(created.code, created.stderr).toBe(0);

    // Age the stored token set so that every process wants a refresh.
    const vault = new VaultStore(home, async () => env.CONNECTOR_VAULT_PASSPHRASE);
    const account = 'oauthtest/default/oauth:tokens';
    const tokens = JSON.parse((await vault.get(account))!) as TokenSet;
    await vault.set(account, JSON.stringify({ ...tokens, expires_at: Math.floor(Date.now() / 1000) - 10 }));

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
    expect(op.grants.slice(grantsBefore)).toEqual([{ type: 'refresh_token', ok: true }]);
    const after = JSON.parse((await vault.get(account))!) as TokenSet;
    expect(after.refresh_token).not.toBe(tokens.refresh_token);
  }, 60_000);
});
