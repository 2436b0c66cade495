import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempHome } from '../helpers/cli.js';
import { MemoryStore } from '../../src/secrets/store.js';
import type { TokenSet } from '../../src/oauth/tokens.js';
import { browse } from '../oauth/helpers/browser.js';
import { CERT_FILE, CLIENTS, clientCredentialsFlags, startProvider, type TestProvider } from '../oauth/helpers/provider.js';
import { discover } from '../../src/oauth/providers.js';
import { pickFlow } from '../../src/auth/oauth2/provider.js';
import { systemBrowser } from '../../src/io/browser.js';
import { HttpClient, type WireRequest } from '../../src/http/client.js';
import type { Context } from '../../src/context.js';
import { allFiles, runLive, startResourceApi, writeConnector, type LiveResult, type ResourceApi } from './helpers.js';

let op: TestProvider;
let api: ResourceApi;
let home: string;
let store: MemoryStore;
/** Every token any test saw: none may appear in a file or in output (but `token`'s stdout). */
const seen = new Set<string>();
const outputs: LiveResult[] = [];

beforeAll(async () => {
  op = await startProvider();
  api = await startResourceApi(op.issuer);
});
afterAll(async () => {
  await api?.close();
  await op?.close();
});

beforeEach(async () => {
  home = tempHome('connector-oauth-cli-');
  store = new MemoryStore();
  const dir = writeConnector(join(home, 'src', 'oauthtest'), op.issuer, api.host);
  const r = await cli(['import', dir, '--name', 'oauthtest']);
  expect(r.code, r.stderr).toBe(0);
});

/** The CLI with the test's MemoryStore; output is kept for the secrecy check. */
async function cli(args: string[], o: { env?: NodeJS.ProcessEnv; onStderr?: (s: string) => void; keep?: boolean } = {}) {
  const r = await runLive(args, { home, env: o.env, onStderr: o.onStderr, overrides: { secrets: async () => store } });
  if (o.keep !== false) outputs.push(r);
  return r;
}

/** Run a command that prints a sign-in URL; the scripted browser signs in through the provider's pages. */
async function withBrowser(args: string[]) {
  let page: Promise<{ status: number; body: string }> | undefined;
  const r = await cli(args, {
    onStderr: (all) => {
      const m = /(http:\/\/127\.0\.0\.1:\d+\/auth\?\S+)/.exec(all);
      if (m && !page) page = browse(m[1]);
    },
  });
  return { r, page: await page };
}

function tokens(address = 'oauthtest/default'): TokenSet {
  const raw = store.items.get(`${address}/oauth:tokens`);
  expect(raw, `no tokens stored for ${address}`).toBeTruthy();
  const t = JSON.parse(raw!) as TokenSet;
  seen.add(t.access_token);
  if (t.refresh_token) seen.add(t.refresh_token);
  return t;
}

function assertNoTokenLeak() {
  const files = allFiles(home).map((f) => readFileSync(f, 'utf8'));
  for (const t of seen) {
    for (const f of files) expect(f.includes(t), 'a token was written to a file under the home').toBe(false);
    for (const r of outputs) expect((r.stdout + r.stderr).includes(t), 'a token reached stdout/stderr').toBe(false);
  }
}

describe('connection create with --flow browser (code + PKCE on a loopback redirect)', () => {
  it('signs in, verifies, stores tokens in the secret store only; run, list, show and token work', async () => {
    const { r, page } = await withBrowser(['connection', 'create', 'oauthtest', '--flow', 'browser', '--no-input']);
    expect(r.code, r.stderr).toBe(0);
    expect(page?.status).toBe(200);
    expect(page?.body).toContain('You can close this window');
    expect(r.stderr).toMatch(/Open this URL in a browser to sign in/);
    expect(r.stderr).toContain('Verified: GetMe answered HTTP 200');
    const t = tokens();
    expect(t.refresh_token).toBeTruthy();
    expect(t.expires_at).toBeGreaterThan(Date.now() / 1000);

    const run = await cli(['run', 'oauthtest', 'GetMe']);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ sub: 'alice', client_id: CLIENTS.native });

    const list = await cli(['connection', 'list']);
    expect(list.stdout).toMatch(
      /oauthtest\/default\s+oauth2\s+yes\s+tokens → memory\s+expires in \d+ min, refreshable, scopes: (openid offline_access|offline_access openid)/,
    );
    const show = await cli(['connection', 'show', 'oauthtest/default', '--json']);
    const shown = JSON.parse(show.stdout);
    expect(shown.signIn).toMatchObject({
      provider: 'oauth2',
      clientId: CLIENTS.native,
      flow: 'browser',
      signedIn: true,
      refreshable: true,
      credential: 'public client',
    });
    expect(shown.signIn.scope.split(' ').sort()).toEqual(['offline_access', 'openid']);
    expect(shown.parameters).toEqual([]);

    const tok = await cli(['connection', 'token', 'oauthtest/default'], { keep: false });
    expect(tok.code).toBe(0);
    expect(tok.stdout.trim()).toBe(t.access_token);
    expect(tok.stderr).toBe('');
    assertNoTokenLeak();
  });

  it('refreshes when the API rejects an expired access token mid-run, and saves the rotated refresh token', async () => {
    expect((await withBrowser(['connection', 'create', 'oauthtest', '--flow', 'browser'])).r.code).toBe(0);
    const before = tokens();
    await op.expireAccessToken(before.access_token);
    const grants = op.grants.length;
    const run = await cli(['run', 'oauthtest', 'GetMe']);
    expect(run.code, run.stderr).toBe(0);
    expect(api.calls.slice(-2).map((c) => c.status)).toEqual([401, 200]);
    expect(op.grants.slice(grants)).toEqual([{ type: 'refresh_token', ok: true }]);
    const after = tokens();
    expect(after.access_token).not.toBe(before.access_token);
    expect(after.refresh_token).not.toBe(before.refresh_token);
    assertNoTokenLeak();
  });

  it('refreshes before the call when the stored token is within the 60 s skew of expiry', async () => {
    expect((await withBrowser(['connection', 'create', 'oauthtest', '--flow', 'browser'])).r.code).toBe(0);
    const before = tokens();
    store.items.set(
      'oauthtest/default/oauth:tokens',
      JSON.stringify({ ...before, issued_at: Math.floor(Date.now() / 1000) - 3570, expires_at: Math.floor(Date.now() / 1000) + 30 }),
    );
    const calls = api.calls.length;
    const run = await cli(['run', 'oauthtest', 'GetMe']);
    expect(run.code, run.stderr).toBe(0);
    expect(api.calls.slice(calls).map((c) => c.status)).toEqual([200]);
    expect(tokens().access_token).not.toBe(before.access_token);
    const list = JSON.parse((await cli(['connection', 'list', '--json'])).stdout);
    expect(Date.parse(list[0].oauth.token.expiresAt)).toBeGreaterThan(Date.now() + 30 * 60_000);
  });

  it('a revoked refresh token ends in exit 4 with the login hint; connection login repairs it', async () => {
    expect((await withBrowser(['connection', 'create', 'oauthtest', '--flow', 'browser'])).r.code).toBe(0);
    const t = tokens();
    const revoke = await fetch(`${op.issuer}/token/revocation`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: t.refresh_token!, token_type_hint: 'refresh_token', client_id: CLIENTS.native }).toString(),
    });
    expect(revoke.status).toBe(200);
    store.items.set('oauthtest/default/oauth:tokens', JSON.stringify({ ...t, expires_at: 1 }));
    const run = await cli(['run', 'oauthtest', 'GetMe']);
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/invalid_grant/);
    expect(run.stderr).toContain('run: connector connection login oauthtest/default');

    const { r } = await withBrowser(['connection', 'login', 'oauthtest/default', '--flow', 'browser']);
    expect(r.code, r.stderr).toBe(0);
    expect(tokens().access_token).not.toBe(t.access_token);
    expect((await cli(['run', 'oauthtest', 'GetMe'])).code).toBe(0);
    assertNoTokenLeak();
  });

  it('exits 5 naming --client-id when the connector has none and prompting is impossible', async () => {
    const dir = writeConnector(join(home, 'src', 'noid'), op.issuer, api.host, (p) => delete p.properties.connectionParameters.token.oAuthSettings.clientId);
    expect((await cli(['import', dir, '--name', 'noid'])).code).toBe(0);
    const r = await cli(['connection', 'create', 'noid', '--flow', 'browser', '--no-input']);
    expect(r.code).toBe(5);
    expect(r.stderr).toContain('--client-id');
    expect(store.items.size).toBe(0);
  });
});

describe('sign-in through the Context', () => {
  it('opens the sign-in URL with ctx.browser (the seam is the browser that signs in)', async () => {
    let page: Promise<{ status: number }> | undefined;
    const opened: string[] = [];
    const browser = {
      available: () => true,
      open: async (url: string) => {
        opened.push(url);
        page = browse(url);
      },
    };
    const r = await runLive(['connection', 'create', 'oauthtest', '--flow', 'browser', '--no-input'], {
      home,
      overrides: { secrets: async () => store, browser },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(opened).toHaveLength(1);
    expect(r.stderr).toContain(opened[0]);
    expect((await page)?.status).toBe(200);
    tokens();
  });

  it('a browser that cannot be opened is not asked to (the URL is still printed)', async () => {
    let page: Promise<unknown> | undefined;
    const browser = { available: () => false, open: async () => expect.fail('open() called without a browser') };
    const r = await runLive(['connection', 'create', 'oauthtest', '--flow', 'browser', '--no-input'], {
      home,
      overrides: { secrets: async () => store, browser },
      onStderr: (all) => {
        const m = /(http:\/\/127\.0\.0\.1:\d+\/auth\?\S+)/.exec(all);
        if (m && !page) page = browse(m[1]);
      },
    });
    await page;
    expect(r.code, r.stderr).toBe(0);
  });

  it('discovery, token, renewal and revocation requests all go through ctx.http', async () => {
    const seenUrls: string[] = [];
    class Recording extends HttpClient {
      override request(wire: WireRequest) {
        seenUrls.push(new URL(wire.url).pathname);
        return super.request(wire);
      }
    }
    const http = new Recording({ env: {} });
    const o = { home, env: { CC_SECRET: CLIENTS.secret }, overrides: { secrets: async () => store, http } };
    const create = ['connection', 'create', 'oauthtest', '--name', 'ci', ...clientCredentialsFlags(op.issuer, []), '--no-input', '--no-verify'];
    expect((await runLive(create, o)).code).toBe(0);
    expect(seenUrls).toEqual(['/.well-known/openid-configuration', '/token']);
    const t = tokens('oauthtest/ci');
    store.items.set('oauthtest/ci/oauth:tokens', JSON.stringify({ ...t, expires_at: Math.floor(Date.now() / 1000) - 10 }));
    expect((await runLive(['connection', 'token', 'oauthtest/ci'], o)).code).toBe(0);
    expect(seenUrls.slice(2)).toEqual(['/token']);
    expect((await runLive(['connection', 'logout', 'oauthtest/ci'], o)).code).toBe(0);
    expect(seenUrls.slice(3)).toEqual(['/token/revocation']);
    await http.close();
  });

  it('ctx.signal (Ctrl-C) ends the wait for the browser: exit 3, nothing saved', async () => {
    const ac = new AbortController();
    const r = await runLive(['connection', 'create', 'oauthtest', '--flow', 'browser', '--no-input'], {
      home,
      overrides: { secrets: async () => store, signal: ac.signal },
      onStderr: (all) => {
        if (/127\.0\.0\.1:\d+\/auth\?/.test(all)) ac.abort();
      },
    });
    expect(r.code, r.stderr).toBe(3);
    expect(store.items.size).toBe(0);
    expect((await cli(['connection', 'list', '--json'])).stdout.trim()).toBe('[]');
  });

  it("ctx.signal ends the device flow's polling (ctx.clock.sleep): exit 3", async () => {
    const ac = new AbortController();
    const r = await runLive(['connection', 'create', 'oauthtest', '--flow', 'device', '--provider', op.issuer, '--client-id', CLIENTS.native, '--no-input'], {
      home,
      overrides: { secrets: async () => store, signal: ac.signal },
      onStderr: (all) => {
        if (all.includes('enter the code')) ac.abort();
      },
    });
    expect(r.code, r.stderr).toBe(3);
    expect(store.items.size).toBe(0);
  });
});

describe('connection create with --flow device and --provider <issuer>', () => {
  it('shows the code, signs in, runs; logout revokes at the provider and deletes the tokens', async () => {
    let approved: Promise<unknown> | undefined;
    const r = await cli(
      [
        'connection',
        'create',
        'oauthtest',
        '--provider',
        op.issuer,
        '--flow',
        'device',
        '--client-id',
        CLIENTS.native,
        '--scope',
        'openid',
        '--scope',
        'offline_access',
        '--no-input',
      ],
      {
        onStderr: (all) => {
          const m = /open (\S+) and enter the code: (\S+)/.exec(all);
          if (m && !approved) approved = browse(m[1], { userCode: m[2] });
        },
      },
    );
    expect(r.code, r.stderr).toBe(0);
    await approved;
    expect(r.stderr).toContain(`open ${op.issuer}/device and enter the code:`);
    const t = tokens();
    expect((await cli(['run', 'oauthtest', 'GetMe'])).code).toBe(0);

    const out = await cli(['connection', 'logout', 'oauthtest/default']);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stderr).toContain('tokens revoked at the provider and deleted');
    expect(store.items.has('oauthtest/default/oauth:tokens')).toBe(false);
    // Revoked server-side: the access token no longer works anywhere.
    const direct = await fetch(`http://${api.host}/me`, { headers: { authorization: `Bearer ${t.access_token}` } });
    expect(direct.status).toBe(401);
    const run = await cli(['run', 'oauthtest', 'GetMe']);
    expect(run.code).toBe(4);
    expect(run.stderr).toContain('run: connector connection login oauthtest/default');
    expect((await cli(['connection', 'list'])).stdout).toContain('signed out');
    assertNoTokenLeak();
  }, 20_000);
});

describe('connection create with --flow client-credentials', () => {
  const ccArgs = [
    'connection',
    'create',
    'oauthtest',
    '--name',
    'ci',
    '--provider',
    '',
    '--flow',
    'client-credentials',
    '--client-id',
    CLIENTS.secretPost,
    '--client-secret-env',
    'CC_SECRET',
    '--scope',
    'api:read',
    '--no-input',
  ];
  const args = () => ccArgs.map((a) => (a === '' ? op.issuer : a));

  it('takes the secret from the environment, keeps it out of the registry, and renews on 401', async () => {
    const r = await cli(args(), { env: { CC_SECRET: CLIENTS.secret } });
    expect(r.code, r.stderr).toBe(0);
    expect(store.items.get('oauthtest/ci/oauth:client_secret')).toBe(CLIENTS.secret);
    const t = tokens('oauthtest/ci');
    expect(t.refresh_token).toBeUndefined();
    const run = await cli(['run', 'oauthtest', 'GetMe', '-c', 'ci']);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ client_id: CLIENTS.secretPost, scope: 'api:read' });
    // Client-credentials tokens are a separate model in oidc-provider: kill this one by revoking it.
    const revoked = await fetch(`${op.issuer}/token/revocation`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: t.access_token, client_id: CLIENTS.secretPost, client_secret: CLIENTS.secret }).toString(),
    });
    expect(revoked.status).toBe(200);
    const grants = op.grants.length;
    const calls = api.calls.length;
    expect((await cli(['run', 'oauthtest', 'GetMe', '-c', 'ci'])).code).toBe(0);
    expect(api.calls.slice(calls).map((c) => c.status)).toEqual([401, 200]);
    expect(op.grants.slice(grants)).toEqual([{ type: 'client_credentials', ok: true }]);
    tokens('oauthtest/ci');
    seen.add(CLIENTS.secret);
    assertNoTokenLeak();
    seen.delete(CLIENTS.secret);
  });

  it('a run reads only the token set while it is fresh, and the client secret only to renew (each keychain read costs ~10 ms)', async () => {
    expect((await cli(args(), { env: { CC_SECRET: CLIENTS.secret } })).code).toBe(0);
    const reads: string[] = [];
    const get = store.get.bind(store);
    store.get = async (account: string) => (reads.push(account), get(account));
    const fresh = await cli(['run', 'oauthtest', 'GetMe', '-c', 'ci']);
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(reads).toEqual(['oauthtest/ci/oauth:tokens']);
    const t = tokens('oauthtest/ci');
    store.items.set('oauthtest/ci/oauth:tokens', JSON.stringify({ ...t, expires_at: Math.floor(Date.now() / 1000) - 5 }));
    reads.length = 0;
    const renewed = await cli(['run', 'oauthtest', 'GetMe', '-c', 'ci']);
    expect(renewed.code, renewed.stderr).toBe(0);
    // first look, again under the lock (another process may have renewed), then the client secret
    expect(reads).toEqual(['oauthtest/ci/oauth:tokens', 'oauthtest/ci/oauth:tokens', 'oauthtest/ci/oauth:client_secret']);
    expect(tokens('oauthtest/ci').access_token).not.toBe(t.access_token);
  });

  it('works with the encrypted vault across separate invocations, and the env token overrides it', async () => {
    const env = { CC_SECRET: CLIENTS.secret, CONNECTOR_VAULT_PASSPHRASE: 'test-vault-passphrase', CONNECTOR_SECRET_STORE: 'vault' };
    const plain = (a: string[], extra: NodeJS.ProcessEnv = {}) => runLive(a, { home, env: { ...env, ...extra } });
    const r = await plain(args());
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('encrypted file vault');
    const tok = await plain(['connection', 'token', 'oauthtest/ci']);
    expect(tok.code).toBe(0);
    const access = tok.stdout.trim();
    expect(access.length).toBeGreaterThan(10);
    const vault = readFileSync(join(home, 'vault.json'), 'utf8');
    expect(vault).not.toContain(access);
    expect(vault).not.toContain(CLIENTS.secret);
    const run = await plain(['run', 'oauthtest', 'GetMe', '-c', 'ci']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout + run.stderr).not.toContain(access);

    // CI: CONNECTOR_<K>_<C>_ACCESS_TOKEN beats the stored token (a bogus one is refused by the API: 401 → exit 4 under --fail default).
    const bogus = await plain(['run', 'oauthtest', 'GetMe', '-c', 'ci'], { CONNECTOR_OAUTHTEST_CI_ACCESS_TOKEN: 'not-a-token' });
    expect(api.calls.at(-1)).toEqual({ token: 'not-a-token', status: 401 });
    expect(bogus.code).toBe(4);
  });
});

describe('client credentials with a certificate (private_key_jwt, as Entra ID aadcertificate)', () => {
  it('stores the certificate in the secret store and signs a client assertion on every renewal', async () => {
    const r = await cli([
      'connection',
      'create',
      'oauthtest',
      '--name',
      'cert',
      '--provider',
      op.issuer,
      '--flow',
      'client-credentials',
      '--client-id',
      CLIENTS.cert,
      '--certificate',
      CERT_FILE,
      '--scope',
      'api:read',
      '--no-input',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(store.items.get('oauthtest/cert/oauth:certificate')).toContain('PRIVATE KEY');
    const run = await cli(['run', 'oauthtest', 'GetMe', '-c', 'cert']);
    expect(JSON.parse(run.stdout)).toMatchObject({ client_id: CLIENTS.cert });
    const show = JSON.parse((await cli(['connection', 'show', 'oauthtest/cert', '--json'])).stdout);
    expect(show.signIn).toMatchObject({ credential: 'certificate', flow: 'client-credentials', refreshable: false });
    for (const f of allFiles(home)) expect(readFileSync(f, 'utf8')).not.toContain('PRIVATE KEY');
  });
});

describe('--flow auto', () => {
  const ctxWith = (env: NodeJS.ProcessEnv, tty: boolean) =>
    ({ io: { env, stdin: { isTTY: tty }, stderr: { isTTY: tty } }, browser: systemBrowser(env, 'linux') }) as unknown as Context;
  it('picks the device flow without a display or terminal, the browser with both', async () => {
    const http = new HttpClient({ env: {} });
    const p = await discover(op.issuer, { fetch: http.fetch }).finally(() => http.close());
    expect(await pickFlow(ctxWith({}, false), { ...p }, 'auto', { clientId: 'x' })).toBe('device');
    expect(await pickFlow(ctxWith({ DISPLAY: ':0' }, true), { ...p }, 'auto', { clientId: 'x' })).toBe('browser');
    expect(await pickFlow(ctxWith({ DISPLAY: ':0' }, false), { ...p }, 'auto', { clientId: 'x' })).toBe('device');
  });
});

describe('CONNECTOR_<K>_<C>_ACCESS_TOKEN without a stored connection', () => {
  it('runs with the environment token (CI) and `token` prints it', async () => {
    const cc = await fetch(`${op.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: CLIENTS.secretPost,
        client_secret: CLIENTS.secret,
        scope: 'api:read',
      }).toString(),
    });
    const { access_token } = (await cc.json()) as { access_token: string };
    const env = { CONNECTOR_OAUTHTEST_DEFAULT_ACCESS_TOKEN: access_token };
    const run = await cli(['run', 'oauthtest', 'GetMe'], { env, keep: false });
    expect(run.code, run.stderr).toBe(0);
    expect(api.calls.at(-1)).toEqual({ token: access_token, status: 200 });
    const tok = await cli(['connection', 'token', 'oauthtest/default'], { env, keep: false });
    expect(tok.stdout.trim()).toBe(access_token);
  });
});
