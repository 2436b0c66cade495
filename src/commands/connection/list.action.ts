import type { Context } from '../../context.js';
import { printJson, printTable } from '../../io/output.js';
import { listConnections } from '../../connections/store.js';
import { pluginFor } from '../../auth/kinds.js';

/** `connector connection list [connector]`: name, auth kind, default, where each secret lives. */
export default async function list(ctx: Context, asked: string | undefined): Promise<number> {
  // Unknown connector → error with suggestions; any case or an old slug → its stored name.
  const connector = asked === undefined ? undefined : (await (await ctx.registry()).get(asked)).name;
  const all = await listConnections(ctx, connector);
  if (ctx.json) {
    printJson(
      ctx.io,
      all.map((c) => ({ ...c, address: `${c.connector}/${c.name}` })),
    );
    return 0;
  }
  if (!all.length) {
    ctx.io.err(
      connector
        ? `No connections for '${connector}'. Create one: connector connection create ${connector}`
        : 'No connections yet. Create one: connector connection create <connector>',
    );
    return 0;
  }
  // Each kind names its own secret-store items and may add a status column (OAuth: SIGN-IN).
  const rows = await Promise.all(
    all.map(async (c) => {
      const plugin = await pluginFor(c.kind);
      const own = plugin.ownSecrets ?? {};
      const secrets = c.secretParams.map((p) => own[p] ?? p);
      return { c, secrets, status: (await plugin.describe?.(ctx, c))?.status };
    }),
  );
  const headings = [...new Set(rows.flatMap((r) => (r.status ? [r.status.heading] : [])))];
  printTable(
    ctx.io,
    ['CONNECTION', 'AUTH', 'DEFAULT', 'SECRETS', ...headings],
    rows.map(({ c, secrets, status }) => [
      `${c.connector}/${c.name}`,
      c.kind,
      c.isDefault ? 'yes' : '',
      secrets.length ? `${secrets.join(', ')} → ${c.secretStore}` : '-',
      ...headings.map((h) => (status?.heading === h ? status.text : '')),
    ]),
  );
  return 0;
}
