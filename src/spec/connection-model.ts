import type { AuthOption, ConnectionModel, ConnectionParameter, ConnectorRecord, OAuthSetting, ParameterType } from '../model.js';
import { claim } from '../auth/kinds.js';
import type { SecurityDefinition } from '../auth/plugin.js';

/**
 * How a connection to a connector is made, derived from (in order):
 *   1. apiProperties connectionParameterSets  → one option per set,
 *   2. apiProperties connectionParameters     → one option,
 *   3. Swagger securityDefinitions / OpenAPI 3 components.securitySchemes → one option per definition,
 *   else no options (the connector needs no connection).
 * This module reads the apiProperties format (parameter sets, uiDefinition); which kind an
 * option is, and what parameters that kind adds or insists on, the auth plug-ins decide
 * (src/auth/kinds.ts: an oauthSetting makes OAuth 2.0, a gateway setting Windows or gateway,
 * a basic/apiKey definition those, anything else 'custom' or 'none').
 * Never throws on odd input: unknown shapes degrade to string parameters.
 */
export function deriveConnectionModel(record: ConnectorRecord): ConnectionModel {
  const props = obj(obj(record.apiProperties).properties);
  const definitions = securityDefinitions(record.definition);

  const sets = obj(props.connectionParameterSets);
  const values = Array.isArray(sets.values) ? (sets.values as unknown[]) : [];
  if (values.length) {
    const options = values.map((raw, i) => {
      const set = obj(raw);
      const id = str(set.name) ?? `set${i + 1}`;
      const ui = obj(set.uiDefinition);
      const params = parseParameters(obj(set.parameters));
      const option = claim({ id, label: str(ui.displayName) ?? id, params, definitions, setName: id })!;
      const description = str(ui.description);
      return description && description !== option.label ? { ...option, description } : option;
    });
    const ui = obj(sets.uiDefinition);
    const picker = { label: str(ui.displayName), description: str(ui.description) };
    return { options: uniqueIds(options), ...(picker.label || picker.description ? { picker } : {}) };
  }

  const flat = obj(props.connectionParameters);
  if (Object.keys(flat).length) {
    const params = parseParameters(flat);
    const only = definitions.length === 1 ? definitions[0].id : 'default';
    return { options: [claim({ id: only, label: '', params, definitions })!] };
  }

  const options = definitions.map((d) => claim({ id: d.id, label: d.id, params: [], definitions, definition: d }));
  return { options: uniqueIds(options.filter((o): o is AuthOption => Boolean(o))) };
}

/** Swagger 2 securityDefinitions, else OpenAPI 3 components.securitySchemes. */
function securityDefinitions(definition: Record<string, unknown>): SecurityDefinition[] {
  const swagger = obj(definition.securityDefinitions);
  const oas3 = obj(obj(definition.components).securitySchemes);
  const source = Object.keys(swagger).length ? swagger : oas3;
  return Object.entries(source).map(([id, raw]) => ({ id, raw: obj(raw) }));
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
  const additional = Object.entries(obj(s.additionalParameters)).map(([k, v]) => {
    const when = obj(v).applicableWhen;
    const rules = (Array.isArray(when) ? when : []).map(obj).filter((w) => typeof w.parameter === 'string' && Array.isArray(w.oneOf));
    return [
      k,
      { applicableWhen: rules.map((w) => ({ parameter: w.parameter as string, oneOf: (w.oneOf as unknown[]).map((o) => (o === null ? null : String(o))) })) },
    ];
  });
  if (additional.length) out.additionalParameters = Object.fromEntries(additional);
  return out;
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

/** apiProperties writes booleans as "true"/"false" strings more often than not. */
const truthy = (v: unknown) => v === true || (typeof v === 'string' && v.trim().toLowerCase() === 'true');
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined);
function obj(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}
