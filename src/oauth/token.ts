import { AuthError, CliError } from '../errors.js';
import type { ClientCertificate } from './assertion.js';
import { conform, defined, endpoint, oauth, type Call, type Conformed, type Fetch, type Oauth } from './library.js';
import { clean } from './loopback.js';

export { parseTokenBody, requireSecureEndpoint, type Fetch } from './library.js';

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
  /** The context's HTTP client (`ctx.http.fetch`): every OAuth request goes through it. */
  fetch: Fetch;
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
const GRANT_TYPES: Record<Grant, string> = {
  authorization_code: 'authorization_code',
  refresh_token: 'refresh_token',
  client_credentials: 'client_credentials',
  device_code: 'urn:ietf:params:oauth:grant-type:device_code',
};

/**
 * POST any grant to the token endpoint (oauth2generic body templates use this
 * directly). Tolerates what real servers send: JSON or form-encoded bodies,
 * expires_in as a string, no token_type, and OAuth errors with status 200.
 */
export function tokenRequest(
  tokenUrl: string,
  params: Record<string, string | undefined>,
  client: ClientAuth,
  opts: TokenCallOptions,
  grant: Grant = (params.grant_type as Grant) ?? 'authorization_code',
): Promise<TokenResponse> {
  const { grant_type, ...rest } = params;
  return grantCall(tokenUrl, client, opts, grant, (o, c) =>
    o.genericTokenEndpointRequest(c.as, c.client, c.auth, grant_type ?? GRANT_TYPES[grant] ?? grant, defined(rest), c.options),
  );
}

/** authorization_code grant with the PKCE verifier (RFC 6749 §4.1.3, RFC 7636 §4.5). */
export function exchangeCode(
  a: { tokenUrl: string; code: string; redirectUri: string; codeVerifier?: string; client: ClientAuth; extra?: Record<string, string> },
  opts: TokenCallOptions,
): Promise<TokenResponse> {
  // Not authorizationCodeGrantRequest: it takes only the callback parameters validateAuthResponse() returns, and
  // loopback.ts has already checked those (state, RFC 9207 iss, error) before a code reaches here.
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
  opts: TokenCallOptions,
): Promise<TokenResponse> {
  const additionalParameters = defined({ scope: a.scope, ...a.extra });
  return grantCall(a.tokenUrl, a.client, opts, 'refresh_token', (o, c) =>
    o.refreshTokenGrantRequest(c.as, c.client, c.auth, a.refreshToken, { ...c.options, additionalParameters }),
  );
}

/** client_credentials grant (RFC 6749 §4.4), with a secret or a certificate. */
export function clientCredentialsGrant(
  a: { tokenUrl: string; scope?: string; client: ClientAuth; extra?: Record<string, string> },
  opts: TokenCallOptions,
): Promise<TokenResponse> {
  return grantCall(a.tokenUrl, a.client, opts, 'client_credentials', (o, c) =>
    o.clientCredentialsGrantRequest(c.as, c.client, c.auth, defined({ scope: a.scope, ...a.extra }), c.options),
  );
}

/** One device_code poll (RFC 8628 §3.4). authorization_pending / slow_down surface as OAuthError codes. */
export function deviceCodeGrant(a: { tokenUrl: string; deviceCode: string; client: ClientAuth }, opts: TokenCallOptions): Promise<TokenResponse> {
  return grantCall(a.tokenUrl, a.client, opts, 'device_code', (o, c) => o.deviceCodeGrantRequest(c.as, c.client, c.auth, a.deviceCode, c.options));
}

/** Send one grant with the library, then check the answer with it (after `conform` and `fixToken`). */
async function grantCall(
  tokenUrl: string,
  client: ClientAuth,
  opts: TokenCallOptions,
  grant: Grant,
  send: (o: Oauth, c: Call) => Promise<Response>,
): Promise<TokenResponse> {
  const o = oauth();
  const call = endpoint(o, 'token_endpoint', tokenUrl, 'token endpoint', client, opts);
  let raw: { token_type?: unknown; id_token?: unknown } = {};
  const c = await conform(await send(o, call), (b) => {
    raw = { token_type: b.token_type, id_token: b.id_token };
    fixToken(b);
  });
  const type = typeof c.body?.token_type === 'string' ? c.body.token_type.toLowerCase() : 'bearer';
  try {
    // Any token_type is passed on as the server named it (the library knows only bearer and DPoP).
    const t = await o.processGenericTokenEndpointResponse(call.as, call.client, c.response, { recognizedTokenTypes: { [type]: () => {} } });
    const out: TokenResponse = { access_token: t.access_token, token_type: t.token_type === 'bearer' ? 'Bearer' : String(raw.token_type) };
    if (t.expires_in !== undefined) out.expires_in = t.expires_in;
    if (t.refresh_token) out.refresh_token = t.refresh_token;
    if (t.scope !== undefined) out.scope = t.scope;
    if (typeof raw.id_token === 'string') out.id_token = raw.id_token;
    return out;
  } catch (e) {
    throw tokenError(o, e, c, tokenUrl, grant, opts.connection);
  }
}

/**
 * What real token endpoints send, made into what the library accepts: no
 * token_type (GitHub Apps, Slack) means Bearer; expires_in as a string, or one
 * that is not a positive number, is read or dropped; a scope array is joined.
 * id_token is kept aside unread: the library would check its claims against an
 * issuer we often do not know (Entra ID `common` issues per-tenant `iss`), and
 * connector uses access tokens only.
 */
function fixToken(b: Record<string, unknown>): void {
  if (typeof b.token_type !== 'string' || !b.token_type) b.token_type = 'bearer';
  const exp = typeof b.expires_in === 'string' ? Number(b.expires_in.trim()) : b.expires_in;
  if (typeof exp === 'number' && Number.isFinite(exp) && exp > 0) b.expires_in = exp;
  else delete b.expires_in;
  if (Array.isArray(b.scope)) b.scope = b.scope.join(' ');
  else if (typeof b.scope !== 'string') delete b.scope;
  if (typeof b.refresh_token !== 'string' || !b.refresh_token) delete b.refresh_token;
  delete b.id_token;
}

/** What the library refused, in our words: the OAuth error, else the HTTP status, else the body. */
function tokenError(o: Oauth, e: unknown, c: Conformed, tokenUrl: string, grant: Grant, connection?: string): Error {
  if (e instanceof o.ResponseBodyError) return oauthError(e.error, e.error_description, grant, connection);
  if (!(e instanceof o.OperationProcessingError)) return e as Error;
  const u = new URL(tokenUrl);
  const where = `${u.origin}${u.pathname}`;
  if (c.status === 401)
    return new OAuthError('invalid_client', `the token endpoint ${where} rejected the client (HTTP 401)`, 'Check the client id, secret or certificate.');
  if (c.status < 200 || c.status > 299) return new CliError(`the token endpoint ${where} answered HTTP ${c.status}`);
  if (typeof c.body?.access_token !== 'string' || !c.body.access_token) return new CliError(`the token endpoint ${where} answered without an access_token`);
  return new CliError(`the token endpoint ${where} answered a malformed token response (${clean(e.message)})`);
}

function oauthError(error: string, desc: unknown, grant: Grant, connection?: string): OAuthError {
  const code = clean(error, 60);
  const description = typeof desc === 'string' ? clean(desc) : undefined;
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
