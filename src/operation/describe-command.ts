import type { Context } from '../context.js';
import type { ConnectorRecord } from '../model.js';
import { printJson } from '../io/output.js';
import { findOperation, type Operation } from './find.js';
import { describeOperation, type FetchedSchemas } from './describe.js';
import { renderDescription } from './describe-render.js';

/**
 * Print one operation described: text on a terminal or a pipe, one JSON document with --json.
 * An unknown operation is run's NotFoundError (exit 1, the closest names as the hint). A body or
 * response schema with a dynamic part (x-ms-dynamic-schema / -properties) is fetched when the
 * connector's default connection can call its source; where it cannot, one line on stderr says
 * why and the spec's static part is shown.
 */
export async function printDescription(ctx: Context, record: ConnectorRecord, operation: string, json = ctx.json): Promise<number> {
  const op = findOperation(record, operation);
  const d = describeOperation(record, op, await fetchDynamic(ctx, record, op));
  if (json) printJson(ctx.io, d);
  else ctx.io.stdout.write(renderDescription(d, { color: ctx.io.color('stdout') }));
  return 0;
}

/** The dynamic parts of `op`'s schemas, fetched with no parameter values (only constant inputs and defaults can be met); undefined when it has none. */
async function fetchDynamic(ctx: Context, record: ConnectorRecord, op: Operation): Promise<FetchedSchemas | undefined> {
  const statuses = Object.keys(op.responses);
  const schemas: [string, Record<string, any> | undefined][] = [
    ['body', op.body?.schema],
    ...statuses.map((s): [string, Record<string, any> | undefined] => [`response ${s}`, schemaOf(op, s)]),
  ];
  const dyn = await import('./dynamic-schema.js');
  if (!schemas.some(([, s]) => dyn.hasDynamicSchema(s))) return undefined;
  const { resolveConnection } = await import('../connections/store.js');
  let connection: ReturnType<typeof resolveConnection> | undefined;
  const inputs = { ctx, record, op, params: {}, connection: () => (connection ??= resolveConnection(ctx, record.name)) };
  const out: FetchedSchemas = { sources: [] };
  for (const [where, schema] of schemas) {
    if (!schema || !dyn.hasDynamicSchema(schema)) continue;
    const r = await dyn.resolveDynamicSchema(inputs, schema);
    for (const f of r.fetched) {
      if (f.failed) {
        if (!f.absent) ctx.io.err(dyn.fetchNote(where, f));
      } else out.sources.push({ in: where, at: f.at, operationId: f.operationId, properties: f.properties ?? [] });
    }
    if (r.schema === schema) continue;
    if (where === 'body') out.body = r.schema;
    else (out.responses ??= {})[where.slice('response '.length)] = r.schema;
  }
  return out;
}

/** The schema of one declared response (JSON content first for OpenAPI 3). */
function schemaOf(op: Operation, status: string): Record<string, any> | undefined {
  const r = op.responses[status];
  if (r?.schema) return r.schema;
  const content: Record<string, any> = r?.content ?? {};
  const key = Object.keys(content).find((k) => /json/i.test(k)) ?? Object.keys(content)[0];
  return key ? content[key]?.schema : undefined;
}
