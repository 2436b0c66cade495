// Issue 15, finding 10 (first two parts), against a real oidc-provider:
// - one callback with a wrong state ended the sign-in (exit 4), and the real callback that followed
//   found nothing listening: it is now refused with an error page while the sign-in keeps waiting;
// - the missing test for a redirect_uri mismatch, at the authorization and at the token endpoint.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { tempHome } from '../helpers/cli.js';
import { MemoryStore } from '../../src/secrets/store.js';
import { buildAuthorizationUrl } from '../../src/oauth/authorize.js';
import { startLoopback } from '../../src/oauth/loopback.js';
import { createPkce, createState } from '../../src/oauth/pkce.js';
import { discover, type ResolvedProvider } from '../../src/oauth/providers.js';
import { exchangeCode } from '../../src/oauth/token.js';
import { HttpClient } from '../../src/http/client.js';
import { AuthError } from '../../src/errors.js';
import { browse } from '../oauth/helpers/browser.js';
import { CLIENTS, startProvider, type TestProvider } from '../oauth/helpers/provider.js';
import { runLive, startResourceApi, writeConnector, type ResourceApi } from '../oauth-cli/helpers.js';

let op: TestProvider;
let api: ResourceApi;
let provider: ResolvedProvider;
const http = new HttpClient({ env: {} });

beforeAll(async () => {
  op = await startProvider();
  api = await startResourceApi(op.issuer);
  provider = await discover(op.issuer, { fetch: http.fetch, scopes: ['openid'] });
});
afterAll(async () => {
  await http.close();
  await api?.close();
  await op?.close();
});

describe('a callback with the wrong state', () => {
  it('connection create: a forged callback first is refused with a page and a warning; the real one signs in (exit 0)', async () => {
    const home = tempHome('connector-oauth-state-');
    const store = new MemoryStore();
    const cli = (args: string[], onStderr?: (s: string) => void) => runLive(args, { home, onStderr, overrides: { secrets: async () => store } });
    expect((await cli(['import', writeConnector(join(home, 'src', 'c'), op.issuer, api.host), '--name', 'oauthtest'])).code).toBe(0);
    let real: string | undefined;
    let pages: Promise<[{ status: number; body: string }, Response]> | undefined;
    const r = await cli(['connection', 'create', 'oauthtest', '--flow', 'browser', '--no-input'], (all) => {
      const m = /(http:\/\/127\.0\.0\.1:\d+\/auth\?\S+)/.exec(all);
      if (m && !pages) {
        const forged = browse(m[1], { rewrite: (u) => (u.includes('/callback?') ? ((real = u), u.replace(/state=[^&]+/, 'state=forged')) : u) });
        pages = forged.then(async (f) => [f, await fetch(real!)]);
      }
    });
    const [forged, ok] = await pages!;
    expect(forged.status).toBe(400);
    expect(forged.body).toContain('does not belong to the sign-in');
    expect(ok.status).toBe(200);
    expect(r.stderr).toMatch(/warning: refused a sign-in callback with the wrong state .*; still waiting/);
    expect(r.code, r.stderr).toBe(0);
    expect(store.items.get('oauthtest/default/oauth:tokens')).toBeTruthy();
  });
});

describe('redirect_uri mismatch', () => {
  it('the provider refuses an unregistered redirect_uri and never calls back; the sign-in times out (exit 4)', async () => {
    const state = createState();
    // The native client registers http://127.0.0.1/callback (any port, RFC 8252 §7.3); another path is not it.
    const lb = await startLoopback({ state, path: '/elsewhere', timeoutMs: 1500 });
    const url = buildAuthorizationUrl(provider, {
      clientId: CLIENTS.native,
      redirectUri: lb.redirectUri,
      state,
      codeChallenge: (await createPkce()).challenge,
      scope: 'openid',
    });
    const page = await browse(url);
    expect(page.status).toBe(400);
    expect(page.body).toMatch(/redirect_uri/);
    expect(page.url).not.toContain('/elsewhere');
    const err = await lb.result.catch((e) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect(err.exitCode).toBe(4);
    expect(err.message).toMatch(/timed out/);
  });

  it('the token endpoint refuses a code exchanged with another redirect_uri than it was issued for (exit 4)', async () => {
    const pkce = await createPkce();
    const state = createState();
    const lb = await startLoopback({ state });
    const url = buildAuthorizationUrl(provider, {
      clientId: CLIENTS.native,
      redirectUri: lb.redirectUri,
      state,
      codeChallenge: pkce.challenge,
      scope: 'openid',
    });
    const page = browse(url);
    const { code } = await lb.result;
    await page;
    const other = `http://127.0.0.1:${lb.port + 1 > 65535 ? lb.port - 1 : lb.port + 1}/callback`;
    const err = await exchangeCode(
      { tokenUrl: provider.tokenUrl, code, redirectUri: other, codeVerifier: pkce.verifier, client: { clientId: CLIENTS.native } },
      { fetch: http.fetch },
    ).catch((e) => e);
    expect(err).toMatchObject({ code: 'invalid_grant', exitCode: 4 });
  });
});
