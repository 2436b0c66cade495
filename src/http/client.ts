import http from 'node:http';
import { CliError } from '../errors.js';
import type { PreparedRequest, RawResponse } from './types.js';
import { requestUrl } from './headers.js';
import { load } from '../util/load.js';

/**
 * The HTTP client. The hot path is node:http/https with a keep-alive Agent:
 * importing undici costs ~60 ms here (its WASM parser compiles at load) against
 * ~0 for node:http, and one `connector run` must stay near `node -e 0`. undici
 * is loaded only when HTTP(S)_PROXY applies to the target (its EnvHttpProxyAgent
 * honours NO_PROXY), where its proxy support is worth the cost.
 */
export interface ClientOptions {
  /** Idle timeout while waiting for headers and between body chunks. */
  timeoutMs: number;
  /** Connect timeout (default: min(timeoutMs, 10 s)). */
  connectTimeoutMs?: number;
  env: NodeJS.ProcessEnv;
}

export interface RetryOptions {
  retries: number;
  /** First backoff step (doubles each attempt, with jitter). */
  baseDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  onRetry?: (info: { attempt: number; reason: string; delayMs: number }) => void;
}

export const RETRY_STATUS = new Set([408, 429, 502, 503, 504]);
const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE']);
const RETRY_ERRORS = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET']);
export const RETRY_AFTER_CAP_MS = 30_000;

/** node:https pulls in TLS (about 8 ms): loaded only for https URLs. */
async function transport(protocol: string): Promise<typeof http> {
  return protocol === 'https:' ? (load<typeof import('node:https')>('node:https') as unknown as typeof http) : http;
}

export class HttpClient {
  private readonly agents = new Map<string, http.Agent>();
  constructor(private readonly opts: ClientOptions) {}

  /** One attempt, no retries. Network failures become CliErrors with one clear line. */
  async send(req: PreparedRequest, agent?: http.Agent): Promise<RawResponse> {
    const url = new URL(requestUrl(req));
    const proxy = proxyFor(url, this.opts.env);
    if (proxy) {
      // A session exists to keep every leg of a connection-bound handshake (NTLM) on one socket; the proxy path cannot promise that.
      if (agent) {
        throw new CliError(`Windows authentication cannot go through the proxy ${new URL(proxy).host} (every step of the handshake must use one connection)`, {
          hint: `Add ${url.hostname} to NO_PROXY.`,
        });
      }
      return this.sendViaUndici(url, req);
    }
    const mod = await transport(url.protocol);
    agent ??= this.agent(url.protocol, mod);
    const body = req.body;
    const headers: Record<string, string> = { ...req.headers };
    if (body && !Object.keys(headers).some((k) => k.toLowerCase() === 'content-length')) headers['Content-Length'] = String(body.length);
    const connectMs = this.opts.connectTimeoutMs ?? Math.min(this.opts.timeoutMs, 10_000);
    return new Promise<RawResponse>((resolve, reject) => {
      let r: http.ClientRequest;
      try {
        r = mod.request(url, { method: req.method, headers, agent }, onResponse);
      } catch (e) {
        // Invalid header names/values (e.g. set by a policy from a connection value): node's message names the header, not the value.
        return reject(new CliError(`cannot send the request to ${url.host}: ${(e as Error).message}`));
      }
      function onResponse(res: http.IncomingMessage) {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          void decode(Buffer.concat(chunks), res.headers['content-encoding']).then(
            (buf) =>
              resolve({
                status: res.statusCode ?? 0,
                statusText: res.statusMessage ?? '',
                headers: res.headers as Record<string, string | string[]>,
                body: buf,
              }),
            reject,
          );
        });
        res.on('error', (e) => reject(netError(e, url)));
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
      r.setTimeout(this.opts.timeoutMs, () => r.destroy(timeoutError(url, `waiting for ${phase}`, this.opts.timeoutMs)));
      r.on('error', (e) => reject(e instanceof CliError ? e : netError(e, url)));
      r.end(body);
    });
  }

  /** Sends that all share one socket (for connection-bound handshakes such as NTLM). */
  session(protocol: string): { send(req: PreparedRequest): Promise<RawResponse>; close(): void } {
    let agent: Promise<http.Agent> | undefined;
    const shared = () => (agent ??= transport(protocol).then((m) => new m.Agent({ keepAlive: true, maxSockets: 1 })));
    return {
      send: async (req) => this.send(req, await shared()),
      close: () => void agent?.then((a) => a.destroy()),
    };
  }

  close(): void {
    for (const a of this.agents.values()) a.destroy();
    this.agents.clear();
  }

  private agent(protocol: string, mod: typeof http): http.Agent {
    let a = this.agents.get(protocol);
    if (!a) {
      a = new mod.Agent({ keepAlive: true });
      this.agents.set(protocol, a);
    }
    return a;
  }

  private async sendViaUndici(url: URL, req: PreparedRequest): Promise<RawResponse> {
    const { request, EnvHttpProxyAgent } = load<typeof import('undici')>('undici');
    const dispatcher = new EnvHttpProxyAgent({
      httpProxy: this.opts.env.HTTP_PROXY ?? this.opts.env.http_proxy,
      httpsProxy: this.opts.env.HTTPS_PROXY ?? this.opts.env.https_proxy,
      noProxy: this.opts.env.NO_PROXY ?? this.opts.env.no_proxy,
      connect: { timeout: this.opts.connectTimeoutMs ?? Math.min(this.opts.timeoutMs, 10_000) },
    });
    try {
      const res = await request(url, {
        method: req.method as any,
        headers: req.headers,
        body: req.body,
        dispatcher,
        headersTimeout: this.opts.timeoutMs,
        bodyTimeout: this.opts.timeoutMs,
      });
      const body = Buffer.from(await res.body.arrayBuffer());
      return {
        status: res.statusCode,
        statusText: http.STATUS_CODES[res.statusCode] ?? '',
        headers: res.headers as Record<string, string | string[]>,
        body: await decode(body, res.headers['content-encoding'] as string | undefined),
      };
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (/Timeout/.test(err.code ?? '')) throw timeoutError(url, 'via the proxy', this.opts.timeoutMs);
      throw netError((err.cause as Error) ?? err, url);
    } finally {
      await dispatcher.close();
    }
  }
}

/**
 * Send with retries: GET/HEAD/PUT/DELETE on 408/429/502/503/504 and connection
 * resets, exponential backoff with jitter, Retry-After honoured (capped at 30 s).
 */
export async function withRetries(send: () => Promise<RawResponse>, method: string, opts: RetryOptions): Promise<RawResponse> {
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const random = opts.random ?? Math.random;
  const base = opts.baseDelayMs ?? 500;
  const retryable = IDEMPOTENT.has(method.toUpperCase());
  for (let attempt = 0; ; attempt++) {
    const backoff = () => Math.round(base * 2 ** attempt * (0.5 + random() / 2));
    let res: RawResponse;
    try {
      res = await send();
    } catch (e) {
      const code = (e as { code?: string }).code ?? (e as { cause?: { code?: string } }).cause?.code;
      if (!retryable || attempt >= opts.retries || !code || !RETRY_ERRORS.has(code)) throw e;
      const delayMs = backoff();
      opts.onRetry?.({ attempt: attempt + 1, reason: code, delayMs });
      await sleep(delayMs);
      continue;
    }
    if (!retryable || attempt >= opts.retries || !RETRY_STATUS.has(res.status)) return res;
    const delayMs = retryAfterMs(res.headers['retry-after']) ?? backoff();
    opts.onRetry?.({ attempt: attempt + 1, reason: `HTTP ${res.status}`, delayMs });
    await sleep(delayMs);
  }
}

/** Retry-After as delay-seconds or an HTTP date, capped at 30 s. */
export function retryAfterMs(h: string | string[] | undefined, now = Date.now()): number | undefined {
  const v = Array.isArray(h) ? h[0] : h;
  if (!v) return undefined;
  let ms: number;
  if (/^\s*\d+(\.\d+)?\s*$/.test(v)) ms = Number(v) * 1000;
  else {
    const t = Date.parse(v);
    if (Number.isNaN(t)) return undefined;
    ms = Math.max(0, t - now);
  }
  return Math.min(ms, RETRY_AFTER_CAP_MS);
}

/** The proxy URL that applies to `url`, honouring NO_PROXY; undefined → direct. */
export function proxyFor(url: URL, env: NodeJS.ProcessEnv): string | undefined {
  const proxy = url.protocol === 'https:' ? env.HTTPS_PROXY ?? env.https_proxy : env.HTTP_PROXY ?? env.http_proxy;
  if (!proxy) return undefined;
  const noProxy = (env.NO_PROXY ?? env.no_proxy ?? '').split(/[\s,]+/).filter(Boolean);
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = url.port;
  for (const entry0 of noProxy) {
    if (entry0 === '*') return undefined;
    const [entry, ePort] = entry0.toLowerCase().split(/:(?=\d+$)/);
    if (ePort && ePort !== port) continue;
    const bare = entry.replace(/^\*?\./, '');
    if (host === bare || host.endsWith(`.${bare}`)) return undefined;
  }
  return proxy;
}

export function isLoopback(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

async function decode(buf: Buffer, encoding: string | string[] | undefined): Promise<Buffer> {
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
      msg = `connection to ${where} was reset`;
      break;
    default:
      msg = /CERT|SSL|TLS/.test(code) ? `TLS error talking to ${where}: ${err.message}` : `request to ${where} failed: ${err.message}`;
  }
  const out = new CliError(msg, { cause: e, hint: code === 'ENOTFOUND' ? 'Check the host, or pass --base-url.' : undefined });
  (out as { code?: string }).code = code;
  return out;
}
