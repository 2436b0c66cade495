import type { Context } from '../../context.js';
import { printJson, printTable } from '../../io/output.js';
import { envConnections, listConnections } from '../../connections/store.js';
import { pluginFor } from '../../auth/kinds.js';

/** `connector connection list [connector]`: name, auth kind, default, where each secret lives. */
export default async function list(ctx: Context, asked: string | undefined): Promise<number> {
  // Unknown connector → error with suggestions; any case or an old slug → its stored name.
  const connector = asked === undefined ? undefined : (await (await ctx.registry()).get(asked)).name;
  const stored = await listConnections(ctx, connector);
  // Connections that exist only as CONNECTOR_<K>__<C>__* variables (CI) are listed too, marked env.
  const fromEnv = await envConnections(ctx, stored, connector);
  const env = new Map(fromEnv.map((e) => [e.record, e.variables]));
  const all = [...stored, ...fromEnv.map((e) => e.record)].sort((a, b) => a.connector.localeCompare(b.connector) || a.name.localeCompare(b.name));
  if (ctx.json) {
    printJson(
      ctx.io,
      all.map((c) => {
        const { secretStore, ...rest } = c;
        const vars = env.get(c);
        return vars ? { ...rest, address: `${c.connector}/${c.name}`, source: 'env', variables: vars } : { ...c, address: `${c.connector}/${c.name}` };
      }),
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
      const vars = env.get(c);
      if (vars) return { c, secrets: [], where: `env: ${vars.join(', ')}`, status: undefined };
      const secrets = c.secretParams.map((p) => own[p] ?? p);
      return { c, secrets, where: secrets.length ? `${secrets.join(', ')} → ${c.secretStore}` : '-', status: (await plugin.describe?.(ctx, c))?.status };
    }),
  );
  const headings = [...new Set(rows.flatMap((r) => (r.status ? [r.status.heading] : [])))];
  printTable(
    ctx.io,
    ['CONNECTION', 'AUTH', 'DEFAULT', 'SECRETS', ...headings],
    rows.map(({ c, where, status }) => [
      `${c.connector}/${c.name}`,
      c.kind,
      c.isDefault ? 'yes' : '',
      where,
      ...headings.map((h) => (status?.heading === h ? status.text : '')),
    ]),
    { flexible: 'SECRETS' },
  );
  return 0;
}
