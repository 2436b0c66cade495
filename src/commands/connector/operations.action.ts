import type { Context } from '../../context.js';
import { printJson, printTable, truncate } from '../../io/output.js';
import { sanitizeLine } from '../../io/sanitize.js';
import type { OperationSummary } from '../../model.js';
import { operations } from '../../spec/normalize.js';

/**
 * `connector operations <name> [--all] [--filter text]`: internal (x-ms-visibility: internal) ones only with --all.
 * `connector operations <name> <operation>`: that operation described (operation/describe.ts).
 */
export default async function ops(
  ctx: Context,
  name: string,
  operation: string | undefined,
  opts: { all?: boolean; filter?: string; fetchSchemas?: boolean },
): Promise<number> {
  const record = await (await ctx.registry()).get(name);
  if (operation !== undefined)
    return (await import('../../operation/describe-command.js')).printDescription(ctx, record, operation, ctx.json, Boolean(opts.fetchSchemas));
  const all = filterOperations(operations(record), opts.filter);
  const shown = opts.all ? all : all.filter((o) => o.visibility !== 'internal');
  if (opts.filter !== undefined && !shown.length) ctx.io.err(sanitizeLine(`no${all.length ? ' visible' : ''} operation of '${name}' matches '${opts.filter}'`));
  const hidden = all.length - shown.length;
  if (ctx.json) printJson(ctx.io, shown);
  else if (shown.length) {
    printTable(
      ctx.io,
      ['OPERATION', 'METHOD', 'PATH', 'AUTH', 'SUMMARY'],
      shown.map((o) => [o.operationId, o.method, o.path, o.auth.length ? o.auth.join(',') : '-', truncate(o.summary ?? o.description, 60)]),
      { flexible: 'SUMMARY' },
    );
  } else if (opts.filter === undefined) ctx.io.err(`'${name}' has no${hidden ? ' visible' : ''} operations`);
  if (hidden) ctx.io.err(`${hidden} internal operation${hidden === 1 ? '' : 's'} hidden; use --all to show ${hidden === 1 ? 'it' : 'them'}`);
  return 0;
}

/** --filter: the operations whose operationId, summary, path or method contains `text`, in any case (all of them without it). */
export function filterOperations(ops: OperationSummary[], text: string | undefined): OperationSummary[] {
  if (text === undefined) return ops;
  const needle = text.toLowerCase();
  return ops.filter((o) => [o.operationId, o.summary, o.path, o.method].some((f) => f?.toLowerCase().includes(needle)));
}
