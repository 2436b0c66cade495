import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { callOperation } from '../../src/http/call.js';
import { HttpClient } from '../../src/http/client.js';
import { proxyFor } from '../../src/http/proxy.js';
import { retryAfterMs, withRetries } from '../../src/http/retry.js';
import { CliError } from '../../src/errors.js';
import type { RawResponse } from '../../src/http/types.js';
import { FIXTURES, memoryCtx, recordFrom, recordingServer } from './helpers.js';

const record = recordFrom('wire', join(FIXTURES, 'wire.swagger.json'));
const res = (status: number, headers: Record<string, string> = {}): RawResponse => ({ status, statusText: '', headers, body: Buffer.alloc(0) });

describe('withRetries', () => {
  it('retries GET on 503 honouring Retry-After, then returns the 200', async () => {
    const answers = [res(503, { 'retry-after': '2' }), res(429), res(200)];
    const slept: number[] = [];
    const out = await withRetries(async () => answers.shift()!, 'GET', {
      retries: 3,
      baseDelayMs: 100,
      random: () => 1,
      sleep: async (ms) => void slept.push(ms),
    });
    expect(out.status).toBe(200);
    expect(slept).toEqual([2000, 200]); // Retry-After, then backoff 100 * 2^1 with jitter factor 1
  });

  it('caps Retry-After at 30 s and parses HTTP dates', () => {
    expect(retryAfterMs('3600')).toBe(30_000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 5_000)).toBe(5_000);
    expect(retryAfterMs('soon')).toBeUndefined();
  });

  it('never retries POST, and stops after --retries', async () => {
    let n = 0;
    const post = await withRetries(async () => (n++, res(503)), 'POST', { retries: 3, sleep: async () => {} });
    expect([post.status, n]).toEqual([503, 1]);
    n = 0;
    const get = await withRetries(async () => (n++, res(502)), 'GET', { retries: 2, sleep: async () => {} });
    expect([get.status, n]).toEqual([502, 3]);
  });

  it('retries a connection reset for idempotent methods only', async () => {
    const reset = Object.assign(new Error('reset'), { code: 'ECONNRESET' });
    let n = 0;
    const out = await withRetries(async () => (n++ === 0 ? Promise.reject(reset) : res(200)), 'DELETE', { retries: 1, sleep: async () => {} });
    expect([out.status, n]).toEqual([200, 2]);
    await expect(withRetries(async () => Promise.reject(reset), 'POST', { retries: 1, sleep: async () => {} })).rejects.toBe(reset);
  });
});

describe('retries against a real loopback server', () => {
  let server: Awaited<ReturnType<typeof recordingServer>>;
  beforeAll(async () => {
    server = await recordingServer((_req, n) =>
      n === 1 ? { status: 503, headers: { 'retry-after': '0' } } : n === 2 ? { destroy: true } : { body: '{"id":1}' },
    );
  });
  afterAll(() => server.close());

  it('503 (Retry-After: 0), then a reset socket, then 200', async () => {
    const { ctx, stderr } = memoryCtx();
    const out = await callOperation(ctx, record, 'GetItem', { params: { itemId: '1' }, baseUrl: server.url, retries: 2, retryBaseDelayMs: 1 });
    expect(out.status).toBe(200);
    expect(server.seen).toHaveLength(3);
    expect(stderr()).toContain('retrying (1/2) after HTTP 503 in 0.0 s');
    expect(stderr()).toContain('retrying (2/2) after ECONNRESET');
  });
});

describe('proxy selection', () => {
  it('honours HTTPS_PROXY / HTTP_PROXY and NO_PROXY', () => {
    const env = { HTTPS_PROXY: 'http://proxy:3128', NO_PROXY: 'localhost,.internal.example,10.0.0.1:8443' };
    expect(proxyFor(new URL('https://api.example.com/x'), env)).toBe('http://proxy:3128');
    expect(proxyFor(new URL('https://a.internal.example/x'), env)).toBeUndefined();
    expect(proxyFor(new URL('https://localhost/x'), env)).toBeUndefined();
    expect(proxyFor(new URL('https://10.0.0.1:8443/x'), env)).toBeUndefined();
    expect(proxyFor(new URL('https://10.0.0.1:9999/x'), env)).toBe('http://proxy:3128');
    expect(proxyFor(new URL('http://api.example.com/x'), env)).toBeUndefined();
  });

  it('never sends loopback through a proxy (a local API, OAuth server or the demo behind a corporate proxy)', () => {
    const env = { HTTPS_PROXY: 'http://proxy:3128', HTTP_PROXY: 'http://proxy:3128' };
    for (const u of ['http://127.0.0.1:8787/x', 'https://localhost/x', 'http://[::1]:9/x', 'http://127.0.0.2/x', 'http://api.localhost/x']) {
      expect(proxyFor(new URL(u), env)).toBeUndefined();
    }
    expect(proxyFor(new URL('http://128.0.0.1/x'), env)).toBe('http://proxy:3128');
  });
});

describe('HttpClient.send', () => {
  it('a header node:http refuses (set after the request was checked, e.g. by a policy) is a CliError naming the header, not the value', async () => {
    const client = new HttpClient({ timeoutMs: 1000, env: {} });
    const req = {
      operationId: 'x',
      method: 'GET',
      base: 'http://127.0.0.1:9',
      path: '/',
      pathValues: {},
      query: [],
      headers: { 'X-Token': 'sekret\r\nX-Evil: 1' },
      secretHeaders: new Set<string>(),
      secretQuery: new Set<string>(),
      secretValues: new Set<string>(),
      carriesCredentials: false,
    };
    const e = await client.send(req).catch((x: unknown) => x);
    client.close();
    expect(e).toBeInstanceOf(CliError);
    expect((e as Error).message).toContain('X-Token');
    expect((e as Error).message).not.toContain('sekret');
  });

  it('a one-socket session (NTLM) through an HTTP proxy is refused with a NO_PROXY hint instead of a handshake that cannot work', async () => {
    const client = new HttpClient({ timeoutMs: 1000, env: { HTTP_PROXY: 'http://user:pw@proxy.example:3128' } });
    const session = client.session('http:');
    const req = {
      operationId: 'x',
      method: 'GET',
      base: 'http://intranet.example',
      path: '/',
      pathValues: {},
      query: [],
      headers: {},
      secretHeaders: new Set<string>(),
      secretQuery: new Set<string>(),
      secretValues: new Set<string>(),
      carriesCredentials: false,
    };
    const e = await session.send(req).catch((x: unknown) => x);
    session.close();
    client.close();
    expect(e).toBeInstanceOf(CliError);
    expect((e as Error).message).toBe(
      'Windows authentication cannot go through the proxy proxy.example:3128 (every step of the handshake must use one connection)',
    );
    expect((e as CliError).hint).toBe('Add intranet.example to NO_PROXY.');
  });
});

describe('HttpClient.request', () => {
  it('a proxy that is down is named (with the variables to check), not the host behind it', async () => {
    const { createServer } = await import('node:net');
    const s = createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const port = (s.address() as { port: number }).port;
    await new Promise<void>((r) => s.close(() => r()));
    const client = new HttpClient({ env: { HTTPS_PROXY: `http://user:pw@127.0.0.1:${port}` } });
    const e = await client.request({ method: 'GET', url: 'https://api.example.invalid/x' }).catch((x: unknown) => x);
    await client.close();
    expect((e as Error).message).toBe(`cannot reach the proxy 127.0.0.1:${port} (ECONNREFUSED) for api.example.invalid`);
    expect((e as CliError).hint).toBe('Check HTTPS_PROXY / HTTP_PROXY, or add api.example.invalid to NO_PROXY.');
  });

  it('an aborted signal ends a request that gets no answer with CancelError', async () => {
    const { createServer } = await import('node:http');
    const { CancelError } = await import('../../src/errors.js');
    const s = createServer(() => {});
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const ac = new AbortController();
    const client = new HttpClient({ env: {}, signal: ac.signal });
    const p = client.request({ method: 'GET', url: `http://127.0.0.1:${(s.address() as { port: number }).port}/` });
    setTimeout(() => ac.abort(), 50);
    await expect(p).rejects.toBeInstanceOf(CancelError);
    await client.close();
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  });

  it('follows redirects only when asked, and never carries credentials to another origin', async () => {
    const { createServer } = await import('node:http');
    const seen: { url?: string; auth?: string }[] = [];
    const b = createServer((req, res) => {
      seen.push({ url: req.url, auth: req.headers.authorization });
      res.end('final');
    });
    await new Promise<void>((r) => b.listen(0, '127.0.0.1', r));
    const bPort = (b.address() as { port: number }).port;
    const a = createServer((req, res) => {
      seen.push({ url: req.url, auth: req.headers.authorization });
      res.writeHead(302, { location: `http://localhost:${bPort}/there` }).end();
    });
    await new Promise<void>((r) => a.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(a.address() as { port: number }).port}/here`;
    const client = new HttpClient({ env: {} });
    const manual = await client.request({ method: 'GET', url, headers: { authorization: 'Bearer SECRET' } });
    expect(manual.status).toBe(302);
    const followed = await client.request({ method: 'GET', url, headers: { authorization: 'Bearer SECRET' }, redirect: 'follow' });
    expect(followed.body.toString()).toBe('final');
    expect(followed.url).toBe(`http://localhost:${bPort}/there`);
    expect(seen).toEqual([
      { url: '/here', auth: 'Bearer SECRET' },
      { url: '/here', auth: 'Bearer SECRET' },
      { url: '/there', auth: undefined },
    ]);
    await expect(client.request({ method: 'GET', url, redirect: 'error' })).rejects.toThrow(/answered with a redirect \(HTTP 302\)/);
    await client.close();
    for (const s of [a, b]) await new Promise<void>((r) => s.close(() => r()));
  });
});

describe('proxy settings that cannot work', () => {
  it('a malformed or non-http proxy URL is exit 2 naming the variable, never a crash', async () => {
    const { UsageError } = await import('../../src/errors.js');
    const url = new URL('https://api.example.com/x');
    for (const [env, msg] of [
      [{ HTTPS_PROXY: 'notaurl' }, 'HTTPS_PROXY is not a valid proxy URL'],
      [{ https_proxy: 'http://127.0.0.1:99999' }, 'https_proxy is not a valid proxy URL'],
      [{ HTTPS_PROXY: 'socks5://user:pw@127.0.0.1:1080' }, 'HTTPS_PROXY (socks5://127.0.0.1:1080): only http:// and https:// proxies are supported'],
    ] as const) {
      let e: unknown;
      try {
        proxyFor(url, env);
      } catch (x) {
        e = x;
      }
      expect(e).toBeInstanceOf(UsageError);
      expect((e as Error).message).toBe(msg);
      expect((e as Error).message).not.toContain('pw');
    }
  });
});
