import type { Context } from '../../context.js';
import { printJson } from '../../io/output.js';

/**
 * `connector remove <name>`: its connections go too (through `connection delete`, so
 * their keychain items are removed first and nothing is orphaned), then the connector.
 */
export default async function remove(ctx: Context, name: string): Promise<number> {
  const registry = await ctx.registry();
  if (!(await registry.has(name))) throw await registry.notFound(name);
  const { listConnections } = await import('../../connections/store.js');
  const conns = await listConnections(ctx, name);
  const deleteConnection = (await import('../connection/delete.action.js')).default;
  for (const c of conns) await deleteConnection({ ...ctx, json: false }, `${name}/${c.name}`);
  await registry.remove(name);
  ctx.io.err(`Removed connector '${name}'`);
  if (ctx.json) printJson(ctx.io, { removed: name, connectionsDeleted: conns.map((c) => c.name) });
  return 0;
}
