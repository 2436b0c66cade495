import type { Context } from '../context.js';
import type { ConnectorRecord } from '../model.js';
import { printJson } from '../io/output.js';
import { findOperation } from './find.js';
import { describeOperation } from './describe.js';
import { renderDescription } from './describe-render.js';

/**
 * Print one operation described: text on a terminal or a pipe, one JSON document with --json.
 * An unknown operation is run's NotFoundError (exit 1, the closest names as the hint).
 */
export function printDescription(ctx: Context, record: ConnectorRecord, operation: string, json = ctx.json): number {
  const d = describeOperation(record, findOperation(record, operation));
  if (json) printJson(ctx.io, d);
  else ctx.io.stdout.write(renderDescription(d, { color: ctx.io.color('stdout') }));
  return 0;
}
