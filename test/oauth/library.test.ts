import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HttpClient } from '../../src/http/client.js';
import { discover } from '../../src/oauth/providers.js';
import { clientCredentialsGrant, OAuthError, refreshGrant, tokenRequest, type Fetch } from '../../src/oauth/token.js';
import { deviceFlow } from '../../src/oauth/device.js';
import { revokeToken } from '../../src/oauth/revoke.js';
import { CancelError, CliError } from '../../src/errors.js';
import { startQueueServer, type QueueServer } from './helpers/queue-server.js';

/**
 * The protocol core runs on oauth4webapi: these pin that every request goes
 * through the fetch it is given (the context's HttpClient), and the shims for
 * what real servers send that the library alone would refuse.
 */
let as: QueueServer;
const http = new HttpClient({ env: {} });
const JSON_T = 'application/json';
const client = { clientId: 'app' };
beforeAll(async () => {
  as = await startQueueServer();
});
afterAll(async () => {
  await http.close();
  await as.close();
});
beforeEach(() => {
  as.queue = [];
  as.seen = [];
});
const json = (body: unknown, status = 200) => ({ status, type: JSON_T, body: JSON.stringify(body) });

describe('one HTTP client', () => {
  it('discovery, token, device and revocation requests all go through the given fetch', async () => {
    const calls: string[] = [];
    const fetch: Fetch = (u, init) => (calls.push(`${init.method} ${new URL(u).pathname}`), http.fetch(u, init));
    const o = as.origin;
    as.queue.push(
      json({
        issuer: o,
        token_endpoint: `${o}/token`,
        device_authorization_endpoint: `${o}/device`,
        revocation_endpoint: `${o}/revoke`,
        authorization_endpoint: `${o}/auth`,
      }),
      json({ access_token: 'cc' }),
      json({ device_code: 'dc', user_code: 'U', verification_uri: 'https://x', expires_in: 600, interval: 1 }),
      json({ access_token: 'dev' }),
      { status: 200 },
    );
    const p = await discover(o, { fetch });
    expect(await clientCredentialsGrant({ tokenUrl: p.tokenUrl, client }, { fetch })).toMatchObject({ access_token: 'cc' });
    expect(
      await deviceFlow({ fetch, deviceAuthorizationUrl: p.deviceAuthorizationUrl!, tokenUrl: p.tokenUrl, client, onPrompt: () => {}, sleep: async () => {} }),
    ).toMatchObject({ access_token: 'dev' });
    await revokeToken(p.revocationUrl!, 'rt', 'refresh_token', client, { fetch });
    expect(calls).toEqual(['GET /.well-known/openid-configuration', 'POST /token', 'POST /device', 'POST /token', 'POST /revoke']);
    expect(as.seen.map((s) => `${s.method} ${s.path}`)).toEqual(calls);
    expect(as.seen[4].body.get('token_type_hint')).toBe('refresh_token');
  });

  it('without a fetch there is no fallback to the global one (it ignores HTTPS_PROXY): nothing is sent', async () => {
    await expect(tokenRequest(`${as.origin}/token`, { grant_type: 'client_credentials' }, client, {} as never)).rejects.toThrow(/ctx\.http\.fetch/);
    await expect(discover(as.origin, {} as never)).rejects.toThrow(/ctx\.http\.fetch/);
    expect(as.seen).toEqual([]);
  });

  it('a token endpoint that does not answer times out in one line; Ctrl-C cancels (exit 3)', async () => {
    as.queue.push({ hang: true });
    const e = await tokenRequest(`${as.origin}/token`, { grant_type: 'client_credentials' }, client, { fetch: http.fetch, timeoutMs: 300 }).catch((e) => e);
    expect(e).toBeInstanceOf(CliError);
    expect(e.message).toBe(`could not reach the token endpoint ${as.origin}/token: timed out`);
    as.queue.push({ hang: true });
    const ac = new AbortController();
    const p = refreshGrant({ tokenUrl: `${as.origin}/token`, refreshToken: 'r', client }, { fetch: http.fetch, signal: ac.signal });
    setTimeout(() => ac.abort(), 100);
    await expect(p).rejects.toBeInstanceOf(CancelError);
  });

  it('a redirect from the token endpoint is not followed (the secret is not sent on)', async () => {
    as.queue.push({ status: 302, headers: { location: `${as.origin}/elsewhere` } });
    await expect(
      clientCredentialsGrant({ tokenUrl: `${as.origin}/token`, client: { clientId: 'c', clientSecret: 's' } }, { fetch: http.fetch }),
    ).rejects.toThrow(/answered HTTP 302/);
    expect(as.seen).toHaveLength(1);
  });
});

describe('what real servers send, that the library alone would refuse', () => {
  it('an id_token is passed on unread, whatever issuer it names (Entra ID common tenant: per-tenant iss)', async () => {
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const idToken = `${b64({ alg: 'RS256' })}.${b64({ iss: 'https://login.microsoftonline.com/some-tenant/v2.0', aud: 'other', sub: 'x', iat: 1, exp: 2 })}.c2ln`;
    as.queue.push(json({ access_token: 'a', token_type: 'Bearer', id_token: idToken }));
    const t = await refreshGrant({ tokenUrl: `${as.origin}/token`, refreshToken: 'r', client }, { fetch: http.fetch });
    expect(t).toEqual({ access_token: 'a', token_type: 'Bearer', id_token: idToken });
  });

  it('a token_type other than Bearer is kept as the server names it; a scope array is joined; a bad expires_in dropped', async () => {
    as.queue.push(json({ access_token: 'a', token_type: 'MAC', scope: ['a', 'b'], expires_in: 'soon' }));
    expect(await refreshGrant({ tokenUrl: `${as.origin}/token`, refreshToken: 'r', client }, { fetch: http.fetch })).toEqual({
      access_token: 'a',
      token_type: 'MAC',
      scope: 'a b',
    });
  });

  it('an OAuth error with a 5xx status is still an OAuth error (exit 4, the code named)', async () => {
    as.queue.push(json({ error: 'temporarily_unavailable', error_description: 'try later' }, 503));
    const e = await refreshGrant({ tokenUrl: `${as.origin}/token`, refreshToken: 'r', client }, { fetch: http.fetch }).catch((e) => e);
    expect(e).toBeInstanceOf(OAuthError);
    expect(e).toMatchObject({ code: 'temporarily_unavailable', exitCode: 4, message: expect.stringContaining('try later') });
  });

  it('client_secret_basic leaves - . _ ~ as they are (servers that never decode the header, as DocuSign documents)', async () => {
    as.queue.push(json({ access_token: 'a' }));
    const c = { clientId: 'a1b2-c3d4', clientSecret: 'x.y_z~w-v', method: 'client_secret_basic' as const };
    await clientCredentialsGrant({ tokenUrl: `${as.origin}/token`, client: c }, { fetch: http.fetch });
    expect(as.seen[0].headers.authorization).toBe(`Basic ${Buffer.from('a1b2-c3d4:x.y_z~w-v').toString('base64')}`);
  });

  it('device: verification_url (older Microsoft endpoints), expires_in as a string, no interval (5 s)', async () => {
    as.queue.push(
      json({ device_code: 'dc', user_code: 'U', verification_url: 'https://microsoft.com/devicelogin', expires_in: '900' }),
      json({ access_token: 'a' }),
    );
    const waits: number[] = [];
    let shown = '';
    await deviceFlow({
      fetch: http.fetch,
      deviceAuthorizationUrl: `${as.origin}/device`,
      tokenUrl: `${as.origin}/token`,
      client,
      onPrompt: (p) => (shown = `${p.verificationUri} ${p.expiresIn}`),
      sleep: async (ms) => void waits.push(ms),
    });
    expect(shown).toBe('https://microsoft.com/devicelogin 900');
    expect(waits).toEqual([5000]);
  });

  it('device: an OAuth error or a body without a device code is one line', async () => {
    const opts = { fetch: http.fetch, deviceAuthorizationUrl: `${as.origin}/device`, tokenUrl: `${as.origin}/token`, client, onPrompt: () => {} };
    as.queue.push(json({ error: 'invalid_scope', error_description: 'no such scope' }, 400));
    await expect(deviceFlow(opts)).rejects.toMatchObject({
      code: 'invalid_scope',
      exitCode: 4,
      message: 'the provider refused the device sign-in (invalid_scope: no such scope)',
    });
    as.queue.push(json({ user_code: 'U' }));
    await expect(deviceFlow(opts)).rejects.toThrow('the device authorization endpoint answered HTTP 200 without a device code');
  });

  it('revocation: any 2xx is done, unsupported_token_type is not worth failing a logout for, other errors name the status', async () => {
    const revoke = () => revokeToken(`${as.origin}/revoke`, 't', 'access_token', client, { fetch: http.fetch });
    as.queue.push({ status: 204 }, json({ error: 'unsupported_token_type' }, 400), json({ error: 'invalid_request' }, 400), {
      status: 503,
      type: 'text/html',
      body: '<h1>down</h1>',
    });
    await expect(revoke()).resolves.toBeUndefined();
    await expect(revoke()).resolves.toBeUndefined();
    await expect(revoke()).rejects.toThrow('the revocation endpoint answered HTTP 400 (invalid_request)');
    await expect(revoke()).rejects.toThrow('the revocation endpoint answered HTTP 503');
  });

  it('discovery: RFC 8414 when there is no OpenID document; an issuer differing only by a trailing slash is the same', async () => {
    const o = as.origin;
    as.queue.push({ status: 404, body: 'no' }, json({ issuer: `${o}/tenant/`, token_endpoint: `${o}/t` }));
    const p = await discover(`${o}/tenant`, { fetch: http.fetch });
    expect(p).toMatchObject({ tokenUrl: `${o}/t`, issuer: `${o}/tenant/`, flows: ['client-credentials'] });
    expect(as.seen.map((s) => s.path)).toEqual(['/tenant/.well-known/openid-configuration', '/.well-known/oauth-authorization-server/tenant']);
  });

  it('discovery: a redirect or a non-metadata answer is no metadata', async () => {
    as.queue.push({ status: 302, headers: { location: 'https://evil.example/' } }, { status: 200, type: 'text/html', body: '<html>' });
    await expect(discover(as.origin, { fetch: http.fetch })).rejects.toThrow(`no OpenID or OAuth metadata found for issuer ${as.origin}`);
  });
});
