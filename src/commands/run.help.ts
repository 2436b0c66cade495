import type { Context } from '../context.js';

/** `connector run <connector> <operation> --help`: after run's own help, the operation described. */
export default async function runHelp(ctx: Context, connector: string, operation: string): Promise<number> {
  const record = await (await ctx.registry()).get(connector);
  const { printDescription } = await import('../operation/describe-command.js');
  ctx.io.out('');
  return printDescription(ctx, record, operation, false);
}
