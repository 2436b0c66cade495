import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { discover, type ResolvedProvider } from '../../src/oauth/providers.js';
import { refreshWithProvider } from '../../src/oauth/authorize.js';
import { revokeToken } from '../../src/oauth/revoke.js';
import { OAuthError } from '../../src/oauth/token.js';
import { getFreshToken, isFresh, refreshRenewer, toTokenSet, withFreshToken, type TokenSet } from '../../src/oauth/tokens.js';
import { AuthError } from '../../src/errors.js';
import { FileTokenStorage } from './helpers/file-storage.js';
import { CLIENTS, signInNative, startProvider, type TestProvider } from './helpers/provider.js';
import { HttpClient } from '../../src/http/client.js';

let op: TestProvider;
let provider: ResolvedProvider;
const client = { clientId: CLIENTS.native };
let dir: string;
let storage: FileTokenStorage;

beforeAll(async () => {
  op = await startProvider();
  provider = await discover(op.issuer, { fetch: http.fetch });
});
const http = new HttpClient({ env: {} });
afterAll(async () => {
  await http.close();
  await op?.close();
});
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'oauth-tokens-'));
  storage = new FileTokenStorage(join(dir, 'tokens.json'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const refreshes = () => op.grants.filter((g) => g.type === 'refresh_token').length;
const options = (extra: Partial<Parameters<typeof getFreshToken>[0]> = {}) => ({
  storage,
  lockPath: join(dir, 'k-c.lock'),
  renew: refreshRenewer((rt) => refreshWithProvider(provider, client, rt, { fetch: http.fetch, connection: 'k/c' }), 'k/c'),
  ...extra,
});
/** The protected API: the provider's userinfo endpoint answers 200 for a live token, 401 otherwise. */
const callApi = (t: TokenSet) => fetch(`${op.issuer}/me`, { headers: { authorization: `Bearer ${t.access_token}` } });

describe('getFreshToken against oidc-provider', () => {
  it('uses a fresh stored token without calling the token endpoint', async () => {
    const set = toTokenSet(await signInNative(op));
    await storage.save(set);
    const before = refreshes();
    const t = await getFreshToken(options());
    expect(t.access_token).toBe(set.access_token);
    expect(refreshes()).toBe(before);
  });

  it('refreshes 60 s before expiry and saves the rotated refresh token', async () => {
    const set = toTokenSet(await signInNative(op));
    const now = Date.now();
    await storage.save({ ...set, issued_at: Math.floor(now / 1000) - 3541, expires_at: Math.floor(now / 1000) + 59 }); // inside the skew window
    const before = refreshes();
    const t = await getFreshToken(options({ now: () => now }));
    expect(refreshes()).toBe(before + 1);
    expect(t.access_token).not.toBe(set.access_token);
    expect(t.refresh_token).not.toBe(set.refresh_token);
    expect(await storage.load()).toEqual(t);
    expect((await callApi(t)).status).toBe(200);
  });

  it('an access token refused mid-run (401) is refreshed once and the request retried once', async () => {
    const set = toTokenSet(await signInNative(op));
    await storage.save(set);
    await op.expireAccessToken(set.access_token);
    const statuses: number[] = [];
    const res = await withFreshToken(options(), async (t) => {
      const r = await callApi(t);
      statuses.push(r.status);
      return r;
    });
    expect(statuses).toEqual([401, 200]);
    expect(res.status).toBe(200);
    expect((await storage.load())!.access_token).not.toBe(set.access_token);
  });

  it('RFC 7009 revocation of an access token makes the API refuse it', async () => {
    const set = toTokenSet(await signInNative(op));
    expect((await callApi(set)).status).toBe(200);
    await revokeToken(provider.revocationUrl!, set.access_token, 'access_token', client, { fetch: http.fetch });
    expect((await callApi(set)).status).toBe(401);
  });

  it('a revoked refresh token is invalid_grant: exit 4 with the login hint', async () => {
    const set = toTokenSet(await signInNative(op));
    await storage.save({ ...set, expires_at: 1 });
    await revokeToken(provider.revocationUrl!, set.refresh_token!, 'refresh_token', client, { fetch: http.fetch });
    const err = await getFreshToken(options()).catch((e) => e);
    expect(err).toBeInstanceOf(OAuthError);
    expect(err).toMatchObject({ code: 'invalid_grant', exitCode: 4, hint: 'run: connector connection login k/c' });
    expect(err.message).toMatch(/expired or was revoked/);
  });
});

describe('token set bookkeeping', () => {
  it('keeps the old refresh token and scope when a refresh response omits them', () => {
    const prev: TokenSet = { access_token: 'a1', token_type: 'Bearer', refresh_token: 'r1', scope: 'x y', expires_at: 10 };
    expect(toTokenSet({ access_token: 'a2', token_type: 'Bearer', expires_in: 3600 }, prev, 1_000_000)).toEqual({
      access_token: 'a2',
      token_type: 'Bearer',
      refresh_token: 'r1',
      scope: 'x y',
      issued_at: 1000,
      expires_at: 1000 + 3600,
    });
  });

  it('a token without expiry counts as fresh; one inside the skew does not', () => {
    expect(isFresh({ access_token: 'a', token_type: 'Bearer' })).toBe(true);
    expect(isFresh({ access_token: 'a', token_type: 'Bearer', expires_at: 1000 }, 1000_000 - 60_000)).toBe(false);
    expect(isFresh({ access_token: 'a', token_type: 'Bearer', expires_at: 1000 }, 1000_000 - 60_001)).toBe(true);
  });

  it('a token shorter-lived than the 60 s margin gets a tenth of its life as margin: one renewal per expiry', () => {
    const five = { access_token: 'a', token_type: 'Bearer', issued_at: 995, expires_at: 1000 }; // a 5 s token
    expect(isFresh(five, 995_000)).toBe(true); // just obtained: fresh (with a 60 s margin it never would be)
    expect(isFresh(five, 999_400)).toBe(true);
    expect(isFresh(five, 999_600)).toBe(false); // inside the last 0.5 s
    const hour = { access_token: 'a', token_type: 'Bearer', issued_at: 1000 - 3600, expires_at: 1000 };
    expect(isFresh(hour, 1000_000 - 60_000)).toBe(false); // long-lived tokens keep the 60 s margin
  });

  it('with no refresh token stored, an expired token asks for a login (exit 4)', async () => {
    await storage.save({ access_token: 'a', token_type: 'Bearer', expires_at: 1 });
    const err = await getFreshToken(options()).catch((e) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect(err).toMatchObject({ exitCode: 4, hint: 'run: connector connection login k/c' });
  });

  it('a 401 on a token another process already replaced reuses the replacement without a refresh', async () => {
    await storage.save({ access_token: 'new', token_type: 'Bearer' });
    let renewed = 0;
    const t = await getFreshToken({ ...options(), rejected: 'old', renew: async () => (renewed++, { access_token: 'x', token_type: 'Bearer' }) });
    expect(t.access_token).toBe('new');
    expect(renewed).toBe(0);
  });
});
