import type { Context } from '../../context.js';
import { printJson } from '../../io/output.js';
import { getConnection, notFound, parseAddress, updateConnections } from '../../connections/store.js';
import { storeFor } from '../../secrets/open.js';
import { secretAccount } from '../../secrets/store.js';

/**
 * `connector connection delete <connector>/<name>`: keychain items first, then the record,
 * so a failure never leaves secrets behind without a record pointing at them.
 */
export default async function remove(ctx: Context, address: string): Promise<number> {
  const { connector, name } = parseAddress(address);
  const conn = await getConnection(ctx, connector, name);
  if (conn.secretParams.length) {
    const store = await storeFor(ctx, conn.secretStore);
    for (const p of conn.secretParams) await store.delete(secretAccount(connector, name, p));
  }
  await updateConnections(ctx, (list) => {
    const i = list.findIndex((c) => c.connector === connector && c.name === name);
    if (i < 0)
      throw notFound(
        connector,
        name,
        list.filter((c) => c.connector === connector),
      );
    list.splice(i, 1);
  });
  if (ctx.json) printJson(ctx.io, { deleted: `${connector}/${name}`, secretsRemoved: conn.secretParams.length });
  else ctx.io.err(`Deleted ${connector}/${name}${conn.secretParams.length ? ` and its ${conn.secretParams.length} secret(s)` : ''}.`);
  return 0;
}
