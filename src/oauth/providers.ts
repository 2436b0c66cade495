import { CancelError, CliError, UsageError } from '../errors.js';
import type { ConnectionParameter, OAuthSetting } from '../model.js';
import type { AuthorizationServer } from 'oauth4webapi';
import { oauth, transport, type Fetch } from './library.js';
import { clean } from './loopback.js';
import type { ClientAuthMethod } from './token.js';
import { isLoopback } from '../http/proxy.js';

export type FlowKind = 'browser' | 'device' | 'client-credentials';

/** oauth2generic templates, placeholders `{Name}` matched case-insensitively. */
export interface GenericTemplates {
  authorizationQuery?: string;
  tokenBody?: string;
  refreshBody?: string;
  tokenQuery?: string;
  /** Values for connection-parameter placeholders ({customHost}, ...). */
  values: Record<string, string>;
}

/** Everything the flows need to talk to one authorization server. */
export interface ResolvedProvider {
  /** github, google, microsoft, entra, docusign, facebook, oauth2, oauth2generic, aad, aadcertificate, swagger, discovery. */
  id: string;
  authorizationUrl?: string;
  tokenUrl: string;
  /** Where refresh_token grants go (defaults to tokenUrl). */
  refreshUrl: string;
  deviceAuthorizationUrl?: string;
  revocationUrl?: string;
  /** Expected RFC 9207 `iss` in the callback. */
  issuer?: string;
  /** The server promised `iss` in every authorization response. */
  issuerInCallback?: boolean;
  scopes: string[];
  scopeDelimiter: string;
  /** Extra authorization request parameters (Google's access_type=offline, ...). */
  authorizationParams: Record<string, string>;
  flows: FlowKind[];
  /** How a confidential client authenticates by default (a public client sends only client_id). */
  clientAuthMethod?: ClientAuthMethod;
  /** Entra ID tenant, when the provider has one. */
  tenant?: string;
  templates?: GenericTemplates;
}

const MS_LOGIN = 'https://login.microsoftonline.com';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DOMAIN = /^[a-z0-9-]+(\.[a-z0-9-]+)+$/i;
const ALL_FLOWS: FlowKind[] = ['browser', 'device', 'client-credentials'];

/** Built-in presets, so `--provider github --client-id X` needs no URLs. */
export const PRESET_NAMES = ['github', 'google', 'microsoft', 'entra', 'docusign', 'facebook'] as const;

export function resolvePreset(name: string, o: { tenant?: string; loginUri?: string; scopes?: string[] } = {}): ResolvedProvider {
  const base = { scopeDelimiter: ' ', authorizationParams: {}, scopes: o.scopes ?? [] };
  switch (name.toLowerCase()) {
    case 'github':
      return {
        ...base,
        id: 'github',
        authorizationUrl: 'https://github.com/login/oauth/authorize',
        tokenUrl: 'https://github.com/login/oauth/access_token',
        refreshUrl: 'https://github.com/login/oauth/access_token',
        deviceAuthorizationUrl: 'https://github.com/login/device/code',
        flows: ['browser', 'device'],
        clientAuthMethod: 'client_secret_post',
      };
    case 'google':
      return {
        ...base,
        id: 'google',
        authorizationUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
        tokenUrl: 'https://oauth2.googleapis.com/token',
        refreshUrl: 'https://oauth2.googleapis.com/token',
        deviceAuthorizationUrl: 'https://oauth2.googleapis.com/device/code',
        revocationUrl: 'https://oauth2.googleapis.com/revoke',
        issuer: 'https://accounts.google.com',
        // Google issues a refresh token only with access_type=offline, and again only on consent.
        authorizationParams: { access_type: 'offline', prompt: 'consent' },
        flows: ['browser', 'device'],
        clientAuthMethod: 'client_secret_post',
      };
    case 'microsoft':
    case 'microsoft-account':
    case 'msa':
      return entra('microsoft', o.loginUri, 'consumers', undefined, o.scopes, false);
    case 'entra':
    case 'entra-id':
    case 'azuread':
    case 'aad':
      return entra('entra', o.loginUri, o.tenant, undefined, o.scopes, false);
    case 'docusign': {
      const login = trimSlash(o.loginUri ?? 'https://account.docusign.com');
      return {
        ...base,
        id: 'docusign',
        authorizationUrl: `${login}/oauth/auth`,
        tokenUrl: `${login}/oauth/token`,
        refreshUrl: `${login}/oauth/token`,
        scopes: o.scopes?.length ? o.scopes : ['signature', 'extended'],
        flows: ['browser'],
        clientAuthMethod: 'client_secret_basic',
      };
    }
    case 'facebook':
      return {
        ...base,
        id: 'facebook',
        authorizationUrl: 'https://www.facebook.com/dialog/oauth',
        tokenUrl: 'https://graph.facebook.com/oauth/access_token',
        refreshUrl: 'https://graph.facebook.com/oauth/access_token',
        scopeDelimiter: ',',
        flows: ['browser'],
        clientAuthMethod: 'client_secret_post',
      };
    default:
      throw new UsageError(`unknown --provider "${name}"`, `Known providers: ${PRESET_NAMES.join(', ')}.`);
  }
}

/** Entra ID v2 endpoints. `resource` (v1 resourceUri) becomes the `<resource>/.default offline_access` scope. */
function entra(
  id: string,
  loginUri: string | undefined,
  tenant: string | undefined,
  resource: string | undefined,
  scopes: string[] | undefined,
  certificate: boolean,
): ResolvedProvider {
  let login = trimSlash(loginUri || MS_LOGIN);
  // login.windows.net is the legacy v1 alias of the same service.
  if (/^https:\/\/login\.windows\.net$/i.test(login)) login = MS_LOGIN;
  const t = tenant || 'common';
  if (!(GUID.test(t) || DOMAIN.test(t) || ['common', 'organizations', 'consumers'].includes(t.toLowerCase()))) {
    throw new UsageError(`--tenant must be common, organizations, consumers, a tenant GUID or a domain, not "${t}"`);
  }
  const base = `${login}/${t}/oauth2/v2.0`;
  let sc = scopes?.length ? splitScopes(scopes, ' ') : [];
  if (!sc.length && resource) sc = [defaultScope(resource), 'offline_access'];
  if (!sc.length) sc = ['offline_access'];
  return {
    id,
    authorizationUrl: `${base}/authorize`,
    tokenUrl: `${base}/token`,
    refreshUrl: `${base}/token`,
    deviceAuthorizationUrl: `${base}/devicecode`,
    scopes: sc,
    scopeDelimiter: ' ',
    authorizationParams: {},
    flows: id === 'microsoft' ? ['browser', 'device'] : ALL_FLOWS,
    clientAuthMethod: certificate ? 'private_key_jwt' : 'client_secret_post',
    tenant: t,
  };
}

/** `<resource>/.default`: a trailing slash is dropped, except for ARM, whose App ID URI really ends with one. */
/** A URL from a connector's OAuth settings; a malformed one is the connector's mistake, said in one line. */
export function connectorUrl(text: string, what: string): URL {
  try {
    return new URL(text);
  } catch {
    throw new CliError(`the connector's OAuth ${what} is not a valid URL: '${text}'`, {
      hint: 'Fix it in the connector (apiProperties / securityDefinitions) and import it again, or pass --provider.',
    });
  }
}

export function defaultScope(resource: string): string {
  if (/^https:\/\/management\.(azure\.com|core\.windows\.net)\/$/i.test(resource)) return `${resource}/.default`;
  return `${trimSlash(resource)}/.default`;
}

/** Refuse a flow the provider cannot run (client credentials against Entra ID also need a real tenant). */
export function checkFlow(p: ResolvedProvider, flow: FlowKind): void {
  const entraHint = flow === 'device' ? entraAdvice(p) : undefined;
  if (!p.flows.includes(flow)) {
    throw new UsageError(`the ${p.id} provider does not support --flow ${flow}`, entraHint ?? `Use --flow ${p.flows[0]}.`);
  }
  if (flow === 'client-credentials' && p.tenant && ['common', 'organizations', 'consumers'].includes(p.tenant.toLowerCase())) {
    throw new UsageError(`client credentials need a specific Entra ID tenant, not "${p.tenant}"`, 'Pass --tenant <tenant GUID or domain>.');
  }
  if (flow === 'browser' && !p.authorizationUrl) {
    throw new UsageError(`the ${p.id} provider has no authorization URL, so it cannot sign in with a browser`, 'Use --flow client-credentials.');
  }
  if (flow === 'device' && !p.deviceAuthorizationUrl) {
    throw new UsageError(`the ${p.id} provider has no device authorization endpoint`, entraHint ?? 'Use --flow browser.');
  }
}

const ENTRA_HOSTS = /^(login\.microsoftonline\.(com|us)|login\.windows\.net|login\.chinacloudapi\.cn|login\.partner\.microsoftonline\.cn)$/i;

/**
 * A generic template (oauth2, oauth2generic) whose URLs are Microsoft Entra ID's: the entra
 * preset knows its device endpoint. The tenant is the URL's first path segment when it is one.
 */
function entraAdvice(p: ResolvedProvider): string | undefined {
  if (!['oauth2', 'oauth2generic', 'swagger', 'discovery'].includes(p.id)) return undefined;
  for (const u of [p.authorizationUrl, p.tokenUrl]) {
    let url: URL;
    try {
      url = new URL(u ?? '');
    } catch {
      continue;
    }
    if (!ENTRA_HOSTS.test(url.hostname)) continue;
    const tenant = decodeURIComponent(url.pathname.split('/')[1] ?? '');
    const named = /^[\w.-]+$/.test(tenant) && !['common', 'oauth2'].includes(tenant.toLowerCase());
    return `Its URLs are Microsoft Entra ID's (${url.hostname}): --provider entra${named ? ` --tenant ${tenant}` : ''} --flow device signs in with a device code.`;
  }
  return undefined;
}

/**
 * `--flow auto`: client credentials when the provider only offers them (or a
 * secret/certificate is given and there is no user flow), else the browser
 * when one can be opened, else the device flow.
 */
export function chooseFlow(p: ResolvedProvider, requested: FlowKind | 'auto', o: { canOpenBrowser: boolean }): FlowKind {
  if (requested !== 'auto') {
    checkFlow(p, requested);
    return requested;
  }
  const user = p.flows.filter((f) => f !== 'client-credentials');
  if (!user.length) return 'client-credentials';
  if (o.canOpenBrowser && user.includes('browser')) return 'browser';
  if (user.includes('device') && p.deviceAuthorizationUrl) return 'device';
  // No device endpoint: the loopback flow still works when the user opens the printed URL elsewhere.
  return 'browser';
}

/** case-insensitive lookup in customParameters (the corpus spells LoginUri and loginUri). */
function param(cp: Record<string, string>, name: string): string | undefined {
  const k = Object.keys(cp).find((x) => x.toLowerCase() === name.toLowerCase());
  const v = k === undefined ? undefined : cp[k];
  return v === null || v === undefined || v === '' ? undefined : String(v);
}

/**
 * Resolve an apiProperties oauthSetting. `values` are the connection's own (non-secret)
 * parameter values and `parameters` the option's declared ones: an oauth2generic `{X}`
 * placeholder is filled, as the platform does, from the connection parameter `token:X`.
 */
export function fromOAuthSetting(
  s: OAuthSetting,
  o: { tenant?: string; values?: Record<string, string>; parameters?: ConnectionParameter[] } = {},
): ResolvedProvider {
  const cp = s.customParameters ?? {};
  const ip = (s.identityProvider ?? '').toLowerCase();
  const scopes = s.scopes ?? [];
  switch (ip) {
    case 'aad':
    case 'aadcertificate': {
      // Power Platform's aad speaks v1 (resource=); v2 takes <resource>/.default instead of the listed scopes.
      const resource = param(cp, 'resourceUri');
      return entra(ip, param(cp, 'loginUri'), o.tenant ?? param(cp, 'tenantId'), resource, resource ? undefined : scopes, ip === 'aadcertificate');
    }
    case 'microsoftaccount':
      return entra('microsoft', undefined, 'consumers', undefined, scopes, false);
    case 'github':
    case 'google':
    case 'docusign':
    case 'facebook':
      return resolvePreset(ip, { loginUri: param(cp, 'loginUri'), scopes });
    case 'oauth2': {
      const authorizationUrl = param(cp, 'authorizationUrl') ?? s.authorizationUrl;
      const tokenUrl = param(cp, 'tokenUrl') ?? s.tokenUrl;
      if (!tokenUrl) throw new CliError("the connector's oauth2 setting has no tokenUrl", { hint: 'Use --provider, or fix apiProperties.json.' });
      return {
        id: 'oauth2',
        authorizationUrl,
        tokenUrl,
        refreshUrl: param(cp, 'refreshUrl') ?? s.refreshUrl ?? tokenUrl,
        scopes: splitScopes(scopes, ' '),
        scopeDelimiter: ' ',
        authorizationParams: {},
        flows: authorizationUrl ? ['browser'] : ['client-credentials'],
      };
    }
    case 'oauth2generic':
      return generic(s, scopes, o.values ?? {}, o.parameters ?? []);
    default:
      throw new UsageError(`identity provider "${s.identityProvider}" is not supported`, `Pass --provider (${PRESET_NAMES.join(', ')}) and --client-id.`);
  }
}

function generic(s: OAuthSetting, scopes: string[], given: Record<string, string>, parameters: ConnectionParameter[]): ResolvedProvider {
  const cp = s.customParameters ?? {};
  const values = templateValues(s, given, parameters);
  const hint = (name: string) => placeholderHint(name, parameters);
  const url = (name: string) => {
    const t = param(cp, name);
    return t === undefined ? undefined : fillTemplate(t, values, 'url', hint);
  };
  const authorizationUrl = url('authorizationUrlTemplate');
  const tokenUrl = url('tokenUrlTemplate');
  if (!tokenUrl) throw new CliError("the connector's oauth2generic setting has no tokenUrlTemplate");
  const tokenQuery = param(cp, 'tokenUrlQueryStringTemplate');
  const delimiter = param(cp, 'scopeListDelimiter') ?? ' ';
  // No scopes of its own, but a `token:scope` parameter (Coupa): the scopes are what the user typed there.
  const typed = values.scope ?? values.scopes;
  return {
    id: 'oauth2generic',
    authorizationUrl,
    tokenUrl: tokenQuery ? `${tokenUrl}${fillTemplate(tokenQuery, values, 'query', hint)}` : tokenUrl,
    refreshUrl: url('refreshUrlTemplate') ?? tokenUrl,
    scopes: scopes.length || !typed ? scopes : typed.split(delimiter === ' ' ? /\s+/ : delimiter).filter(Boolean),
    scopeDelimiter: delimiter,
    authorizationParams: {},
    flows: ['browser'],
    templates: {
      authorizationQuery: param(cp, 'authorizationUrlQueryStringTemplate'),
      tokenBody: param(cp, 'tokenBodyTemplate'),
      refreshBody: param(cp, 'refreshBodyTemplate'),
      values,
    },
  };
}

/** The `{X}` placeholders these templates use, other than the ones a grant fills at run time (authorize.ts templateVars). */
const RUNTIME = new Set(['clientid', 'clientsecret', 'redirecturl', 'redirecturi', 'state', 'scopes', 'scope', 'code', 'refreshtoken']);

/**
 * What `{X}` placeholders fill with: the connection parameter `token:X` (case-insensitive, as
 * the platform names them: Zoho Mail's `token:customHost` fills `{CustomHost}`), else another
 * customParameters entry of the setting (NetDocuments' per-region `US_domain`), which is ''
 * when its `additionalParameters.applicableWhen` does not hold for the connection's values.
 * A secret `token:X` (its value is never stored with the provider) fills as '': the client
 * secret is sent by the client authentication instead.
 */
function templateValues(s: OAuthSetting, given: Record<string, string>, parameters: ConnectionParameter[]): Record<string, string> {
  const out: Record<string, string> = { ...given };
  const has = (k: string) => Object.keys(out).some((x) => x.toLowerCase() === k.toLowerCase());
  const byName = (name: string) => {
    const k = Object.keys(given).find((x) => x.toLowerCase() === name.toLowerCase() || x.toLowerCase() === `token:${name}`.toLowerCase());
    return k === undefined ? undefined : given[k];
  };
  for (const [k, v] of Object.entries(given)) {
    const m = /^token:(.+)$/i.exec(k);
    if (m && !has(m[1])) out[m[1]] = v;
  }
  for (const p of parameters) {
    const m = /^token:(.+)$/i.exec(p.name);
    if (m && p.secret && !has(m[1])) out[m[1]] = '';
  }
  const additional = s.additionalParameters ?? {};
  for (const [k, v] of Object.entries(s.customParameters ?? {})) {
    if (/Template$|^scopeListDelimiter$/i.test(k) || RUNTIME.has(k.toLowerCase()) || has(k)) continue;
    const rule = Object.entries(additional).find(([a]) => a.toLowerCase() === k.toLowerCase())?.[1];
    out[k] = rule && !applicable(rule, byName) ? '' : v;
  }
  // An additional parameter with no value that does not apply (NetDocuments' AU_clientSecret for a US connection) fills as ''.
  for (const [k, rule] of Object.entries(additional)) if (!has(k) && !applicable(rule, byName)) out[k] = '';
  return out;
}

/** `applicableWhen: [{ parameter, oneOf }]`: every entry holds (null in oneOf: the parameter has no value). */
function applicable(rule: { applicableWhen?: { parameter: string; oneOf: (string | null)[] }[] }, value: (name: string) => string | undefined): boolean {
  return (rule.applicableWhen ?? []).every((w) => {
    const v = value(w.parameter);
    return (w.oneOf ?? []).some((o) => (o === null ? v === undefined || v === '' : v !== undefined && o.toLowerCase() === v.toLowerCase()));
  });
}

/** The hint for a placeholder with no value: the connection parameter that gives it, and its allowed values. */
function placeholderHint(name: string, parameters: ConnectionParameter[]): string {
  const p = parameters.find((x) => x.name.toLowerCase() === `token:${name}`.toLowerCase() || x.name.toLowerCase() === name.toLowerCase());
  if (!p)
    return `The connector declares no connection parameter token:${name} to fill it: add one to apiProperties.json and import it again, or pass --provider.`;
  const allowed = p.allowedValues?.length ? ` (one of: ${p.allowedValues.map((a) => a.value).join(', ')})` : '';
  return `Pass it as a connection parameter: --param ${p.name}=VALUE${allowed}`;
}

/**
 * Fill `{Name}` placeholders (case-insensitive). `url` mode leaves the value
 * as is but refuses characters that would change the URL's structure; `query`
 * mode percent-encodes. An unknown placeholder is a usage error naming it.
 */
export function fillTemplate(
  tpl: string,
  vars: Record<string, string | undefined>,
  mode: 'url' | 'query',
  hint: (name: string) => string = (name) => `Pass it as a connection parameter: --param token:${name}=VALUE`,
): string {
  const lower = new Map(Object.entries(vars).map(([k, v]) => [k.toLowerCase(), v]));
  return tpl.replace(/\{([A-Za-z_][\w.-]*)\}/g, (_, name: string) => {
    const v = lower.get(name.toLowerCase());
    if (v === undefined) throw new UsageError(`the connector's OAuth template needs a value for {${name}}`, hint(name));
    if (mode === 'query') return encodeURIComponent(v);
    if (/[/?#@\s\\]/.test(v)) throw new UsageError(`the value for {${name}} may not contain / ? # @ or spaces`);
    return v;
  });
}

/** A Swagger 2.0 securityDefinition or OpenAPI 3 securityScheme of type oauth2. */
export function fromSecurityScheme(def: Record<string, unknown>, name = 'oauth2'): ResolvedProvider {
  if (def.type !== 'oauth2') throw new CliError(`security scheme ${name} is not oauth2`);
  let flow = def.flow as string | undefined;
  let f = def as Record<string, unknown>;
  if (def.flows && typeof def.flows === 'object') {
    // OpenAPI 3: prefer the flows a CLI can run, in this order.
    const flows = def.flows as Record<string, Record<string, unknown>>;
    const pick = (['authorizationCode', 'implicit', 'clientCredentials', 'password'] as const).find((k) => flows[k]);
    if (!pick) throw new CliError(`security scheme ${name} declares no OAuth flow`);
    f = flows[pick];
    flow = { authorizationCode: 'accessCode', implicit: 'implicit', clientCredentials: 'application', password: 'password' }[pick];
  }
  const scopes = Object.keys((f.scopes as Record<string, unknown>) ?? {});
  const authorizationUrl = f.authorizationUrl as string | undefined;
  let tokenUrl = f.tokenUrl as string | undefined;
  switch (flow) {
    case 'password':
      throw new UsageError(
        `security scheme ${name} uses the OAuth password grant, which connector refuses (it would hand your password to a third party and is removed in OAuth 2.1)`,
        'Ask the API owner for an authorization-code or client-credentials app registration.',
      );
    case 'implicit':
      // Implicit is run as code + PKCE; the definition has no tokenUrl, so take the sibling of /authorize.
      if (!tokenUrl && authorizationUrl && /\/authorize$/.test(connectorUrl(authorizationUrl, 'authorization URL').pathname)) {
        tokenUrl = authorizationUrl.replace(/\/authorize(\?.*)?$/, '/token');
      }
      break;
    case 'accessCode':
    case 'application':
      break;
    default:
      throw new CliError(`security scheme ${name} has an unknown OAuth flow "${String(flow)}"`);
  }
  if (!tokenUrl) throw new CliError(`security scheme ${name} has no tokenUrl`, { hint: 'Use --provider, or add tokenUrl to the definition.' });
  return {
    id: 'swagger',
    authorizationUrl: flow === 'application' ? undefined : authorizationUrl,
    tokenUrl,
    refreshUrl: (f.refreshUrl as string | undefined) ?? tokenUrl,
    scopes,
    scopeDelimiter: ' ',
    authorizationParams: {},
    flows: flow === 'application' ? ['client-credentials'] : ['browser'],
  };
}

/**
 * OpenID Connect discovery, then RFC 8414, from an issuer URL (oauth4webapi). The
 * document's `issuer` must be the URL asked for (OIDC Discovery §4.3), except
 * for a trailing slash: people type issuers with and without one.
 */
export async function discover(issuer: string, o: { fetch: Fetch; scopes?: string[]; signal?: AbortSignal; timeoutMs?: number }): Promise<ResolvedProvider> {
  let u: URL;
  try {
    u = new URL(issuer);
  } catch {
    throw new UsageError(`--issuer must be a URL, not "${issuer}"`);
  }
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && isLoopback(u.hostname))) throw new UsageError('--issuer must be an https URL');
  const lib = oauth();
  let meta: AuthorizationServer | undefined;
  for (const algorithm of ['oidc', 'oauth2'] as const) {
    const options = transport(lib, o, `the issuer ${u.origin}`, u.protocol === 'http:');
    try {
      const res = await lib.discoveryRequest(u, { ...options, algorithm });
      meta = await lib.processDiscoveryResponse(u, res);
      break;
    } catch (e) {
      if (e instanceof CancelError || o.signal?.aborted) throw new CancelError();
      // The issuer could not be reached (a proxy that is down, a CA, a timeout): say that, not "no metadata".
      if (e instanceof CliError) throw e;
      if (e instanceof lib.OperationProcessingError && e.code === lib.JSON_ATTRIBUTE_COMPARISON) {
        const body = (e.cause as { body?: AuthorizationServer } | undefined)?.body;
        if (body && trimSlash(body.issuer) === trimSlash(issuer)) {
          meta = body;
          break;
        }
        throw new CliError(`the metadata at ${issuer} names a different issuer (${clean(String(body?.issuer))}); refused`);
      }
      /* not there, or not metadata: try the next one */
    }
  }
  if (!meta) throw new CliError(`no OpenID or OAuth metadata found for issuer ${issuer}`);
  if (typeof meta.token_endpoint !== 'string') throw new CliError(`the metadata of ${issuer} has no token_endpoint`);
  const str = (k: string) => (typeof meta[k] === 'string' ? (meta[k] as string) : undefined);
  const methods = Array.isArray(meta.token_endpoint_auth_methods_supported)
    ? (meta.token_endpoint_auth_methods_supported as string[])
    : ['client_secret_basic'];
  const flows: FlowKind[] = [];
  if (str('authorization_endpoint')) flows.push('browser');
  if (str('device_authorization_endpoint')) flows.push('device');
  flows.push('client-credentials');
  return {
    id: 'discovery',
    authorizationUrl: str('authorization_endpoint'),
    tokenUrl: meta.token_endpoint,
    refreshUrl: meta.token_endpoint,
    deviceAuthorizationUrl: str('device_authorization_endpoint'),
    revocationUrl: str('revocation_endpoint'),
    issuer: meta.issuer,
    issuerInCallback: meta.authorization_response_iss_parameter_supported === true,
    scopes: o.scopes ?? [],
    scopeDelimiter: ' ',
    authorizationParams: {},
    flows,
    clientAuthMethod: methods.includes('client_secret_post') ? 'client_secret_post' : 'client_secret_basic',
  };
}

/** The scope parameter: scopes joined by the provider's delimiter (space-joined entries in the corpus are split). */
export function scopeParam(p: ResolvedProvider, override?: string[]): string | undefined {
  const list = splitScopes(override?.length ? override : p.scopes, p.scopeDelimiter);
  return list.length ? list.join(p.scopeDelimiter) : undefined;
}

function splitScopes(scopes: string[], delimiter: string): string[] {
  const out = delimiter === ' ' ? scopes.flatMap((s) => s.split(/\s+/)) : scopes;
  return [...new Set(out.filter(Boolean))];
}

function trimSlash(s: string): string {
  return s.replace(/\/+$/, '');
}
