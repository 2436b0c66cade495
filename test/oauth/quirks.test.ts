import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { X509Certificate, createPublicKey, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { clientCredentialsGrant, exchangeCode, OAuthError, refreshGrant, tokenRequest } from '../../src/oauth/token.js';
import { deviceFlow } from '../../src/oauth/device.js';
import { loadCertificate } from '../../src/oauth/assertion.js';
import { AuthError, CliError } from '../../src/errors.js';
import { CERT_FILE } from './helpers/provider.js';
import { HttpClient } from '../../src/http/client.js';

/** A tiny token endpoint that answers whatever the test queues, and records what it was sent. */
interface Reply {
  status?: number;
  type?: string;
  body: string;
}
let server: Server;
let url: string;
let queue: Reply[] = [];
let seen: { headers: IncomingMessage['headers']; body: URLSearchParams; path: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let data = '';
    req.on('data', (d) => (data += d));
    req.on('end', () => {
      seen.push({ headers: req.headers, body: new URLSearchParams(data), path: req.url ?? '' });
      const r = queue.shift() ?? { status: 500, body: 'queue empty' };
      res.writeHead(r.status ?? 200, r.type ? { 'content-type': r.type } : {});
      res.end(r.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}/token`;
});
/** The one HTTP client every OAuth call goes through (as ctx.http in the CLI). */
const http = new HttpClient({ env: {} });
afterAll(async () => {
  await http.close();
  await new Promise<void>((r) => server.close(() => r()));
});
beforeEach(() => {
  queue = [];
  seen = [];
});

const client = { clientId: 'app' };
const FORM = 'application/x-www-form-urlencoded';
const JSON_T = 'application/json';

describe('token responses real servers send', () => {
  it('accepts a form-encoded body (GitHub without Accept), string expires_in, no token_type', async () => {
    queue.push({ type: FORM, body: 'access_token=gho_abc&scope=repo%2Cgist&expires_in=3600' });
    const t = await exchangeCode({ tokenUrl: url, code: 'c', redirectUri: 'http://127.0.0.1:1/callback', codeVerifier: 'v', client }, { fetch: http.fetch });
    expect(t).toEqual({ access_token: 'gho_abc', token_type: 'Bearer', expires_in: 3600, scope: 'repo,gist' });
    expect(seen[0].headers.accept).toBe('application/json');
    expect(Object.fromEntries(seen[0].body)).toEqual({
      grant_type: 'authorization_code',
      code: 'c',
      redirect_uri: 'http://127.0.0.1:1/callback',
      code_verifier: 'v',
      client_id: 'app',
    });
  });

  it('accepts a form body labelled text/plain, and JSON labelled text/html', async () => {
    queue.push({ type: 'text/plain', body: 'access_token=a1&token_type=bearer' }, { type: 'text/html', body: '{"access_token":"a2","expires_in":"60"}' });
    expect(await refreshGrant({ tokenUrl: url, refreshToken: 'r', client }, { fetch: http.fetch })).toEqual({ access_token: 'a1', token_type: 'Bearer' });
    expect(await refreshGrant({ tokenUrl: url, refreshToken: 'r', client }, { fetch: http.fetch })).toEqual({
      access_token: 'a2',
      token_type: 'Bearer',
      expires_in: 60,
    });
  });

  it('a refresh response without refresh_token has none (the caller keeps the old one)', async () => {
    queue.push({ type: JSON_T, body: '{"access_token":"a","token_type":"Bearer","expires_in":10}' });
    const t = await refreshGrant({ tokenUrl: url, refreshToken: 'r', client }, { fetch: http.fetch });
    expect(t.refresh_token).toBeUndefined();
    expect(seen[0].body.get('grant_type')).toBe('refresh_token');
    expect(seen[0].body.get('refresh_token')).toBe('r');
  });

  it('an OAuth error sent with status 200 is still an error (invalid_grant → exit 4, login hint)', async () => {
    queue.push({ type: FORM, body: 'error=bad_verification_code&error_description=The+code+passed+is+incorrect+or+expired.' });
    const e1 = await exchangeCode({ tokenUrl: url, code: 'c', redirectUri: 'r', client }, { fetch: http.fetch }).catch((e) => e);
    expect(e1).toBeInstanceOf(OAuthError);
    expect(e1).toMatchObject({ code: 'bad_verification_code', exitCode: 4 });
    expect(e1.message).toContain('The code passed is incorrect or expired.');

    queue.push({ status: 200, type: JSON_T, body: '{"error":"invalid_grant","error_description":"Token has been expired or revoked."}' });
    const e2 = await refreshGrant({ tokenUrl: url, refreshToken: 'r', client }, { fetch: http.fetch, connection: 'github/me' }).catch((e) => e);
    expect(e2).toMatchObject({ code: 'invalid_grant', exitCode: 4, hint: 'run: connector connection login github/me' });
  });

  it('control characters in an error description do not reach the terminal', async () => {
    queue.push({ status: 400, type: JSON_T, body: JSON.stringify({ error: 'invalid_request', error_description: 'bad\u001b[31m red\nline' }) });
    const e = await refreshGrant({ tokenUrl: url, refreshToken: 'r', client }, { fetch: http.fetch }).catch((e) => e);
    expect(e.message).not.toMatch(/[\u0000-\u001f]/);
  });

  it('a 401 without a body is invalid_client; a 503 page is a plain failure; 200 without a token is refused', async () => {
    queue.push({ status: 401, body: '' }, { status: 503, type: 'text/html', body: '<h1>down</h1>' }, { type: JSON_T, body: '{"token_type":"Bearer"}' });
    await expect(refreshGrant({ tokenUrl: url, refreshToken: 'r', client }, { fetch: http.fetch })).rejects.toMatchObject({
      code: 'invalid_client',
      exitCode: 4,
    });
    const e = await refreshGrant({ tokenUrl: url, refreshToken: 'r', client }, { fetch: http.fetch }).catch((e) => e);
    expect(e).toBeInstanceOf(CliError);
    expect(e).toMatchObject({ exitCode: 1, message: expect.stringContaining('HTTP 503') });
    await expect(refreshGrant({ tokenUrl: url, refreshToken: 'r', client }, { fetch: http.fetch })).rejects.toThrow(/without an access_token/);
  });

  it('an unreachable token endpoint is one clear line', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const e = await tokenRequest(`http://127.0.0.1:${port}/token`, { grant_type: 'client_credentials' }, client, { fetch: http.fetch }).catch((e) => e);
    expect(e).toBeInstanceOf(CliError);
    expect(e.message).toBe(`could not reach the token endpoint http://127.0.0.1:${port}/token: ECONNREFUSED`);
  });
});

describe('client authentication on the wire', () => {
  it('client_secret_basic form-urlencodes both halves and keeps the secret out of the body', async () => {
    queue.push({ type: JSON_T, body: '{"access_token":"a"}' });
    await clientCredentialsGrant(
      { tokenUrl: url, scope: 'x', client: { clientId: 'id:1', clientSecret: 's p&c', method: 'client_secret_basic' } },
      { fetch: http.fetch },
    );
    expect(seen[0].headers.authorization).toBe(`Basic ${Buffer.from('id%3A1:s+p%26c').toString('base64')}`);
    expect(seen[0].body.has('client_secret')).toBe(false);
  });

  it('client_secret_post is the default with a secret', async () => {
    queue.push({ type: JSON_T, body: '{"access_token":"a"}' });
    await clientCredentialsGrant({ tokenUrl: url, client: { clientId: 'id', clientSecret: 'sec' } }, { fetch: http.fetch });
    expect(seen[0].headers.authorization).toBeUndefined();
    expect(seen[0].body.get('client_secret')).toBe('sec');
  });

  it('private_key_jwt sends a signed assertion with x5t#S256 of the certificate (Entra ID certificate credentials)', async () => {
    queue.push({ type: JSON_T, body: '{"access_token":"a"}' });
    const pem = readFileSync(CERT_FILE, 'utf8');
    await clientCredentialsGrant(
      { tokenUrl: url, scope: 'https://graph.microsoft.com/.default', client: { clientId: 'app-guid', certificate: loadCertificate(pem) } },
      { fetch: http.fetch },
    );
    const b = seen[0].body;
    expect(b.get('client_assertion_type')).toBe('urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
    const [h, p, s] = b.get('client_assertion')!.split('.');
    const header = JSON.parse(Buffer.from(h, 'base64url').toString());
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    const x509 = new X509Certificate(pem);
    expect(header).toMatchObject({ alg: 'RS256', typ: 'JWT' });
    expect(Buffer.from(header['x5t#S256'], 'base64url').toString('hex')).toBe(x509.fingerprint256.replace(/:/g, '').toLowerCase());
    expect(claims).toMatchObject({ iss: 'app-guid', sub: 'app-guid', aud: url });
    expect(claims.exp - claims.iat).toBe(300);
    expect(verify('sha256', Buffer.from(`${h}.${p}`), createPublicKey(pem), Buffer.from(s, 'base64url'))).toBe(true);
  });
});

describe('device flow polling rules (RFC 8628)', () => {
  it('honours interval, adds 5 s on slow_down, keeps polling while pending', async () => {
    queue.push(
      {
        type: JSON_T,
        body: JSON.stringify({ device_code: 'dc', user_code: 'ABCD-EFGH', verification_uri: 'https://x/device', expires_in: '600', interval: '3' }),
      },
      { status: 400, type: JSON_T, body: '{"error":"authorization_pending"}' },
      { status: 400, type: JSON_T, body: '{"error":"slow_down"}' },
      { status: 400, type: JSON_T, body: '{"error":"authorization_pending"}' },
      { type: JSON_T, body: '{"access_token":"a","refresh_token":"r"}' },
    );
    const waits: number[] = [];
    const prompts: string[] = [];
    const t = await deviceFlow({
      fetch: http.fetch,
      deviceAuthorizationUrl: `${url}/device`,
      tokenUrl: url,
      client,
      scope: 's',
      onPrompt: (p) => prompts.push(`${p.userCode} ${p.verificationUri}`),
      sleep: async (ms) => void waits.push(ms),
    });
    expect(t.access_token).toBe('a');
    expect(prompts).toEqual(['ABCD-EFGH https://x/device']);
    expect(waits).toEqual([3000, 3000, 8000, 8000]);
    expect(seen[1].body.get('grant_type')).toBe('urn:ietf:params:oauth:grant-type:device_code');
    expect(seen[1].body.get('device_code')).toBe('dc');
  });

  it('authenticates a confidential client at the device endpoint as at the token endpoint (Basic header)', async () => {
    queue.push(
      { type: JSON_T, body: JSON.stringify({ device_code: 'dc', user_code: 'U', verification_uri: 'https://x', expires_in: 600, interval: 1 }) },
      { type: JSON_T, body: '{"access_token":"a"}' },
    );
    const basic = { clientId: 'cid', clientSecret: 'sec', method: 'client_secret_basic' as const };
    await deviceFlow({ fetch: http.fetch, deviceAuthorizationUrl: `${url}/device`, tokenUrl: url, client: basic, onPrompt: () => {}, sleep: async () => {} });
    const expected = `Basic ${Buffer.from('cid:sec').toString('base64')}`;
    expect(seen[0].headers.authorization).toBe(expected);
    expect(seen[0].body.get('client_secret')).toBeNull();
    expect(seen[1].headers.authorization).toBe(expected);
  });

  it('expired_token and access_denied end the flow with exit 4', async () => {
    const start = { type: JSON_T, body: JSON.stringify({ device_code: 'dc', user_code: 'U', verification_uri: 'https://x', expires_in: 600, interval: 1 }) };
    queue.push(start, { status: 400, type: JSON_T, body: '{"error":"expired_token"}' });
    await expect(
      deviceFlow({ fetch: http.fetch, deviceAuthorizationUrl: url, tokenUrl: url, client, onPrompt: () => {}, sleep: async () => {} }),
    ).rejects.toMatchObject({ exitCode: 4, message: expect.stringMatching(/device code expired/) });
    queue.push(start, { status: 400, type: JSON_T, body: '{"error":"access_denied"}' });
    await expect(
      deviceFlow({ fetch: http.fetch, deviceAuthorizationUrl: url, tokenUrl: url, client, onPrompt: () => {}, sleep: async () => {} }),
    ).rejects.toBeInstanceOf(AuthError);
  });

  it('stops at the deadline even if the server keeps saying pending', async () => {
    queue.push({ type: JSON_T, body: JSON.stringify({ device_code: 'dc', user_code: 'U', verification_uri: 'https://x', expires_in: 10, interval: 5 }) });
    for (let i = 0; i < 5; i++) queue.push({ status: 400, type: JSON_T, body: '{"error":"authorization_pending"}' });
    let clock = 0;
    await expect(
      deviceFlow({
        fetch: http.fetch,
        deviceAuthorizationUrl: url,
        tokenUrl: url,
        client,
        onPrompt: () => {},
        now: () => clock,
        sleep: async (ms) => void (clock += ms),
      }),
    ).rejects.toThrow(/device code expired/);
    expect(seen.length).toBe(3); // device authorization + polls at 5 s and 10 s; the 15 s poll is past the deadline
  });

  it('Ctrl-C while waiting cancels with exit 3', async () => {
    queue.push({ type: JSON_T, body: JSON.stringify({ device_code: 'dc', user_code: 'U', verification_uri: 'https://x', expires_in: 600, interval: 5 }) });
    const ac = new AbortController();
    const p = deviceFlow({ fetch: http.fetch, deviceAuthorizationUrl: url, tokenUrl: url, client, signal: ac.signal, onPrompt: () => ac.abort() });
    await expect(p).rejects.toMatchObject({ exitCode: 3 });
  });
});

describe('endpoints off loopback must be https', () => {
  const client = { clientId: 'app', clientSecret: 'plain-text-secret' };
  const never = (async () => {
    throw new Error('fetch must not be called');
  }) as unknown as typeof fetch;

  it('token, device and revocation requests refuse plain http to a remote host before sending the secret', async () => {
    const token = tokenRequest('http://as.example/token', { grant_type: 'client_credentials' }, client, { fetch: never });
    await expect(token).rejects.toThrow(/refusing to send OAuth credentials to the token endpoint http:\/\/as\.example: it is not https/);
    const device = deviceFlow({
      deviceAuthorizationUrl: 'http://as.example/device',
      tokenUrl: 'https://as.example/token',
      client,
      fetch: never,
      onPrompt: () => {},
    });
    await expect(device).rejects.toThrow(/device authorization endpoint http:\/\/as\.example: it is not https/);
    const { revokeToken } = await import('../../src/oauth/revoke.js');
    await expect(revokeToken('http://as.example/revoke', 'tok', 'refresh_token', client, { fetch: never })).rejects.toThrow(
      /revocation endpoint http:\/\/as\.example: it is not https/,
    );
    await expect(tokenRequest('not a url', {}, client, { fetch: never })).rejects.toBeInstanceOf(CliError);
  });

  it('a dead revocation endpoint gets a reason, not "fetch failed"', async () => {
    const { revokeToken } = await import('../../src/oauth/revoke.js');
    const dead = createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', () => r()));
    const port = (dead.address() as { port: number }).port;
    await new Promise<void>((r) => dead.close(() => r()));
    await expect(revokeToken(`http://127.0.0.1:${port}/revoke`, 'tok', 'refresh_token', client, { fetch: http.fetch })).rejects.toThrow(
      `revocation endpoint http://127.0.0.1:${port}: ECONNREFUSED`,
    );
  });
});
