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
export async function printDescription(ctx: Context, record: ConnectorRecord, operation: string, json = ctx.json, fetch = false): Promise<number> {
  const op = findOperation(record, operation);
  // Describing is offline unless asked: a dynamic schema is fetched (a call with the connection) only with --fetch-schemas.
  const d = describeOperation(record, op, fetch ? await fetchDynamic(ctx, record, op) : undefined);
  if (!fetch && (await hasDynamic(op)))
    ctx.io.err(`${op.operationId} has schema parts the API gives at run time (x-ms-dynamic-schema/-properties): add --fetch-schemas to fetch them`);
  if (json) printJson(ctx.io, d);
  else ctx.io.stdout.write(renderDescription(d, { color: ctx.io.color('stdout') }));
  return 0;
}

function schemasOf(op: Operation): [string, Record<string, any> | undefined][] {
  return [['body', op.body?.schema], ...Object.keys(op.responses).map((s): [string, Record<string, any> | undefined] => [`response ${s}`, schemaOf(op, s)])];
}

async function hasDynamic(op: Operation): Promise<boolean> {
  const dyn = await import('./dynamic-schema.js');
  return schemasOf(op).some(([, s]) => dyn.hasDynamicSchema(s));
}

/** The dynamic parts of `op`'s schemas, fetched with no parameter values (only constant inputs and defaults can be met); undefined when it has none. */
async function fetchDynamic(ctx: Context, record: ConnectorRecord, op: Operation): Promise<FetchedSchemas | undefined> {
  const schemas = schemasOf(op);
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
