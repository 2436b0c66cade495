import type * as O from 'oauth4webapi';
import { CancelError, CliError } from '../errors.js';
import { load } from '../util/load.js';
import type { ClientCertificate } from './assertion.js';
import { clean } from './loopback.js';
import type { ClientAuth, TokenCallOptions } from './token.js';
import { isLoopback } from '../http/proxy.js';

/**
 * The seam to oauth4webapi (panva), which builds, sends and checks every OAuth
 * request here: token grants, device authorization, revocation, discovery,
 * PKCE and client authentication. Everything it sends goes through the caller's
 * `fetch` (the context's HttpClient: proxy, CAs, Ctrl-C), never the global one.
 * What stays ours is what real servers need and the library (rightly) refuses;
 * see `conform`, `basic` and `requireSecureEndpoint`.
 */
export type Oauth = typeof O;

/** A WHATWG fetch (HttpClient.fetch). Required: oauth4webapi would otherwise use the global fetch, which ignores HTTPS_PROXY. */
export type Fetch = (url: string, init: RequestInit) => Promise<Response>;

/** oauth4webapi, loaded on the first OAuth call only (ESM-only; load() require()s it, see util/load.ts). */
export function oauth(): Oauth {
  return load<Oauth>('oauth4webapi');
}

type Kind = 'token_endpoint' | 'device_authorization_endpoint' | 'revocation_endpoint';

/** The library's arguments for one call to one endpoint. */
export interface Call {
  as: O.AuthorizationServer;
  client: O.Client;
  auth: O.ClientAuth;
  options: O.HttpRequestOptions<'POST', URLSearchParams>;
}

/**
 * Arguments for a POST to an OAuth endpoint: https or loopback only, the
 * client's authentication, a timeout, and a transport failure as one line
 * naming the endpoint (`originOnly`: by its origin, as for device and
 * revocation endpoints, else origin + path).
 */
export function endpoint(o: Oauth, kind: Kind, url: string, what: string, c: ClientAuth, opts: TokenCallOptions, originOnly = false): Call {
  requireSecureEndpoint(url, what);
  const u = new URL(url);
  return {
    // No metadata document here: the endpoint is all the library needs (the issuer is a placeholder; see privateKeyJwt and conform).
    as: { issuer: u.origin, [kind]: url },
    client: { client_id: c.clientId },
    auth: clientAuth(o, c, url),
    options: transport(o, opts, `the ${what} ${originOnly ? u.origin : `${u.origin}${u.pathname}`}`, u.protocol === 'http:'),
  };
}

/**
 * The library's transport options: the caller's fetch, a per-request timeout,
 * Ctrl-C. `http` is allowed only where requireSecureEndpoint (or discover) has
 * checked it is loopback: local servers and tests have no TLS.
 */
export function transport(
  o: Oauth,
  opts: { fetch: Fetch; signal?: AbortSignal; timeoutMs?: number },
  shown: string,
  http: boolean,
): O.HttpRequestOptions<'POST', URLSearchParams> & O.HttpRequestOptions<'GET'> {
  const send = opts.fetch;
  if (typeof send !== 'function') throw new TypeError("OAuth calls need the HTTP client's fetch (ctx.http.fetch)");
  const timeout = AbortSignal.timeout(opts.timeoutMs ?? 30_000);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  return {
    signal,
    // Marked @deprecated upstream "to make it stand out": meant for local non-TLS servers, which is all it is used for here.
    [o.allowInsecureRequests]: http,
    [o.customFetch]: async (url: string, init: O.CustomFetchOptions<string, unknown>) => {
      try {
        return await send(url, init as RequestInit);
      } catch (e) {
        if (opts.signal?.aborted) throw new CancelError();
        if (e instanceof CancelError && !timeout.aborted) throw e;
        const err = e as { code?: string; message?: string; cause?: { code?: string; message?: string } };
        const why = timeout.aborted || err.code === 'ETIMEDOUT' ? 'timed out' : err.code || err.cause?.code || err.cause?.message || err.message;
        throw new CliError(`could not reach ${shown}: ${why}`);
      }
    },
  };
}

/**
 * Client secrets, codes and refresh tokens go only to https endpoints, or plain
 * http on loopback (RFC 6749 §3.2 requires TLS; local test servers need http).
 * Checked here, before the library's own https rule, for the message and hint.
 */
export function requireSecureEndpoint(url: string, what: string): void {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new CliError(`the ${what} URL is not a valid URL: ${clean(url)}`, { hint: "Check the connector's OAuth settings, or use --provider." });
  }
  if (u.protocol === 'https:' || (u.protocol === 'http:' && isLoopback(u.hostname))) return;
  throw new CliError(`refusing to send OAuth credentials to the ${what} ${u.origin}: it is not https`, {
    hint: "Check the connector's OAuth settings, or use --provider.",
  });
}

/** Our client description as the library's client authentication. Default: private_key_jwt with a certificate, post with a secret, else none. */
function clientAuth(o: Oauth, c: ClientAuth, tokenUrl: string): O.ClientAuth {
  const method = c.method ?? (c.certificate ? 'private_key_jwt' : c.clientSecret !== undefined ? 'client_secret_post' : 'none');
  switch (method) {
    case 'none':
      return o.None();
    case 'client_secret_post':
      return o.ClientSecretPost(need(c.clientSecret, 'a client secret'));
    case 'client_secret_basic':
      return basic(need(c.clientSecret, 'a client secret'));
    case 'private_key_jwt':
      return privateKeyJwt(o, need(c.certificate, 'a certificate'), tokenUrl);
  }
}

/**
 * client_secret_basic, ours: RFC 6749 §2.3.1 form-urlencodes both halves, and the
 * library does so strictly (`-` `.` `_` `~` become %2D %2E %5F %7E). Servers that
 * never decode the Basic credentials (DocuSign's guide says base64(key:secret))
 * then see a different secret; encodeURIComponent leaves those characters as
 * they are, which decoding servers read the same.
 */
function basic(secret: string): O.ClientAuth {
  return (_as, client, _body, headers) => {
    const enc = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
    headers.set('authorization', `Basic ${Buffer.from(`${enc(client.client_id)}:${enc(secret)}`).toString('base64')}`);
  };
}

/**
 * private_key_jwt (RFC 7523) signed by the library, with what Entra ID needs:
 * `x5t#S256` and `x5t` (SHA-1, older tenants) naming the certificate, the token
 * endpoint as audience (the library uses the issuer), valid 5 minutes.
 */
function privateKeyJwt(o: Oauth, cert: ClientCertificate, tokenUrl: string): O.ClientAuth {
  return async (as, client, body, headers) => {
    // Node 20's KeyObject has no toCryptoKey(); WebCrypto imports the same key as PKCS#8.
    const der = cert.privateKey.export({ format: 'der', type: 'pkcs8' });
    const alg = cert.alg === 'ES256' ? { name: 'ECDSA', namedCurve: 'P-256' } : { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
    const key = await globalThis.crypto.subtle.importKey('pkcs8', der, alg, false, ['sign']);
    const sign = o.PrivateKeyJwt(key, {
      [o.modifyAssertion]: (header, payload) => {
        Object.assign(header, { typ: 'JWT', 'x5t#S256': cert.thumbprintS256, x5t: cert.thumbprintSha1 });
        payload.aud = tokenUrl;
        payload.exp = (payload.iat as number) + 300;
      },
    });
    await sign(as, client, body, headers);
  };
}

function need<T>(v: T | undefined, what: string): T {
  if (v === undefined || v === '')
    throw new CliError(`this client authentication needs ${what}`, { hint: 'Pass --client-secret-env VAR, --client-secret-stdin or --certificate file.' });
  return v;
}

/** A conformed answer: what the library reads, the status the server really sent, and the parsed body. */
export interface Conformed {
  response: Response;
  status: number;
  body?: Record<string, unknown>;
}

/**
 * Make a real server's answer into the RFC 6749 shape oauth4webapi checks: a JSON
 * body (GitHub answers form-encoded without `Accept`, some label JSON text/html),
 * an OAuth error as a 4xx whatever the status (GitHub sends errors with 200, some
 * gateways with 5xx), any other 2xx as 200, and no WWW-Authenticate (the body's
 * error says more than the challenge). `fix` edits a success body first.
 * `errorsIn2xx: false` for revocation, where a 2xx means done whatever it says.
 */
export async function conform(res: Response, fix?: (body: Record<string, unknown>) => void, errorsIn2xx = true): Promise<Conformed> {
  const text = await res.text();
  const type = res.headers.get('content-type') ?? '';
  const body = parseTokenBody(type, text);
  const ok = res.status >= 200 && res.status < 300;
  let status = ok ? 200 : res.status;
  if (!body) return { response: new Response(status === 304 ? null : text, { status, headers: type ? { 'content-type': type } : {} }), status: res.status };
  if (typeof body.error === 'string' && (!ok || errorsIn2xx)) {
    if (status < 400 || status > 499) status = 400;
  } else if (ok) fix?.(body);
  return { response: new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } }), status: res.status, body };
}

/** Parse an OAuth endpoint body as JSON or form-encoded; undefined when it is neither. */
export function parseTokenBody(contentType: string, text: string): Record<string, unknown> | undefined {
  const t = text.trim();
  if (/json/i.test(contentType) || t.startsWith('{')) {
    try {
      const v: unknown = JSON.parse(t);
      return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  }
  if (/x-www-form-urlencoded|text\/plain/i.test(contentType) || /^[\w.~-]+=/.test(t)) {
    return Object.fromEntries(new URLSearchParams(t));
  }
  return undefined;
}

/** Parameters without the undefined ones (the library takes strings only). */
export function defined(params: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined));
}
