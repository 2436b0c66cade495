import type { Context } from '../context.js';
import type { ConnectorRecord } from '../model.js';
import type { ResolvedConnection } from '../connections/types.js';
import { AuthError } from '../errors.js';
import { apiKeyScheme } from './apikey.js';
import { basicScheme } from './basic.js';
import { registeredFactory, type AuthScheme } from './scheme.js';

export type { AuthScheme, Session } from './scheme.js';
export { registerAuthScheme } from './scheme.js';

/** No credentials on the wire (also 'custom' and 'gateway': their secrets travel only through policies). */
export const noneScheme = (kind: AuthScheme['kind'] = 'none'): AuthScheme => ({ kind, async authorize() {} });

/**
 * A bearer token already held by the connection (access_token / token). This is
 * the OAuth 2.0 placeholder until an OAuth scheme is registered: that one will
 * refresh in onUnauthorized and return true so the request is retried once.
 */
/** The scheme for a connection (undefined connection → none). */
export async function schemeFor(record: ConnectorRecord, conn: ResolvedConnection | undefined, ctx?: Context): Promise<AuthScheme> {
  if (!conn) return noneScheme();
  const kind = conn.option?.kind ?? conn.record.kind;
  // OAuth 2.0 loads (and registers itself) only when a connection needs it.
  if (kind === 'oauth2' && !registeredFactory(kind)) await import('./oauth2.js');
  // Windows (NTLM) likewise: its MD4 and message code load only for 'windows' connections.
  if (kind === 'windows' && !registeredFactory(kind)) await import('./ntlm.js');
  const plugged = registeredFactory(kind);
  if (plugged) return plugged(record, conn, ctx);
  switch (kind) {
    case 'none':
    case 'custom':
    case 'gateway':
      return noneScheme(kind);
    case 'basic':
      return basicScheme(conn.option?.basic);
    case 'apiKey': {
      const where = conn.option?.apiKey ?? apiKeyFromSpec(record);
      if (!where) throw new AuthError(`connector '${record.name}' declares no API key location`, 'Check securityDefinitions in its spec.');
      return apiKeyScheme(where);
    }
    case 'oauth2':
      throw new Error('the OAuth 2.0 scheme did not register itself'); // a bug, not a user mistake
    case 'windows':
      throw new Error('the Windows (NTLM) scheme did not register itself'); // a bug, not a user mistake
  }
  return noneScheme();
}

function apiKeyFromSpec(record: ConnectorRecord): { name: string; in: 'header' | 'query'; parameter: string } | undefined {
  const defs = (record.definition.securityDefinitions ?? (record.definition as any).components?.securitySchemes ?? {}) as Record<string, any>;
  const d = Object.values(defs).find((x) => x?.type === 'apiKey' && (x.in === 'header' || x.in === 'query'));
  return d ? { name: d.name, in: d.in, parameter: 'api_key' } : undefined;
}
