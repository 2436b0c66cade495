import type { AuthKind } from '../../model.js';
import type { AuthPlugin, AuthScheme } from '../plugin.js';
import { valuesFromEnvironment } from '../parameters.js';

/** No credentials on the wire (also 'custom' and 'gateway': their secrets travel only through policies). */
export const noneScheme = (kind: AuthKind = 'none'): AuthScheme => ({ kind, async authorize() {} });

/**
 * No auth ('none'), or plain connection parameters no security definition speaks
 * for ('custom': values the host template and policies use). Asked last: it claims
 * any apiProperties list the other kinds did not.
 */
export const plugin: AuthPlugin = {
  kind: 'none',
  parameters(src) {
    if (src.definition) return undefined; // a definition this tool cannot represent (cookie keys, mutual TLS, …)
    const kind: AuthKind = src.params.length ? 'custom' : 'none';
    return { id: src.id, label: src.label || 'Connection parameters', kind, parameters: src.params };
  },
  async configure() {
    return {};
  },
  scheme: (_record, conn) => noneScheme(conn.option?.kind ?? conn.record.kind),
  needsConnection: (option) => option.kind !== 'none',
  environment: (option) => (option.kind === 'none' ? undefined : valuesFromEnvironment(option)),
};
