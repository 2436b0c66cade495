import type {
  AuthKind,
  AuthOption,
  ConnectionModel,
  ConnectionParameter,
  ConnectorRecord,
  OAuthSetting,
  ParameterType,
} from '../model.js';

/**
 * How a connection to a connector is made, derived from (in order):
 *   1. apiProperties connectionParameterSets  → one option per set,
 *   2. apiProperties connectionParameters     → one option (kind from securityDefinitions when they say basic/apiKey;
 *      'windows' for a gateway connector whose authType allows windows),
 *   3. Swagger securityDefinitions            → one option per definition,
 *   4. OpenAPI 3 components.securitySchemes   → one option per scheme,
 *   else no options (the connector needs no connection).
 * Never throws on odd input: unknown shapes degrade to string parameters.
 */
export function deriveConnectionModel(record: ConnectorRecord): ConnectionModel {
  const props = obj(obj(record.apiProperties).properties);
  const schemes = securitySchemes(record.definition);

  const sets = obj(props.connectionParameterSets);
  const values = Array.isArray(sets.values) ? (sets.values as unknown[]) : [];
  if (values.length) {
    const options = values.map((raw, i) => {
      const set = obj(raw);
      const id = str(set.name) ?? `set${i + 1}`;
      const ui = obj(set.uiDefinition);
      const params = parseParameters(obj(set.parameters));
      return combine(id, str(ui.displayName) ?? id, params, schemes, id);
    });
    return { options: uniqueIds(options) };
  }

  const flat = obj(props.connectionParameters);
  if (Object.keys(flat).length) {
    const params = parseParameters(flat);
    const only = schemes.length === 1 ? schemes[0].id : 'default';
    return { options: [combine(only, '', params, schemes)] };
  }

  return { options: uniqueIds(schemes.map(schemeOption).filter((o): o is AuthOption => Boolean(o))) };
}

/** A security definition/scheme, normalised across Swagger 2 and OpenAPI 3. */
interface Scheme {
  id: string;
  type: 'basic' | 'apiKey' | 'oauth2' | 'other';
  in?: string;
  name?: string;
  description?: string;
  oauth?: OAuthSetting;
}

function securitySchemes(definition: Record<string, unknown>): Scheme[] {
  const swagger = obj(definition.securityDefinitions);
  const oas3 = obj(obj(definition.components).securitySchemes);
  const source = Object.keys(swagger).length ? swagger : oas3;
  return Object.entries(source).map(([id, raw]) => {
    const d = obj(raw);
    const type = str(d.type);
    const scheme = str(d.scheme)?.toLowerCase();
    if (type === 'basic' || (type === 'http' && scheme === 'basic')) return { id, type: 'basic', description: str(d.description) };
    if (type === 'apiKey') return { id, type: 'apiKey', in: str(d.in), name: str(d.name), description: str(d.description) };
    if (type === 'oauth2') return { id, type: 'oauth2', description: str(d.description), oauth: oauthFromDefinition(d) };
    return { id, type: 'other' };
  });
}

const OAS3_FLOWS: [string, string][] = [
  ['authorizationCode', 'accessCode'],
  ['clientCredentials', 'application'],
  ['implicit', 'implicit'],
  ['password', 'password'],
];

function oauthFromDefinition(d: Record<string, unknown>): OAuthSetting {
  let flow = str(d.flow);
  let f: Record<string, unknown> = d;
  const flows = obj(d.flows);
  for (const [oas3, swagger2] of OAS3_FLOWS) {
    if (flows[oas3]) {
      flow = swagger2;
      f = obj(flows[oas3]);
      break;
    }
  }
  return {
    identityProvider: 'oauth2',
    flow,
    authorizationUrl: str(f.authorizationUrl),
    tokenUrl: str(f.tokenUrl),
    refreshUrl: str(f.refreshUrl),
    scopes: Object.keys(obj(f.scopes)),
    customParameters: {},
  };
}

function schemeOption(s: Scheme): AuthOption | undefined {
  const base = { id: s.id };
  if (s.type === 'basic') {
    return {
      ...base,
      label: s.id,
      kind: 'basic',
      parameters: [param('username', 'string', 'Username', true), param('password', 'securestring', 'Password', true)],
      basic: { username: 'username', password: 'password' },
    };
  }
  if (s.type === 'apiKey') {
    if (s.in !== 'header' && s.in !== 'query') return undefined; // cookie keys: not representable
    const p = param(s.id, 'securestring', s.id, true);
    if (s.description) p.description = s.description;
    return { ...base, label: s.id, kind: 'apiKey', parameters: [p], apiKey: { name: s.name ?? s.id, in: s.in, parameter: s.id } };
  }
  if (s.type === 'oauth2') {
    const p = param('token', 'oauthSetting', 'Sign in', true);
    p.oauth = s.oauth;
    return { ...base, label: s.id, kind: 'oauth2', parameters: [p] };
  }
  return undefined;
}

/**
 * apiProperties parameters plus what securityDefinitions say about them: an oauthSetting
 * or gatewaySetting decides the kind; otherwise a basic/apiKey definition (matched by set
 * name first) does, and the parameters it needs are found among (or added to) the list.
 */
function combine(id: string, label: string, params: ConnectionParameter[], schemes: Scheme[], setName?: string): AuthOption {
  const oauthParam = params.find((p) => p.type === 'oauthSetting');
  if (oauthParam) {
    const def = schemes.find((s) => s.type === 'oauth2');
    if (def?.oauth && oauthParam.oauth) {
      const o = oauthParam.oauth;
      o.flow ??= def.oauth.flow;
      o.authorizationUrl ??= def.oauth.authorizationUrl;
      o.tokenUrl ??= def.oauth.tokenUrl;
      o.refreshUrl ??= def.oauth.refreshUrl;
    }
    return { id, label: label || 'OAuth 2.0', kind: 'oauth2', parameters: params };
  }
  if (params.some((p) => p.type === 'gatewaySetting')) {
    if (offersWindows(params)) return windowsOption(id, label, params);
    return { id, label: label || 'On-premises data gateway', kind: 'gateway', parameters: params };
  }
  const candidates = schemes.filter((s) => s.type === 'basic' || s.type === 'apiKey');
  const byName = setName ? candidates.find((s) => s.id.toLowerCase() === setName.toLowerCase()) : undefined;
  const hasUserPass = has(params, 'username') && has(params, 'password');
  const def =
    byName ??
    (hasUserPass ? candidates.find((s) => s.type === 'basic') : undefined) ??
    candidates.find((s) => s.type === 'apiKey') ??
    candidates.find((s) => s.type === 'basic');

  if (def?.type === 'basic') {
    if (!has(params, 'username')) params.push(param('username', 'string', 'Username', true));
    if (!has(params, 'password')) params.push(param('password', 'securestring', 'Password', true));
    // The credential itself is required whatever the uiDefinition says: a connection without it is useless.
    // The password is a secret even when apiProperties types it "string": it must go to the keychain, not the registry.
    for (const p of params) if (p.name === 'username' || p.name === 'password') p.required = true;
    params.find((p) => p.name === 'password')!.secret = true;
    return { id, label: label || 'Basic authentication', kind: 'basic', parameters: params, basic: { username: 'username', password: 'password' } };
  }
  if (def?.type === 'apiKey' && (def.in === 'header' || def.in === 'query')) {
    let key = params.find((p) => p.name === def.id) ?? params.find((p) => norm(p.name) === norm(def.id));
    const secrets = params.filter((p) => p.secret);
    key ??= secrets.length === 1 ? secrets[0] : secrets.find((p) => /api.?key/i.test(p.name));
    if (!key) {
      key = param(def.id, 'securestring', def.id, true);
      params.push(key);
    }
    key.required = true;
    key.secret = true; // sent as the credential, so kept in the keychain whatever its declared type
    return {
      id,
      label: label || 'API key',
      kind: 'apiKey',
      parameters: params,
      apiKey: { name: def.name ?? def.id, in: def.in, parameter: key.name },
    };
  }
  const kind: AuthKind = params.length ? 'custom' : 'none';
  return { id, label: label || 'Connection parameters', kind, parameters: params };
}

/**
 * A gateway connector whose authType parameter allows 'windows' (what Power Platform
 * exports for "Windows authentication" on an on-premises API): from the terminal the
 * API is called directly with NTLM, so the gateway setting is dropped from what is
 * asked, authType is fixed, and username (DOMAIN\user or user@domain) + password are required.
 */
function offersWindows(params: ConnectionParameter[]): boolean {
  return params.some((p) => p.name.toLowerCase() === 'authtype' && p.allowedValues?.some((a) => a.value.toLowerCase() === 'windows'));
}

function windowsOption(id: string, label: string, params: ConnectionParameter[]): AuthOption {
  for (const p of params) {
    if (p.name.toLowerCase() !== 'authtype') continue;
    p.allowedValues = p.allowedValues?.filter((a) => a.value.toLowerCase() === 'windows');
    p.default = p.allowedValues?.[0]?.value ?? 'windows';
    p.hidden = true;
    p.required = false;
  }
  if (!has(params, 'username')) params.push(param('username', 'string', 'Username', true));
  if (!has(params, 'password')) params.push(param('password', 'securestring', 'Password', true));
  for (const p of params) {
    if (p.name === 'username') {
      p.required = true;
      p.description ??= 'DOMAIN\\user or user@domain';
    }
    if (p.name === 'password') {
      p.required = true;
      p.secret = true;
    }
  }
  return { id, label: label || 'Windows authentication', kind: 'windows', parameters: params };
}

const TYPES: ParameterType[] = ['securestring', 'string', 'int', 'bool', 'oauthSetting', 'gatewaySetting', 'clientCertificate', 'object'];

/** Parse an apiProperties parameter map, sorted by uiDefinition tabIndex (untabbed ones keep their order, last). */
export function parseParameters(map: Record<string, unknown>): ConnectionParameter[] {
  const list = Object.entries(map).map(([name, raw]) => parseParameter(name, obj(raw)));
  return list
    .map((p, i) => ({ p, i }))
    .sort((a, b) => (a.p.tabIndex ?? Infinity) - (b.p.tabIndex ?? Infinity) || a.i - b.i)
    .map(({ p }) => p);
}

function parseParameter(name: string, raw: Record<string, unknown>): ConnectionParameter {
  const rawType = str(raw.type);
  const type: ParameterType = TYPES.find((t) => t.toLowerCase() === rawType?.toLowerCase()) ?? 'string';
  const ui = obj(raw.uiDefinition);
  const c = obj(ui.constraints);
  const schema = obj(ui.schema);
  const p: ConnectionParameter = {
    name,
    type,
    secret: type === 'securestring' || type === 'oauthSetting' || type === 'clientCertificate',
    label: str(ui.displayName) ?? name,
    required: truthy(c.required),
    hidden: truthy(c.hidden),
  };
  const description = str(ui.description) ?? str(schema.description);
  if (description) p.description = description;
  const tooltip = str(ui.tooltip);
  if (tooltip) p.tooltip = tooltip;
  if (c.clearText !== undefined) p.clearText = truthy(c.clearText);
  const allowed = Array.isArray(c.allowedValues) ? c.allowedValues : Array.isArray(raw.allowedValues) ? raw.allowedValues : undefined;
  if (allowed?.length) {
    p.allowedValues = allowed
      .map((a) => obj(a))
      .filter((a) => a.value !== undefined && a.value !== null)
      .map((a) => ({ text: str(a.text) ?? String(a.value), value: String(a.value) }));
  }
  const dflt = raw.defaultValue ?? schema.default;
  if (dflt !== undefined && dflt !== null && typeof dflt !== 'object') p.default = String(dflt);
  const tab = Number(c.tabIndex);
  if (c.tabIndex !== undefined && Number.isFinite(tab)) p.tabIndex = tab;
  if (type === 'oauthSetting') p.oauth = oauthSetting(obj(raw.oAuthSettings));
  return p;
}

function oauthSetting(s: Record<string, unknown>): OAuthSetting {
  const custom: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj(s.customParameters))) {
    const value = obj(v).value;
    if (value !== undefined && value !== null) custom[k] = String(value);
  }
  const out: OAuthSetting = { identityProvider: str(s.identityProvider) ?? 'oauth2', customParameters: custom };
  if (str(s.clientId)) out.clientId = str(s.clientId);
  if (Array.isArray(s.scopes)) out.scopes = s.scopes.map(String);
  if (str(s.redirectMode)) out.redirectMode = str(s.redirectMode);
  if (str(s.redirectUrl)) out.redirectUrl = str(s.redirectUrl);
  return out;
}

function param(name: string, type: ParameterType, label: string, required: boolean): ConnectionParameter {
  return { name, type, secret: type === 'securestring' || type === 'oauthSetting', label, required, hidden: false };
}

function uniqueIds(options: AuthOption[]): AuthOption[] {
  const seen = new Set<string>();
  for (const o of options) {
    let id = o.id;
    for (let n = 2; seen.has(id.toLowerCase()); n++) id = `${o.id}-${n}`;
    o.id = id;
    seen.add(id.toLowerCase());
  }
  return options;
}

const has = (params: ConnectionParameter[], name: string) => params.some((p) => p.name === name);
const norm = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');
/** apiProperties writes booleans as "true"/"false" strings more often than not. */
const truthy = (v: unknown) => v === true || (typeof v === 'string' && v.trim().toLowerCase() === 'true');
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined);
function obj(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}
