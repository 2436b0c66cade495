import type { Context } from '../../context.js';
import { printJson } from '../../io/output.js';

/** `connector remove <name>` (connections of the connector are left to `connector connection delete`). */
export default async function remove(ctx: Context, name: string): Promise<number> {
  await (await ctx.registry()).remove(name);
  ctx.io.err(`Removed connector '${name}'`);
  if (ctx.json) printJson(ctx.io, { removed: name });
  return 0;
}
