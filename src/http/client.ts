import type http from 'node:http';
import type { LookupFunction } from 'node:net';
import { CancelError, CliError } from '../errors.js';
import type { PreparedRequest, RawResponse } from './types.js';
import { requestUrl } from './headers.js';
import { proxyFor, shownProxy } from './proxy.js';
import { load } from '../util/load.js';

/**
 * The one HTTP client: `connector run`, import from a URL and every OAuth endpoint
 * (through `fetch`, which oauth4webapi takes) go through it, so proxies, CAs,
 * timeouts, Ctrl-C and error wording are the same everywhere.
 *
 * The direct path is node:http/https with keep-alive Agents: importing undici costs
 * ~60 ms here (its WASM parser compiles at load) against ~0 for node:http, and one
 * `connector run` must stay near `node -e 0`. undici is loaded only when a proxy
 * applies to the target (decided by the one NO_PROXY reader in proxy.ts). Extra CAs
 * from NODE_EXTRA_CA_CERTS are in Node's default trust store for both paths.
 */
export interface ClientOptions {
  /** Default idle timeout while waiting for headers and between body chunks. */
  timeoutMs?: number;
  /** Default connect timeout (min(timeoutMs, 10 s)). */
  connectTimeoutMs?: number;
  env: NodeJS.ProcessEnv;
  /** Aborts every request in flight (the context's Ctrl-C signal): they reject with CancelError. */
  signal?: AbortSignal;
}

/** One request on the wire. */
export interface WireRequest {
  method: string;
  url: string | URL;
  headers?: Record<string, string>;
  body?: Buffer | string;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Refuse a response body larger than this (bytes). */
  maxBytes?: number;
  /** 'manual' (default) returns 3xx as is; 'follow' follows up to 5 (credentials never cross origins); 'error' refuses them. */
  redirect?: 'manual' | 'follow' | 'error';
  /** With redirect 'follow': told of each hop. */
  onRedirect?: (from: URL, to: URL) => void;
  /**
   * Resolves the host of each connection (node's `lookup`), so a caller can check the address
   * actually connected to (remote $refs, src/spec/refs-net.ts). Also called for an IP-literal host,
   * and before a request through a proxy (which then resolves the name itself). A request with a
   * lookup gets a socket of its own: never one kept alive from an unchecked request.
   */
  lookup?: LookupFunction;
}

export interface WireResponse extends RawResponse {
  /** The final URL (after redirects). */
  url: string;
}

const MAX_REDIRECTS = 5;
const SAFE_HEADERS = /^(accept|accept-encoding|accept-language|content-type|content-length|user-agent)$/i;

/** node:https pulls in TLS (about 8 ms): loaded only for https URLs. */
function transport(protocol: string): typeof http {
  return load<typeof http>(protocol === 'https:' ? 'node:https' : 'node:http');
}

export class HttpClient {
  private readonly agents = new Map<string, http.Agent>();
  private readonly proxies = new Map<string, { close(): Promise<void> }>();
  private readonly timeoutMs: number;
  constructor(private readonly opts: ClientOptions) {
    this.timeoutMs = opts.timeoutMs ?? 30_000;
  }

  /** A prepared operation request, one attempt. */
  send(req: PreparedRequest, o: { timeoutMs?: number; agent?: http.Agent } = {}): Promise<RawResponse> {
    return this.once({ method: req.method, url: new URL(requestUrl(req)), headers: req.headers, body: req.body, timeoutMs: o.timeoutMs }, o.agent);
  }

  /** One request, redirects as asked. Network failures become CliErrors with one clear line; Ctrl-C a CancelError. */
  async request(wire: WireRequest): Promise<WireResponse> {
    let url = new URL(wire.url);
    let cur: WireRequest = { ...wire, headers: { ...wire.headers } };
    for (let hop = 0; ; hop++) {
      const res = await this.once({ ...cur, url });
      const location = res.headers.location;
      if (res.status < 300 || res.status > 399 || !location || wire.redirect === undefined || wire.redirect === 'manual') return { ...res, url: url.href };
      if (wire.redirect === 'error') throw new CliError(`${url.origin} answered with a redirect (HTTP ${res.status}), which is not allowed here`);
      if (hop >= MAX_REDIRECTS) throw new CliError(`too many redirects (more than ${MAX_REDIRECTS}) from ${new URL(wire.url).origin}`);
      const next = new URL(Array.isArray(location) ? location[0] : location, url);
      wire.onRedirect?.(url, next);
      if (url.protocol === 'https:' && next.protocol !== 'https:')
        throw new CliError(`${url.origin} redirected to plain ${next.protocol.replace(':', '')} (${next.origin}); refused`);
      const headers = { ...cur.headers };
      // Another origin gets none of this one's headers but the harmless ones: no Authorization, cookie or API key header.
      if (next.origin !== url.origin) for (const k of Object.keys(headers)) if (!SAFE_HEADERS.test(k)) delete headers[k];
      const toGet = res.status === 303 || ((res.status === 301 || res.status === 302) && cur.method.toUpperCase() === 'POST');
      if (toGet) for (const k of Object.keys(headers)) if (/^content-/i.test(k)) delete headers[k];
      cur = { ...cur, headers, method: toGet ? 'GET' : cur.method, body: toGet ? undefined : cur.body };
      url = next;
    }
  }

  /**
   * A WHATWG fetch over this client (oauth4webapi's customFetch, and anything else that
   * speaks fetch). `redirect` defaults to 'manual' here: a caller that wants hops says so.
   */
  readonly fetch = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const req = input instanceof Request ? input : undefined;
    const headers: Record<string, string> = {};
    new Headers(init.headers ?? req?.headers).forEach((v, k) => (headers[k] = v));
    let body: Buffer | undefined;
    const b = init.body ?? (req?.body ? await req.arrayBuffer() : undefined);
    if (typeof b === 'string') body = Buffer.from(b);
    else if (b instanceof URLSearchParams) {
      body = Buffer.from(b.toString());
      headers['content-type'] ??= 'application/x-www-form-urlencoded;charset=UTF-8';
    } else if (b instanceof ArrayBuffer || ArrayBuffer.isView(b)) body = Buffer.from(b as ArrayBuffer);
    else if (b != null) throw new TypeError('this fetch takes string, URLSearchParams or byte bodies');
    const res = await this.request({
      method: init.method ?? req?.method ?? 'GET',
      url: req ? req.url : input.toString(),
      headers,
      body,
      signal: init.signal ?? req?.signal ?? undefined,
      redirect: (init.redirect ?? req?.redirect ?? 'manual') as WireRequest['redirect'],
    });
    const h = new Headers();
    for (const [k, v] of Object.entries(res.headers)) for (const one of Array.isArray(v) ? v : [v]) if (one !== undefined) h.append(k, one);
    const nullBody = [101, 204, 205, 304].includes(res.status);
    const out = new Response(nullBody ? null : new Uint8Array(res.body), {
      status: Math.max(res.status, 200),
      statusText: res.statusText,
      headers: h,
    });
    Object.defineProperty(out, 'url', { value: res.url });
    return out;
  };

  /** Sends that all share one socket (for connection-bound handshakes such as NTLM). */
  session(protocol: string): { send(req: PreparedRequest): Promise<RawResponse>; close(): void } {
    let agent: http.Agent | undefined;
    return {
      send: (req) => this.send(req, { agent: (agent ??= new (transport(protocol).Agent)({ keepAlive: true, maxSockets: 1 })) }),
      close: () => agent?.destroy(),
    };
  }

  /** Close every kept-alive socket (the process can then exit). */
  async close(): Promise<void> {
    for (const a of this.agents.values()) a.destroy();
    this.agents.clear();
    const proxies = [...this.proxies.values()];
    this.proxies.clear();
    await Promise.all(proxies.map((p) => p.close().catch(() => {})));
  }

  private async once(wire: WireRequest & { url: URL }, agent?: http.Agent): Promise<RawResponse> {
    const signal = wire.signal && this.opts.signal ? AbortSignal.any([wire.signal, this.opts.signal]) : (wire.signal ?? this.opts.signal);
    if (signal?.aborted) throw new CancelError();
    const proxy = proxyFor(wire.url, this.opts.env);
    const host = wire.url.hostname.replace(/^\[|\]$/g, '');
    if (wire.lookup && (proxy || load<typeof import('node:net')>('node:net').isIP(host))) {
      await lookupOnce(wire.lookup, host).catch((e) => {
        throw e instanceof CliError ? e : netError(e, wire.url);
      });
    }
    if (proxy) {
      // A session exists to keep every leg of a connection-bound handshake (NTLM) on one socket; the proxy path cannot promise that.
      if (agent) {
        throw new CliError(`Windows authentication cannot go through the proxy ${shownProxy(proxy)} (every step of the handshake must use one connection)`, {
          hint: `Add ${wire.url.hostname} to NO_PROXY.`,
        });
      }
      return this.viaProxy(proxy, wire, signal);
    }
    return this.direct(wire, agent, signal);
  }

  private direct(wire: WireRequest & { url: URL }, agent: http.Agent | undefined, signal: AbortSignal | undefined): Promise<RawResponse> {
    const url = wire.url;
    const mod = transport(url.protocol);
    agent ??= this.agent(url.protocol, mod);
    const body = typeof wire.body === 'string' ? Buffer.from(wire.body) : wire.body;
    const headers: Record<string, string> = { ...wire.headers };
    if (body && !Object.keys(headers).some((k) => k.toLowerCase() === 'content-length')) headers['Content-Length'] = String(body.length);
    const timeoutMs = wire.timeoutMs ?? this.timeoutMs;
    const connectMs = this.opts.connectTimeoutMs ?? Math.min(timeoutMs, 10_000);
    return new Promise<RawResponse>((resolve, reject) => {
      let r: http.ClientRequest;
      const onAbort = () => r.destroy(new CancelError());
      try {
        r = mod.request(url, { method: wire.method, headers, ...(wire.lookup ? { agent: false, lookup: wire.lookup } : { agent }) }, onResponse);
      } catch (e) {
        // Invalid header names/values (e.g. set by a policy from a connection value): node's message names the header, not the value.
        return reject(new CliError(`cannot send the request to ${url.host}: ${(e as Error).message}`));
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      const done = () => signal?.removeEventListener('abort', onAbort);
      function onResponse(res: http.IncomingMessage) {
        const chunks: Buffer[] = [];
        let total = 0;
        res.on('data', (c: Buffer) => {
          total += c.length;
          if (wire.maxBytes !== undefined && total > wire.maxBytes) {
            done();
            reject(tooLarge(url, wire.maxBytes));
            res.destroy();
            return r.destroy();
          }
          chunks.push(c);
        });
        res.on('end', () => {
          done();
          resolve({
            status: res.statusCode ?? 0,
            statusText: res.statusMessage ?? '',
            headers: res.headers as Record<string, string | string[]>,
            body: decode(Buffer.concat(chunks), res.headers['content-encoding']),
          });
        });
        res.on('error', (e) => {
          done();
          reject(e instanceof CliError ? e : netError(e, url));
        });
      }
      let phase = 'a response';
      r.on('socket', (s) => {
        if (!s.connecting) return;
        phase = 'the connection';
        const t = setTimeout(() => r.destroy(timeoutError(url, 'connecting', connectMs)), connectMs);
        s.once('connect', () => {
          clearTimeout(t);
          phase = 'a response';
        });
        s.once('secureConnect', () => clearTimeout(t));
        s.once('close', () => clearTimeout(t));
      });
      r.setTimeout(timeoutMs, () => r.destroy(timeoutError(url, `waiting for ${phase}`, timeoutMs)));
      r.on('error', (e) => {
        done();
        reject(e instanceof CliError ? e : netError(e, url));
      });
      r.end(body);
    });
  }

  private agent(protocol: string, mod: typeof http): http.Agent {
    let a = this.agents.get(protocol);
    if (!a) {
      a = new mod.Agent({ keepAlive: true });
      this.agents.set(protocol, a);
    }
    return a;
  }

  private async viaProxy(proxy: string, wire: WireRequest & { url: URL }, signal: AbortSignal | undefined): Promise<RawResponse> {
    const { request, ProxyAgent } = load<typeof import('undici')>('undici');
    const timeoutMs = wire.timeoutMs ?? this.timeoutMs;
    let dispatcher = this.proxies.get(proxy) as InstanceType<typeof ProxyAgent> | undefined;
    if (!dispatcher) {
      dispatcher = new ProxyAgent({ uri: proxy, connect: { timeout: this.opts.connectTimeoutMs ?? Math.min(timeoutMs, 10_000) } });
      this.proxies.set(proxy, dispatcher);
    }
    const url = wire.url;
    try {
      const res = await request(url, {
        method: wire.method as 'GET',
        headers: wire.headers,
        body: wire.body,
        dispatcher,
        signal,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      const chunks: Buffer[] = [];
      let total = 0;
      for await (const c of res.body) {
        total += (c as Buffer).length;
        if (wire.maxBytes !== undefined && total > wire.maxBytes) {
          res.body.destroy();
          throw tooLarge(url, wire.maxBytes);
        }
        chunks.push(c as Buffer);
      }
      return {
        status: res.statusCode,
        statusText: transport('http:').STATUS_CODES[res.statusCode] ?? '',
        headers: res.headers as Record<string, string | string[]>,
        body: decode(Buffer.concat(chunks), res.headers['content-encoding'] as string | undefined),
      };
    } catch (e) {
      if (e instanceof CliError) throw e;
      if (signal?.aborted) throw new CancelError();
      const err = e as NodeJS.ErrnoException;
      if (/Timeout/.test(err.code ?? '')) throw timeoutError(url, `via the proxy ${shownProxy(proxy)}`, timeoutMs);
      const cause = (err.cause as (NodeJS.ErrnoException & { address?: string; port?: number }) | undefined) ?? err;
      // The proxy itself is down or unknown: name it (and where it was configured), not the target.
      const p = new URL(proxy);
      const atProxy = (cause as { port?: number }).port === Number(p.port || (p.protocol === 'https:' ? 443 : 80)) || cause.code === 'ENOTFOUND';
      if (atProxy && ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET'].includes(cause.code ?? '')) {
        const e2 = new CliError(`cannot reach the proxy ${shownProxy(proxy)} (${cause.code}) for ${url.host}`, {
          cause: e,
          hint: `Check HTTPS_PROXY / HTTP_PROXY, or add ${url.hostname} to NO_PROXY.`,
        });
        (e2 as { code?: string }).code = cause.code;
        throw e2;
      }
      // The proxy itself refused or answered the CONNECT with an error.
      if (/proxy/i.test(err.message) && !cause.code)
        throw new CliError(`the proxy ${shownProxy(proxy)} refused the request to ${url.host}: ${err.message}`, { cause: e });
      throw netError(cause, url);
    }
  }
}

function lookupOnce(lookup: LookupFunction, host: string): Promise<void> {
  return new Promise((resolve, reject) => lookup(host, { all: true }, (e) => (e ? reject(e) : resolve())));
}

function decode(buf: Buffer, encoding: string | string[] | undefined): Buffer {
  const enc = (Array.isArray(encoding) ? encoding[0] : encoding)?.trim().toLowerCase();
  if (!enc || enc === 'identity' || buf.length === 0) return buf;
  const zlib = load<typeof import('node:zlib')>('node:zlib');
  try {
    if (enc === 'gzip' || enc === 'x-gzip') return zlib.gunzipSync(buf);
    if (enc === 'deflate') return zlib.inflateSync(buf);
    if (enc === 'br') return zlib.brotliDecompressSync(buf);
  } catch {
    return buf;
  }
  return buf;
}

function tooLarge(url: URL, max: number): CliError {
  return new CliError(`the answer from ${url.host} is larger than ${max >= 1024 * 1024 ? `${Math.round(max / 1024 / 1024)} MB` : `${max} bytes`}`);
}

function timeoutError(url: URL, what: string, ms: number): CliError {
  const e = new CliError(`timed out after ${ms / 1000} s ${what} (${url.host})`, { hint: 'Raise it with --timeout <seconds>.' });
  (e as { code?: string }).code = 'ETIMEDOUT';
  return e;
}

function netError(e: unknown, url: URL): Error {
  const err = e as NodeJS.ErrnoException;
  const code = err.code ?? '';
  const where = url.host;
  let msg: string;
  switch (code) {
    case 'ECONNREFUSED':
      msg = `cannot connect to ${where}: connection refused`;
      break;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      msg = `cannot resolve host ${url.hostname}`;
      break;
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
      msg = `connection to ${where} was reset`;
      break;
    default:
      msg = /CERT|SSL|TLS/.test(code) ? `TLS error talking to ${where}: ${err.message}` : `request to ${where} failed: ${err.message}`;
  }
  const out = new CliError(msg, { cause: e, hint: code === 'ENOTFOUND' ? 'Check the host, or pass --base-url.' : undefined });
  (out as { code?: string }).code = code;
  return out;
}
