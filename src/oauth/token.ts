import { AuthError, CancelError, CliError } from '../errors.js';
import { clientAssertion, type ClientCertificate } from './assertion.js';
import { clean } from './loopback.js';

export type ClientAuthMethod = 'none' | 'client_secret_post' | 'client_secret_basic' | 'private_key_jwt';

/** How the client identifies itself at the token endpoint. */
export interface ClientAuth {
  clientId: string;
  /** Default: private_key_jwt with a certificate, client_secret_post with a secret, else none (public client). */
  method?: ClientAuthMethod;
  clientSecret?: string;
  certificate?: ClientCertificate;
}

/** A successful token response, normalised (expires_in a number, token_type present). */
export interface TokenResponse {
  access_token: string;
  token_type: string;
  expires_in?: number;
  refresh_token?: string;
  scope?: string;
  id_token?: string;
}

export interface TokenCallOptions {
  /** The connection as `K/C`, for the "run: connector connection login K/C" hint. */
  connection?: string;
  fetch?: typeof fetch;
  signal?: AbortSignal;
  /** Per-request timeout (default 30 s). */
  timeoutMs?: number;
}

/** An OAuth error response (RFC 6749 §5.2). Exit code 4; `code` is the wire `error` value. */
export class OAuthError extends AuthError {
  readonly code: string;
  readonly description?: string;
  constructor(code: string, message: string, hint?: string, description?: string) {
    super(message, hint);
    this.name = 'OAuthError';
    this.code = code;
    this.description = description;
  }
}

type Grant = 'authorization_code' | 'refresh_token' | 'client_credentials' | 'device_code';

/**
 * POST an authenticated form to an OAuth endpoint (token, device authorization,
 * revocation): https or loopback only, the client's authentication, no redirects,
 * a timeout, and a transport failure as one line naming the endpoint.
 */
export async function postForm(
  url: string,
  what: string,
  params: Record<string, string | undefined>,
  client: ClientAuth,
  opts: TokenCallOptions = {},
  /** Name the endpoint by its origin only (device and revocation endpoints), not origin + path. */
  originOnly = false,
): Promise<{ res: Response; text: string }> {
  requireSecureEndpoint(url, what);
  const body = new URLSearchParams();
  const headers: Record<string, string> = { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' };
  applyClientAuth(body, headers, client, url);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) body.set(k, v);
  const timeout = AbortSignal.timeout(opts.timeoutMs ?? 30_000);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  try {
    const res = await (opts.fetch ?? fetch)(url, { method: 'POST', headers, body: body.toString(), redirect: 'error', signal });
    return { res, text: await res.text() };
  } catch (e) {
    if (opts.signal?.aborted) throw new CancelError();
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    const why = timeout.aborted ? 'timed out' : (cause?.code ?? cause?.message ?? (e as Error).message);
    throw new CliError(`could not reach the ${what} ${originOnly ? new URL(url).origin : origin(url)}: ${why}`);
  }
}

/**
 * POST a grant to the token endpoint. Tolerates what real servers send: JSON
 * or form-encoded bodies, expires_in as a string, no token_type, and OAuth
 * errors with status 200.
 */
export async function tokenRequest(
  tokenUrl: string,
  params: Record<string, string | undefined>,
  client: ClientAuth,
  opts: TokenCallOptions = {},
  grant: Grant = (params.grant_type as Grant) ?? 'authorization_code',
): Promise<TokenResponse> {
  const { res, text } = await postForm(tokenUrl, 'token endpoint', params, client, opts);
  const parsed = parseTokenBody(res.headers.get('content-type') ?? '', text);
  if (parsed && typeof parsed.error === 'string') throw oauthError(parsed, grant, opts.connection);
  if (!res.ok) {
    if (res.status === 401) throw new OAuthError('invalid_client', `the token endpoint ${origin(tokenUrl)} rejected the client (HTTP 401)`, 'Check the client id, secret or certificate.');
    throw new CliError(`the token endpoint ${origin(tokenUrl)} answered HTTP ${res.status}`);
  }
  if (!parsed || typeof parsed.access_token !== 'string' || parsed.access_token === '') {
    throw new CliError(`the token endpoint ${origin(tokenUrl)} answered without an access_token`);
  }
  return normalise(parsed);
}

/**
 * Client secrets, codes and refresh tokens go only to https endpoints, or plain
 * http on loopback (RFC 6749 §3.2 requires TLS; local test servers need http).
 */
export function requireSecureEndpoint(url: string, what: string): void {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new CliError(`the ${what} URL is not a valid URL: ${clean(url)}`, { hint: "Check the connector's OAuth settings, or use --provider." });
  }
  // The same loopback test as the run path's (http/client.ts isLoopback); oauth/ stays free of http/ imports.
  const host = u.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const loopback = host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
  if (u.protocol === 'https:' || (u.protocol === 'http:' && loopback)) return;
  throw new CliError(`refusing to send OAuth credentials to the ${what} ${u.origin}: it is not https`, {
    hint: "Check the connector's OAuth settings, or use --provider.",
  });
}

/** Parse a token endpoint body as JSON or form-encoded; undefined when it is neither. */
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

function normalise(p: Record<string, unknown>): TokenResponse {
  const out: TokenResponse = {
    access_token: p.access_token as string,
    token_type: typeof p.token_type === 'string' && p.token_type ? p.token_type : 'Bearer',
  };
  if (/^bearer$/i.test(out.token_type)) out.token_type = 'Bearer';
  const exp = typeof p.expires_in === 'string' ? Number(p.expires_in.trim()) : p.expires_in;
  if (typeof exp === 'number' && Number.isFinite(exp) && exp > 0) out.expires_in = exp;
  if (typeof p.refresh_token === 'string' && p.refresh_token) out.refresh_token = p.refresh_token;
  if (typeof p.scope === 'string') out.scope = p.scope;
  else if (Array.isArray(p.scope)) out.scope = p.scope.join(' ');
  if (typeof p.id_token === 'string') out.id_token = p.id_token;
  return out;
}

function oauthError(p: Record<string, unknown>, grant: Grant, connection?: string): OAuthError {
  const code = clean(String(p.error), 60);
  const description = typeof p.error_description === 'string' ? clean(p.error_description) : undefined;
  const detail = description ? `: ${description}` : '';
  const login = connection ? `run: connector connection login ${connection}` : 'Sign in again.';
  switch (code) {
    case 'invalid_grant':
      if (grant === 'refresh_token') {
        return new OAuthError(code, `the sign-in has expired or was revoked (invalid_grant${detail})`, login, description);
      }
      if (grant === 'authorization_code') {
        return new OAuthError(code, `the authorization code was refused (invalid_grant${detail})`, login, description);
      }
      return new OAuthError(code, `the token endpoint refused the grant (invalid_grant${detail})`, login, description);
    case 'invalid_client':
    case 'unauthorized_client':
      return new OAuthError(code, `the token endpoint rejected the client (${code}${detail})`, 'Check the client id, secret or certificate.', description);
    case 'invalid_scope':
      return new OAuthError(code, `the token endpoint rejected the scopes (${code}${detail})`, 'Check --scope.', description);
    default:
      return new OAuthError(code, `the token endpoint refused the request (${code}${detail})`, undefined, description);
  }
}

/** Add the client authentication to a token/revocation request (body fields or a Basic header). */
export function applyClientAuth(body: URLSearchParams, headers: Record<string, string>, c: ClientAuth, tokenUrl: string): void {
  const method = c.method ?? (c.certificate ? 'private_key_jwt' : c.clientSecret !== undefined ? 'client_secret_post' : 'none');
  switch (method) {
    case 'none':
      body.set('client_id', c.clientId);
      return;
    case 'client_secret_post':
      body.set('client_id', c.clientId);
      body.set('client_secret', need(c.clientSecret, 'a client secret'));
      return;
    case 'client_secret_basic': {
      // RFC 6749 §2.3.1: both halves are form-urlencoded before base64.
      const enc = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
      const pair = `${enc(c.clientId)}:${enc(need(c.clientSecret, 'a client secret'))}`;
      headers.authorization = `Basic ${Buffer.from(pair).toString('base64')}`;
      return;
    }
    case 'private_key_jwt':
      body.set('client_id', c.clientId);
      body.set('client_assertion_type', 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
      body.set('client_assertion', clientAssertion(need(c.certificate, 'a certificate'), c.clientId, tokenUrl));
      return;
  }
}

function need<T>(v: T | undefined, what: string): T {
  if (v === undefined) throw new CliError(`this client authentication needs ${what}`, { hint: 'Pass --client-secret-env VAR, --client-secret-stdin or --certificate file.' });
  return v;
}

function origin(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return url;
  }
}

/** authorization_code grant with the PKCE verifier (RFC 6749 §4.1.3, RFC 7636 §4.5). */
export function exchangeCode(
  a: { tokenUrl: string; code: string; redirectUri: string; codeVerifier?: string; client: ClientAuth; extra?: Record<string, string> },
  opts?: TokenCallOptions,
): Promise<TokenResponse> {
  return tokenRequest(
    a.tokenUrl,
    { grant_type: 'authorization_code', code: a.code, redirect_uri: a.redirectUri, code_verifier: a.codeVerifier, ...a.extra },
    a.client,
    opts,
    'authorization_code',
  );
}

/** refresh_token grant (RFC 6749 §6). The response may omit refresh_token: keep the old one then. */
export function refreshGrant(
  a: { tokenUrl: string; refreshToken: string; scope?: string; client: ClientAuth; extra?: Record<string, string> },
  opts?: TokenCallOptions,
): Promise<TokenResponse> {
  return tokenRequest(a.tokenUrl, { grant_type: 'refresh_token', refresh_token: a.refreshToken, scope: a.scope, ...a.extra }, a.client, opts, 'refresh_token');
}

/** client_credentials grant (RFC 6749 §4.4), with a secret or a certificate. */
export function clientCredentialsGrant(
  a: { tokenUrl: string; scope?: string; client: ClientAuth; extra?: Record<string, string> },
  opts?: TokenCallOptions,
): Promise<TokenResponse> {
  return tokenRequest(a.tokenUrl, { grant_type: 'client_credentials', scope: a.scope, ...a.extra }, a.client, opts, 'client_credentials');
}

/** One device_code poll (RFC 8628 §3.4). authorization_pending / slow_down surface as OAuthError codes. */
export function deviceCodeGrant(a: { tokenUrl: string; deviceCode: string; client: ClientAuth }, opts?: TokenCallOptions): Promise<TokenResponse> {
  return tokenRequest(
    a.tokenUrl,
    { grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: a.deviceCode },
    a.client,
    opts,
    'device_code',
  );
}
