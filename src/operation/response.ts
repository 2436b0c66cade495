import type { ConnectorRecord } from '../model.js';
import type { HttpResult } from '../http/types.js';
import { MAX_DEPTH, tooDeepAt } from '../util/depth.js';
import { load } from '../util/load.js';
import { ajvRegExp } from './pattern.js';
import type { Operation } from './find.js';

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
 * ajv; each mismatch as "<json pointer>: <message>". Empty array: it matches. A pattern RE2
 * cannot run is not checked, with one line to `warn`.
 */
export async function validateResponse(record: ConnectorRecord, op: Operation, res: HttpResult, warn?: (message: string) => void): Promise<string[]> {
  const schema = responseSchema(op, res.status);
  if (!schema) return [`/: no response schema for HTTP ${res.status} in ${op.operationId}`];
  let data: unknown;
  try {
    data = res.body.length ? JSON.parse(res.body.toString('utf8')) : undefined;
  } catch {
    return schema.type === 'string' ? [] : ['/: the body is not JSON'];
  }
  // No body at all: say so, not `/: must be object` (a newcomer read that as a malformed body).
  if (data === undefined && (schema.type || schema.properties || schema.$ref || schema.items))
    return [`/: the response has no body, but the ${op.operationId} schema for HTTP ${res.status} describes one${schema.type ? ` (${schema.type})` : ''}`];
  const { default: Ajv } = load<{ default: new (o: object) => any }>('ajv');
  if (tooDeepAt(data) !== undefined) return [`/: the body is nested more than ${MAX_DEPTH} levels deep; not validated`]; // ajv's validators recurse
  // `pattern` on RE2, linear time: the schema is spec text, the body the API's (./pattern.ts).
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, logger: false, code: { regExp: ajvRegExp(warn) } });
  const def = record.definition as Record<string, any>;
  // Recursive refs stay as `#/definitions/X` (or `#/components/schemas/X`): carry those sections along.
  const root = clean({ ...schema, definitions: def.definitions, components: def.components ? { schemas: def.components.schemas } : undefined });
  let validate: any;
  try {
    validate = ajv.compile(root);
  } catch (e) {
    return [`/: the response schema cannot be compiled: ${(e as Error).message}`];
  }
  if (validate(data)) return [];
  return (validate.errors as { instancePath: string; message?: string; params?: Record<string, unknown> }[]).map((e) => {
    const extra = e.params?.additionalProperty
      ? ` '${e.params.additionalProperty}'`
      : e.params?.allowedValues
        ? ` ${JSON.stringify(e.params.allowedValues)}`
        : '';
    return `${e.instancePath || '/'}: ${e.message ?? 'invalid'}${extra}`;
  });
}

/** Swagger-only keywords ajv rejects: `type: file`, `x-nullable` → nullable. */
function clean(node: any): any {
  if (Array.isArray(node)) return node.map(clean);
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, any> = {};
  for (const [k, v] of Object.entries(node)) {
    if (v === undefined) continue;
    if (k === 'type' && v === 'file') continue;
    if (k === 'x-nullable' && v === true) out.nullable = true;
    else out[k] = clean(v);
  }
  if (out.nullable && typeof out.type === 'string') {
    out.type = [out.type, 'null'];
    delete out.nullable;
  }
  return out;
}
