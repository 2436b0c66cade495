import type { Context } from '../../context.js';
import { printJson } from '../../io/output.js';
import { deleteConnection, parseAddress } from '../../connections/store.js';

/**
 * `connector connection delete <connector>/<name>`: the record first, then its secrets
 * (connections/store.ts deleteConnection), so a crash never leaves a connection whose
 * secrets are gone; at worst secrets no record points at, which `doctor` removes.
 */
export default async function remove(ctx: Context, address: string): Promise<number> {
  const { connector, name } = parseAddress(address);
  const conn = await deleteConnection(ctx, connector, name);
  if (ctx.json) printJson(ctx.io, { deleted: `${connector}/${name}`, secretsRemoved: conn.secretParams.length });
  else ctx.io.err(`Deleted ${connector}/${name}${conn.secretParams.length ? ` and its ${conn.secretParams.length} secret(s)` : ''}.`);
  return 0;
}
