import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import { printJson, printTable } from '../io/output.js';
import { sanitizeLine } from '../io/sanitize.js';
import { findOperation } from '../operation/find.js';
import { callable, findDynamicTarget } from '../operation/dynamic-targets.js';
import { resolveDynamicValues, resolveTree } from '../operation/dynamic-values.js';
import { parseParams } from './run.action.js';

export interface ValuesOptions {
  connection?: string;
  param?: string[];
  parent?: string;
  baseUrl?: string;
  timeout: string;
}

/** `connector values <connector> <operation> <parameter>`: call the parameter's dynamic-values source and print what it offers. */
export default async function values(ctx: Context, connector: string, operation: string, parameter: string, opts: ValuesOptions): Promise<number> {
  const timeout = Number(opts.timeout ?? '30');
  if (!Number.isFinite(timeout) || timeout <= 0) throw new UsageError(`--timeout must be a positive number of seconds, got '${opts.timeout}'`);
  const given = parseParams(opts.param ?? []);
  const record = await (await ctx.registry()).get(connector);
  const op = findOperation(record, operation);
  const target = findDynamicTarget(op, parameter);
  const { source, tree } = callable(op, target);
  if (opts.parent !== undefined && !tree) throw new UsageError(`--parent is for a tree (x-ms-dynamic-tree); ${target.name} has a flat list`, 'Drop --parent.');
  const { resolveConnection } = await import('../connections/store.js');
  const connection = await resolveConnection(ctx, record.name, opts.connection);
  const resolveOpts = { connection, given, timeoutMs: timeout * 1000, baseUrl: opts.baseUrl, parent: opts.parent };
  // A -p the source takes nowhere is a typo or a misunderstanding: said, not silently dropped.
  const { referencedParameters } = await import('../operation/dynamic-values.js');
  const used = referencedParameters(tree ? [tree.open, tree.browse] : [source]);
  for (const name of Object.keys(given)) {
    const bare = name.replace(/^body[./]/i, '').toLowerCase();
    if (!used.some((u) => u.toLowerCase() === bare))
      ctx.warn(`-p ${name} is not an input of ${target.name}'s values${used.length ? ` (they take: ${used.join(', ')})` : ' (they take none)'}; ignored`);
  }
  const operationId = tree ? (opts.parent === undefined ? tree.open : (tree.browse ?? tree.open)).operationId : source!.operationId;
  const list = await ctx.progress.spin(`Waiting for ${operationId} (the values of ${target.name})`, () =>
    tree ? resolveTree(ctx, record, tree, resolveOpts) : resolveDynamicValues(ctx, record, source!, resolveOpts),
  );
  if (ctx.json) {
    // One shape for every item: a title even where the source gives none (it is then the value).
    printJson(
      ctx.io,
      list.map((v) => ({ ...v, title: v.title ?? v.value })),
    );
    return 0;
  }
  if (!list.length) {
    ctx.io.err(sanitizeLine(`${operationId} answered no values for ${target.name}`));
    return 0;
  }
  if (tree) {
    printTable(
      ctx.io,
      ['VALUE', 'TITLE', 'PARENT'],
      list.map((v) => [v.value, v.title, v.isParent ? (v.parent !== undefined ? `--parent ${v.parent}` : 'yes') : '']),
      { flexible: 'TITLE' },
    );
  } else {
    printTable(
      ctx.io,
      ['VALUE', 'TITLE'],
      list.map((v) => [v.value, v.title]),
      { flexible: 'TITLE' },
    );
  }
  return 0;
}
