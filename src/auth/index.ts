import type { Context } from '../context.js';
import type { ConnectorRecord } from '../model.js';
import type { ResolvedConnection } from '../connections/types.js';
import { pluginFor } from './kinds.js';
import { noneScheme } from './none/index.js';
import type { AuthScheme } from './plugin.js';

export type { AuthPlugin, AuthScheme, Session } from './plugin.js';
export { pluginFor } from './kinds.js';

/** The request-time scheme for a connection (undefined connection → none), from its kind's plug-in. */
export async function schemeFor(record: ConnectorRecord, conn: ResolvedConnection | undefined, ctx: Context): Promise<AuthScheme> {
  if (!conn) return noneScheme();
  const plugin = await pluginFor(conn.option?.kind ?? conn.record.kind);
  return plugin.scheme(record, conn, ctx);
}
