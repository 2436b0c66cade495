import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { browserFlow } from '../../src/oauth/authorize.js';
import { discover, type ResolvedProvider } from '../../src/oauth/providers.js';
import { deviceFlow, type DevicePrompt } from '../../src/oauth/device.js';
import { clientCredentialsGrant, exchangeCode, OAuthError, refreshGrant } from '../../src/oauth/token.js';
import { loadCertificate } from '../../src/oauth/assertion.js';
import { startLoopback } from '../../src/oauth/loopback.js';
import { createPkce, createState } from '../../src/oauth/pkce.js';
import { buildAuthorizationUrl } from '../../src/oauth/authorize.js';
import { AuthError } from '../../src/errors.js';
import { browse } from './helpers/browser.js';
import { CERT_FILE, CLIENTS, EC_CERT_FILE, startProvider, type TestProvider } from './helpers/provider.js';
import { HttpClient } from '../../src/http/client.js';

let op: TestProvider;
let provider: ResolvedProvider;

beforeAll(async () => {
  op = await startProvider();
  provider = await discover(op.issuer, { fetch: http.fetch, scopes: ['openid', 'offline_access'] });
  // oidc-provider issues refresh tokens only for offline_access with prompt=consent.
  provider.authorizationParams = { prompt: 'consent' };
});
const http = new HttpClient({ env: {} });
afterAll(async () => {
  await http.close();
  await op?.close();
});

const native = { clientId: CLIENTS.native };

/** Run the loopback flow with the scripted browser; returns the tokens and the page the browser ended on. */
async function signIn(rewrite?: (u: string) => string) {
  let page: Promise<{ body: string; status: number; url: string }> | undefined;
  const tokens = await browserFlow({
    fetch: http.fetch,
    provider,
    client: native,
    onUrl: async (url) => {
      // The listener is bound before the browser opens: its port already answers (404 off the callback path).
      const redirect = new URL(new URL(url).searchParams.get('redirect_uri')!);
      expect((await fetch(`${redirect.origin}/`)).status).toBe(404);
      page = browse(url, { rewrite });
    },
  });
  return { tokens, page: await page! };
}

describe('authorization code + PKCE against oidc-provider', () => {
  it('signs in through the real login and consent pages and gets rotating tokens', async () => {
    const { tokens, page } = await signIn();
    expect(page.status).toBe(200);
    expect(page.body).toContain('You can close this window');
    expect(page.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback\?/);
    expect(tokens.token_type).toBe('Bearer');
    expect(tokens.access_token).toBeTruthy();
    expect(tokens.refresh_token).toBeTruthy();
    expect(tokens.expires_in).toBeGreaterThan(0);
    expect(tokens.scope?.split(' ').sort()).toEqual(['offline_access', 'openid']);

    const r1 = await refreshGrant({ tokenUrl: provider.tokenUrl, refreshToken: tokens.refresh_token!, client: native }, { fetch: http.fetch });
    expect(r1.refresh_token).toBeTruthy();
    expect(r1.refresh_token).not.toBe(tokens.refresh_token); // rotated for a public client
    expect(r1.access_token).not.toBe(tokens.access_token);
    // The rotated-away refresh token is dead, and using it revokes the family.
    const replay = await refreshGrant(
      { tokenUrl: provider.tokenUrl, refreshToken: tokens.refresh_token!, client: native },
      { fetch: http.fetch, connection: 'k/c' },
    ).catch((e) => e);
    expect(replay).toBeInstanceOf(OAuthError);
    expect(replay).toMatchObject({ code: 'invalid_grant', exitCode: 4, hint: 'run: connector connection login k/c' });
  });

  it('refuses a callback whose state was tampered with, the page says so, and the real callback still signs in', async () => {
    const refused: string[] = [];
    let real: string | undefined;
    let pages: Promise<[{ status: number; body: string }, Response]> | undefined;
    const tokens = await browserFlow({
      fetch: http.fetch,
      provider,
      client: native,
      onRejected: (m) => refused.push(m),
      onUrl: (url) => {
        // The browser lands on a forged copy of the callback first; then the real one arrives.
        const forged = browse(url, { rewrite: (u) => (u.includes('/callback?') ? ((real = u), u.replace(/state=[^&]+/, 'state=forged')) : u) });
        pages = forged.then(async (f) => [f, await fetch(real!)]);
      },
    });
    expect(tokens.access_token).toBeTruthy();
    const [forged, ok] = await pages!;
    expect(forged.status).toBe(400);
    expect(forged.body).toContain('Sign-in refused');
    expect(ok.status).toBe(200);
    expect(refused).toEqual([expect.stringMatching(/wrong state/)]);
  });

  it('maps access_denied (the user aborts) to an exit-4 error', async () => {
    let page: Promise<unknown> | undefined;
    const err = await browserFlow({ fetch: http.fetch, provider, client: native, onUrl: (url) => void (page = browse(url, { abort: true })) }).catch((e) => e);
    await page;
    expect(err).toBeInstanceOf(AuthError);
    expect(err.exitCode).toBe(4);
    expect(err.message).toMatch(/cancelled or consent was denied/);
  });

  it('refuses a wrong code_verifier and a replayed code', async () => {
    const pkce = await createPkce();
    const state = createState();
    const lb = await startLoopback({ state, expectedIssuer: provider.issuer, requireIssuer: true });
    const url = buildAuthorizationUrl(provider, {
      clientId: native.clientId,
      redirectUri: lb.redirectUri,
      state,
      codeChallenge: pkce.challenge,
      scope: 'openid offline_access',
    });
    const page = browse(url);
    const { code, iss } = await lb.result;
    await page;
    expect(iss).toBe(op.issuer);
    const wrong = await exchangeCode(
      { tokenUrl: provider.tokenUrl, code, redirectUri: lb.redirectUri, codeVerifier: (await createPkce()).verifier, client: native },
      { fetch: http.fetch },
    ).catch((e) => e);
    expect(wrong).toMatchObject({ code: 'invalid_grant', exitCode: 4 });
    expect(wrong.message).toMatch(/authorization code was refused/);
    // oidc-provider consumes the code on the failed attempt too; a fresh flow proves replay separately.
  });

  it('refuses a replayed authorization code', async () => {
    const pkce = await createPkce();
    const state = createState();
    const lb = await startLoopback({ state });
    const url = buildAuthorizationUrl(provider, {
      clientId: native.clientId,
      redirectUri: lb.redirectUri,
      state,
      codeChallenge: pkce.challenge,
      scope: 'openid offline_access',
    });
    const page = browse(url);
    const { code } = await lb.result;
    await page;
    const args = { tokenUrl: provider.tokenUrl, code, redirectUri: lb.redirectUri, codeVerifier: pkce.verifier, client: native };
    const first = await exchangeCode(args, { fetch: http.fetch });
    expect(first.access_token).toBeTruthy();
    const again = await exchangeCode(args, { fetch: http.fetch }).catch((e) => e);
    expect(again).toMatchObject({ code: 'invalid_grant', exitCode: 4 });
  });
});

describe('device authorization grant against oidc-provider', () => {
  it('shows the code, polls at the server interval, and gets tokens once the user approves', async () => {
    const waits: number[] = [];
    let approved: Promise<unknown> | undefined;
    let shown: DevicePrompt | undefined;
    const tokens = await deviceFlow({
      fetch: http.fetch,
      deviceAuthorizationUrl: provider.deviceAuthorizationUrl!,
      tokenUrl: provider.tokenUrl,
      client: native,
      scope: 'openid offline_access',
      onPrompt: (p) => {
        shown = p;
        approved = browse(p.verificationUri, { userCode: p.userCode });
      },
      sleep: async (ms) => {
        waits.push(ms);
        if (waits.length === 1) await approved; // first poll is pending only if the user is slow; make the second succeed
      },
    });
    expect(shown?.userCode).toMatch(/\S/);
    expect(shown?.verificationUri).toBe(`${op.issuer}/device`);
    expect(tokens.access_token).toBeTruthy();
    expect(waits[0]).toBe(5000);
  });
});

describe('client credentials against oidc-provider', () => {
  it.each([
    [CLIENTS.secretBasic, 'client_secret_basic'],
    [CLIENTS.secretPost, 'client_secret_post'],
  ] as const)('%s authenticates with %s', async (clientId, method) => {
    const t = await clientCredentialsGrant(
      { tokenUrl: provider.tokenUrl, scope: 'api:read', client: { clientId, clientSecret: CLIENTS.secret, method } },
      { fetch: http.fetch },
    );
    expect(t.access_token).toBeTruthy();
    expect(t.scope).toBe('api:read');
  });

  it('a wrong secret is invalid_client (exit 4)', async () => {
    const err = await clientCredentialsGrant(
      { tokenUrl: provider.tokenUrl, client: { clientId: CLIENTS.secretBasic, clientSecret: 'wrong', method: 'client_secret_basic' } },
      { fetch: http.fetch },
    ).catch((e) => e);
    expect(err).toMatchObject({ code: 'invalid_client', exitCode: 4 });
    expect(err.message).not.toContain('wrong');
  });

  it.each([
    [CLIENTS.cert, CERT_FILE, 'RS256'],
    [CLIENTS.certEc, EC_CERT_FILE, 'ES256'],
  ])('%s authenticates with a certificate (private_key_jwt, as Entra ID aadcertificate)', async (clientId, file, alg) => {
    const certificate = loadCertificate(readFileSync(file, 'utf8'));
    expect(certificate.alg).toBe(alg);
    const t = await clientCredentialsGrant({ tokenUrl: provider.tokenUrl, scope: 'api:read', client: { clientId, certificate } }, { fetch: http.fetch });
    expect(t.access_token).toBeTruthy();
  });
});
