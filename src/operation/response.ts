import type { ConnectorRecord } from '../model.js';
import type { HttpResult } from '../http/types.js';
import type { Operation } from './find.js';
import { checkAgainst } from './schema-check.js';
import type { SchemaInputs } from './dynamic-schema.js';

/** The response schema for a status: exact code, then 2XX-style ranges, then default. */
export function responseSchema(op: Operation, status: number): Record<string, any> | undefined {
  const r = op.responses[String(status)] ?? op.responses[`${String(status)[0]}XX`] ?? op.responses[`${String(status)[0]}xx`] ?? op.responses.default;
  if (!r) return undefined;
  if (r.schema) return r.schema;
  const content: Record<string, any> = r.content ?? {};
  const key = Object.keys(content).find((k) => /json/i.test(k)) ?? Object.keys(content)[0];
  return key ? content[key]?.schema : undefined;
}

/**
 * `--validate`: check the body against the operation's response schema with
 * ajv (./schema-check.ts); each mismatch as "<json pointer>: <message>". Empty array: it matches. A pattern RE2
 * cannot run is not checked, with one line to `warn`. With `dynamic` (what `run` called the
 * operation with), a dynamic part of the schema (x-ms-dynamic-schema / -properties) is fetched
 * first; when it cannot be, the static part is used and `dynamic.ctx` says so on stderr.
 */
export async function validateResponse(
  record: ConnectorRecord,
  op: Operation,
  res: HttpResult,
  warn?: (message: string) => void,
  dynamic?: Omit<SchemaInputs, 'record' | 'op'>,
): Promise<string[]> {
  let schema = responseSchema(op, res.status);
  if (!schema) return [`/: no response schema for HTTP ${res.status} in ${op.operationId}`];
  let data: unknown;
  try {
    data = res.body.length ? JSON.parse(res.body.toString('utf8')) : undefined;
  } catch {
    return schema.type === 'string' ? [] : ['/: the body is not JSON'];
  }
  if (dynamic) {
    const { hasDynamicSchema, resolveDynamicSchema, fetchNote } = await import('./dynamic-schema.js');
    if (hasDynamicSchema(schema)) {
      const r = await resolveDynamicSchema({ ...dynamic, record, op }, schema);
      for (const f of r.fetched) if (f.failed) dynamic.ctx.io.err(fetchNote(`response (HTTP ${res.status})`, f));
      schema = r.schema;
    }
  }
  // No body at all: say so, not `/: must be object` (a newcomer read that as a malformed body).
  if (data === undefined && (schema.type || schema.properties || schema.$ref || schema.items))
    return [`/: the response has no body, but the ${op.operationId} schema for HTTP ${res.status} describes one${schema.type ? ` (${schema.type})` : ''}`];
  const result = checkAgainst(record, schema, data, 'response', warn);
  if ('unchecked' in result)
    return [
      `/: ${result.unchecked.startsWith('nested') ? `the body is ${result.unchecked}; not validated` : `the response ${result.unchecked.replace(/^the /, '')}`}`,
    ];
  return result.problems.map((p) => `${p.pointer || '/'}: ${p.message}`);
}
