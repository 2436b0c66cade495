import type { Context } from '../../context.js';
import { printJson, printTable, truncate } from '../../io/output.js';
import { operations } from '../../spec/normalize.js';

/**
 * `connector operations <name> [--all]`: internal (x-ms-visibility: internal) ones only with --all.
 * `connector operations <name> <operation>`: that operation described (operation/describe.ts).
 */
export default async function ops(ctx: Context, name: string, operation: string | undefined, opts: { all?: boolean }): Promise<number> {
  const record = await (await ctx.registry()).get(name);
  if (operation !== undefined) return (await import('../../operation/describe-command.js')).printDescription(ctx, record, operation);
  const all = operations(record);
  const shown = opts.all ? all : all.filter((o) => o.visibility !== 'internal');
  const hidden = all.length - shown.length;
  if (ctx.json) printJson(ctx.io, shown);
  else if (shown.length) {
    printTable(
      ctx.io,
      ['OPERATION', 'METHOD', 'PATH', 'AUTH', 'SUMMARY'],
      shown.map((o) => [o.operationId, o.method, o.path, o.auth.length ? o.auth.join(',') : '-', truncate(o.summary ?? o.description, 60)]),
    );
  } else ctx.io.err(`'${name}' has no${hidden ? ' visible' : ''} operations`);
  if (hidden) ctx.io.err(`${hidden} internal operation${hidden === 1 ? '' : 's'} hidden; use --all to show ${hidden === 1 ? 'it' : 'them'}`);
  return 0;
}
