import type { Context } from '../../context.js';
import { printJson, printTable } from '../../io/output.js';
import { listConnections } from '../../connections/store.js';

/** `connector connection list [connector]`: name, auth kind, default, where each secret lives. */
export default async function list(ctx: Context, connector: string | undefined): Promise<number> {
  if (connector) await (await ctx.registry()).get(connector); // unknown connector → error with suggestions
  const all = await listConnections(ctx, connector);
  if (ctx.json) {
    printJson(ctx.io, all.map((c) => ({ ...c, address: `${c.connector}/${c.name}` })));
    return 0;
  }
  if (!all.length) {
    ctx.io.err(connector ? `No connections for '${connector}'. Create one: connector connection create ${connector}` : 'No connections yet. Create one: connector connection create <connector>');
    return 0;
  }
  printTable(
    ctx.io,
    ['CONNECTION', 'AUTH', 'DEFAULT', 'SECRETS'],
    all.map((c) => [
      `${c.connector}/${c.name}`,
      c.kind,
      c.isDefault ? 'yes' : '',
      c.secretParams.length ? `${c.secretParams.join(', ')} → ${c.secretStore}` : '-',
    ]),
  );
  return 0;
}
