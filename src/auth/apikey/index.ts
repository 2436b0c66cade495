import type { ConnectorRecord } from '../../model.js';
import { AuthError } from '../../errors.js';
import { setHeader } from '../../http/headers.js';
import { credentialDefinition, isApiKey, norm, param, str, valuesFromEnvironment } from '../parameters.js';
import { markSecret, type AuthPlugin, type AuthScheme } from '../plugin.js';

type KeyPlace = { name: string; in: 'header' | 'query'; parameter: string };

/** An API key in a header or a query parameter (Swagger `type: apiKey`). */
export function apiKeyScheme(where: KeyPlace): AuthScheme {
  return {
    kind: 'apiKey',
    async authorize(req, conn) {
      const key = conn?.values[where.parameter];
      if (key === undefined || key === '') {
        throw new AuthError(
          `the connection has no value for the API key parameter '${where.parameter}'`,
          'Recreate it: connector connection create <connector>',
        );
      }
      if (where.in === 'header') {
        setHeader(req.headers, where.name, key);
        markSecret(req, { header: where.name }, key);
      } else {
        req.query = req.query.filter(([k]) => k !== where.name);
        req.query.push([where.name, key]);
        markSecret(req, { query: where.name }, key);
      }
    },
  };
}

/** Where the key goes: header or query (cookie keys cannot be represented). */
const place = (raw: Record<string, unknown>) => {
  const where = str(raw.in);
  return where === 'header' || where === 'query' ? where : undefined;
};

/** An API key: a `type: apiKey` definition, alone or with the apiProperties parameter that holds the key. */
export const plugin: AuthPlugin = {
  kind: 'apiKey',
  parameters(src) {
    if (src.definition) {
      const d = src.definition;
      const where = place(d.raw);
      if (!isApiKey(d) || !where) return undefined;
      const p = param(d.id, 'securestring', d.id, true);
      const description = str(d.raw.description);
      if (description) p.description = description;
      return { id: src.id, label: src.label, kind: 'apiKey', parameters: [p], apiKey: { name: str(d.raw.name) ?? d.id, in: where, parameter: d.id } };
    }
    const def = credentialDefinition(src);
    const where = def && isApiKey(def) ? place(def.raw) : undefined;
    if (!def || !where) return undefined;
    const params = src.params;
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
      id: src.id,
      label: src.label || 'API key',
      kind: 'apiKey',
      parameters: params,
      apiKey: { name: str(def.raw.name) ?? def.id, in: where, parameter: key.name },
    };
  },
  async configure() {
    return {};
  },
  scheme(record, conn) {
    const where = conn.option?.apiKey ?? apiKeyFromSpec(record);
    if (!where) throw new AuthError(`connector '${record.name}' declares no API key location`, 'Check securityDefinitions in its spec.');
    return apiKeyScheme(where);
  },
  needsConnection: () => true,
  environment: valuesFromEnvironment,
};

function apiKeyFromSpec(record: ConnectorRecord): KeyPlace | undefined {
  const defs = (record.definition.securityDefinitions ?? (record.definition as any).components?.securitySchemes ?? {}) as Record<string, any>;
  const d = Object.values(defs).find((x) => x?.type === 'apiKey' && (x.in === 'header' || x.in === 'query'));
  return d ? { name: d.name, in: d.in, parameter: 'api_key' } : undefined;
}
