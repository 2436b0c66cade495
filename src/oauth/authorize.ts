import { startLoopback } from './loopback.js';
import { createPkce, createState } from './pkce.js';
import { checkFlow, connectorUrl, fillTemplate, scopeParam, type ResolvedProvider } from './providers.js';
import { exchangeCode, refreshGrant, tokenRequest, type ClientAuth, type TokenCallOptions, type TokenResponse } from './token.js';

export interface AuthorizationUrlInput {
  clientId: string;
  redirectUri: string;
  state: string;
  codeChallenge: string;
  scope?: string;
  clientSecret?: string;
}

/**
 * The authorization request URL (code + PKCE S256). oauth2generic query
 * templates are filled first; redirect_uri, state and PKCE are then forced,
 * because templates written for Power Platform hard-code its redirect URL.
 */
export function buildAuthorizationUrl(p: ResolvedProvider, a: AuthorizationUrlInput): string {
  if (!p.authorizationUrl) throw new Error('buildAuthorizationUrl: provider has no authorization URL'); // checkFlow prevents this
  let base = p.authorizationUrl;
  const params = new URLSearchParams();
  if (p.templates?.authorizationQuery) {
    const filled = fillTemplate(p.templates.authorizationQuery, templateVars(p, a), 'query');
    const q = filled.indexOf('?');
    base += q < 0 ? filled : filled.slice(0, q);
    for (const [k, v] of new URLSearchParams(q < 0 ? '' : filled.slice(q + 1))) params.set(k, v);
  }
  for (const [k, v] of Object.entries(p.authorizationParams)) if (!params.has(k)) params.set(k, v);
  if (!params.has('response_type')) params.set('response_type', 'code');
  params.set('client_id', a.clientId);
  params.set('redirect_uri', a.redirectUri);
  if (a.scope !== undefined) params.set('scope', a.scope);
  params.set('state', a.state);
  params.set('code_challenge', a.codeChallenge);
  params.set('code_challenge_method', 'S256');
  // Hash-routed sign-in pages (https://host/#/authorize) read their query from the fragment.
  if (base.includes('#')) return `${base}${base.includes('?') ? '&' : '?'}${params}`;
  const url = connectorUrl(base, 'authorization URL');
  for (const [k, v] of params) url.searchParams.set(k, v);
  return url.toString();
}

function templateVars(p: ResolvedProvider, a: Partial<AuthorizationUrlInput> & { code?: string; refreshToken?: string }): Record<string, string> {
  // Runtime values a grant does not have (no secret for a public client, no redirect on refresh) fill as '' and are dropped.
  return {
    ...p.templates?.values,
    clientId: a.clientId ?? '',
    clientSecret: a.clientSecret ?? '',
    redirectUrl: a.redirectUri ?? '',
    redirectUri: a.redirectUri ?? '',
    state: a.state ?? '',
    scopes: a.scope ?? '',
    scope: a.scope ?? '',
    code: a.code ?? '',
    refreshToken: a.refreshToken ?? '',
  };
}

/** A filled body template as token request parameters, without the empty ones. */
function bodyFromTemplate(tpl: string, vars: Record<string, string>): Record<string, string> {
  return Object.fromEntries([...new URLSearchParams(fillTemplate(tpl, vars, 'query'))].filter(([, v]) => v !== ''));
}

export interface BrowserFlowOptions extends TokenCallOptions {
  provider: ResolvedProvider;
  client: ClientAuth;
  /** Overrides the provider's scopes (--scope). */
  scopes?: string[];
  redirectHost?: string;
  redirectPort?: number;
  timeoutMs?: number;
  /**
   * Called once the listener is bound, with the URL to visit. The CLI prints
   * it on stderr and opens the browser; tests drive it with an HTTP client.
   */
  onUrl: (url: string) => void | Promise<void>;
  /** Hears each loopback callback refused for a wrong `state`; the flow keeps waiting (see startLoopback). */
  onRejected?: (message: string) => void;
}

/** Authorization code + PKCE over an RFC 8252 loopback redirect, then the code exchange. */
export async function browserFlow(o: BrowserFlowOptions): Promise<TokenResponse> {
  const p = o.provider;
  checkFlow(p, 'browser');
  const pkce = await createPkce();
  const state = createState();
  const lb = await startLoopback({
    state,
    host: o.redirectHost,
    port: o.redirectPort,
    expectedIssuer: p.issuer,
    requireIssuer: p.issuerInCallback,
    timeoutMs: o.timeoutMs,
    signal: o.signal,
    onRejected: o.onRejected,
  });
  try {
    const scope = scopeParam(p, o.scopes);
    const url = buildAuthorizationUrl(p, {
      clientId: o.client.clientId,
      clientSecret: o.client.clientSecret,
      redirectUri: lb.redirectUri,
      state,
      codeChallenge: pkce.challenge,
      scope,
    });
    await o.onUrl(url);
    const cb = await lb.result;
    if (p.templates?.tokenBody) {
      const vars = templateVars(p, { clientId: o.client.clientId, clientSecret: o.client.clientSecret, redirectUri: lb.redirectUri, scope, code: cb.code });
      const params = bodyFromTemplate(p.templates.tokenBody, vars);
      return await tokenRequest(
        p.tokenUrl,
        { ...params, code: cb.code, redirect_uri: lb.redirectUri, code_verifier: pkce.verifier },
        withMethod(o.client, p),
        o,
        'authorization_code',
      );
    }
    return await exchangeCode(
      { tokenUrl: p.tokenUrl, code: cb.code, redirectUri: lb.redirectUri, codeVerifier: pkce.verifier, client: withMethod(o.client, p) },
      o,
    );
  } finally {
    await lb.close();
  }
}

/** Refresh with the provider's refresh URL (and oauth2generic refresh body template when there is one). */
export function refreshWithProvider(
  p: ResolvedProvider,
  client: ClientAuth,
  refreshToken: string,
  opts: TokenCallOptions & { scopes?: string[] },
): Promise<TokenResponse> {
  const c = withMethod(client, p);
  if (p.templates?.refreshBody) {
    const vars = templateVars(p, { clientId: client.clientId, clientSecret: client.clientSecret, scope: scopeParam(p, opts.scopes), refreshToken });
    const params = bodyFromTemplate(p.templates.refreshBody, vars);
    return tokenRequest(p.refreshUrl, { ...params, grant_type: 'refresh_token', refresh_token: refreshToken }, c, opts, 'refresh_token');
  }
  return refreshGrant({ tokenUrl: p.refreshUrl, refreshToken, client: c }, opts);
}

/** A confidential client uses the provider's preferred method unless the caller chose one. */
export function withMethod(c: ClientAuth, p: ResolvedProvider): ClientAuth {
  if (c.method || c.certificate || c.clientSecret === undefined || !p.clientAuthMethod || p.clientAuthMethod === 'private_key_jwt') return c;
  return { ...c, method: p.clientAuthMethod };
}
