import type { Context } from '../../context.js';
import { printJson } from '../../io/output.js';
import { confirmOrYes } from '../../io/confirm.js';

/**
 * `connector remove <name> [--yes]`: its connections go too (each record, then its secrets, as
 * `connection delete` does, so nothing is orphaned), then the connector.
 */
export default async function remove(ctx: Context, asked: string, opts: { yes?: boolean } = {}): Promise<number> {
  const registry = await ctx.registry();
  if (!(await registry.has(asked))) throw await registry.notFound(asked);
  const name = await registry.resolve(asked);
  const { deleteConnection, listConnections } = await import('../../connections/store.js');
  const conns = await listConnections(ctx, name);
  const also = conns.length
    ? ` and its ${conns.length === 1 ? 'connection' : `${conns.length} connections`} (${conns.map((c) => c.name).join(', ')}) with their secrets`
    : '';
  await confirmOrYes(ctx, `Remove the connector '${name}'${also}?`, { yes: opts.yes, what: `removing '${name}'`, retry: `connector remove ${name}` });
  for (const c of conns) {
    const conn = await deleteConnection(ctx, name, c.name);
    ctx.io.err(
      `Deleted ${name}/${c.name}${conn.secretParams.length ? ` and its ${conn.secretParams.length === 1 ? 'secret' : `${conn.secretParams.length} secrets`}` : ''}.`,
    );
  }
  await registry.remove(name);
  ctx.io.err(`Removed connector '${name}'`);
  if (ctx.json) printJson(ctx.io, { removed: name, connectionsDeleted: conns.map((c) => c.name) });
  return 0;
}
