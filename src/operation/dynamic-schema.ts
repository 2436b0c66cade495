import type { Context } from '../context.js';
import type { ConnectorRecord } from '../model.js';
import type { ResolvedConnection } from '../connections/types.js';
import type { ParamValue } from '../http/types.js';
import { callSource, pathSegments, sourceInputs, type SourceInput } from './dynamic-values.js';
import type { Operation } from './find.js';
import { pointerKey } from './schema-check.js';
import { walkOperations } from './walk.js';

/**
 * Dynamic schemas: a body or response schema (or one property of it) whose real shape comes from
 * calling another operation of the connector, as the platform does for `x-ms-dynamic-schema`
 * (`parameters` by parameter name, `value-path`) and its successor `x-ms-dynamic-properties`
 * (`parameterReference` may point into the body, `body/category`; `itemValuePath`). Where both
 * are given the newer one is used. The fetched schema is merged into the static node (its
 * properties and `required` added, its keywords winning); anything that stops the fetch (no
 * connection, a referenced value not given, the call failing, no schema at the path) leaves the
 * static part, with one note saying why. Answers are kept per Context (one CLI run).
 */

type Obj = Record<string, any>;
const isObj = (v: unknown): v is Obj => Boolean(v) && typeof v === 'object' && !Array.isArray(v);

export interface SchemaSource {
  extension: 'x-ms-dynamic-schema' | 'x-ms-dynamic-properties';
  operationId: string;
  inputs: Record<string, SourceInput>;
  /** Where the schema is in the answer; [] = the answer itself. */
  valuePath: string[];
}

const segments = pathSegments;

/** The dynamic-schema source declared on a schema node (x-ms-dynamic-properties first), or undefined. */
export function schemaSource(node: unknown): SchemaSource | undefined {
  if (!isObj(node)) return undefined;
  const props = node['x-ms-dynamic-properties'];
  if (isObj(props) && typeof props.operationId === 'string' && props.operationId)
    return {
      extension: 'x-ms-dynamic-properties',
      operationId: props.operationId,
      inputs: sourceInputs(props.parameters),
      valuePath: segments(props.itemValuePath),
    };
  const schema = node['x-ms-dynamic-schema'];
  if (isObj(schema) && typeof schema.operationId === 'string' && schema.operationId)
    return {
      extension: 'x-ms-dynamic-schema',
      operationId: schema.operationId,
      inputs: sourceInputs(schema.parameters),
      valuePath: segments(schema['value-path']),
    };
  return undefined;
}

/** How deep the walk looks for dynamic nodes (connectors put them at most a few levels down). */
const WALK_DEPTH = 12;

/** Whether `schema` has a dynamic node anywhere the walk looks (cheap: no call). */
export function hasDynamicSchema(schema: unknown, depth = 0): boolean {
  if (!isObj(schema) || depth > WALK_DEPTH) return false;
  if (schemaSource(schema) && !merged.has(schema)) return true;
  return children(schema).some(([, c]) => hasDynamicSchema(c, depth + 1));
}

/** What a fetch is made with. `connection` is resolved only when a fetch is needed. */
export interface SchemaInputs {
  ctx: Context;
  record: ConnectorRecord;
  op: Operation;
  connection: ResolvedConnection | (() => Promise<ResolvedConnection>);
  /** The operation's `-p` values. */
  params: Record<string, ParamValue>;
  /** The request body as parsed JSON, for references into it (`body/category`). */
  body?: unknown;
  timeoutMs?: number;
  baseUrl?: string;
  /** Why nothing may be called (--dry-run): every dynamic node keeps its static part, saying this. */
  offline?: string;
}

export interface Fetched {
  /** JSON pointer of the node in the schema's instances ('' = the root); `[]` steps into array items. */
  at: string;
  operationId: string;
  extension: SchemaSource['extension'];
  /** Why the static part was used instead; absent when it was fetched. */
  failed?: string;
  /** The source is no operation of this connector (describe says so already). */
  absent?: true;
  /** Properties the fetched schema added. */
  properties?: string[];
}

export interface ResolvedSchema {
  schema: Obj;
  /** One entry per dynamic node met, fetched or not. */
  fetched: Fetched[];
}

/** Nodes this module built (fetched and merged): never fetched again. */
const merged = new WeakSet<object>();

/**
 * `schema` with each dynamic node replaced by the static part merged with the schema its source
 * operation answers. Never throws for a failed fetch: the entry in `fetched` says why.
 */
export async function resolveDynamicSchema(inputs: SchemaInputs, schema: Obj): Promise<ResolvedSchema> {
  const fetched: Fetched[] = [];
  const out = await walk(inputs, schema, '', inputs.body, 0, fetched);
  return { schema: isObj(out) ? out : schema, fetched };
}

function children(s: Obj): [string, unknown][] {
  const out: [string, unknown][] = [];
  if (isObj(s.properties)) for (const [k, v] of Object.entries(s.properties)) out.push([`properties/${k}`, v]);
  if (isObj(s.items)) out.push(['items', s.items]);
  if (isObj(s.additionalProperties)) out.push(['additionalProperties', s.additionalProperties]);
  for (const k of ['allOf', 'oneOf', 'anyOf']) if (Array.isArray(s[k])) s[k].forEach((v: unknown, i: number) => out.push([`${k}/${i}`, v]));
  return out;
}

async function walk(inputs: SchemaInputs, node: unknown, at: string, instance: unknown, depth: number, fetched: Fetched[]): Promise<unknown> {
  if (!isObj(node) || depth > WALK_DEPTH || !hasDynamicSchema(node)) return node;
  let here: Obj = node;
  const source = merged.has(node) ? undefined : schemaSource(node);
  if (source) {
    const r = await fetchSchema(inputs, source, instance);
    const entry: Fetched = { at, operationId: source.operationId, extension: source.extension };
    if ('schema' in r) {
      here = mergeSchema(node, r.schema);
      entry.properties = isObj(r.schema.properties) ? Object.keys(r.schema.properties) : [];
    } else {
      entry.failed = r.failed;
      if (r.absent) entry.absent = true;
    }
    fetched.push(entry);
  }
  const copy: Obj = { ...here };
  let changed = here !== node;
  if (isObj(here.properties)) {
    const props: Obj = {};
    for (const [k, v] of Object.entries(here.properties)) {
      const next = await walk(inputs, v, `${at}/${pointerKey(k)}`, isObj(instance) ? instance[k] : undefined, depth + 1, fetched);
      Object.defineProperty(props, k, { value: next, enumerable: true, writable: true, configurable: true });
      if (next !== v) changed = true;
    }
    copy.properties = props;
  }
  for (const k of ['items', 'additionalProperties'] as const) {
    if (!isObj(here[k])) continue;
    copy[k] = await walk(inputs, here[k], `${at}/[]`, undefined, depth + 1, fetched);
    if (copy[k] !== here[k]) changed = true;
  }
  for (const k of ['allOf', 'oneOf', 'anyOf'] as const) {
    if (!Array.isArray(here[k])) continue;
    copy[k] = [];
    for (const v of here[k]) {
      const next = await walk(inputs, v, at, instance, depth + 1, fetched);
      if (next !== v) changed = true;
      copy[k].push(next);
    }
  }
  if (!changed) return node;
  if (here !== node) merged.add(copy);
  return copy;
}

/** The static node with the fetched schema on top: properties and `required` joined, the fetched keywords winning. */
export function mergeSchema(staticNode: Obj, fetched: Obj): Obj {
  const out: Obj = { ...staticNode, ...fetched };
  if (isObj(staticNode.properties) || isObj(fetched.properties)) out.properties = { ...(staticNode.properties ?? {}), ...(fetched.properties ?? {}) };
  const required = [...(Array.isArray(staticNode.required) ? staticNode.required : []), ...(Array.isArray(fetched.required) ? fetched.required : [])];
  if (required.length) out.required = [...new Set(required)];
  // Keep where it came from (describe shows the source), but it is fetched: never again.
  merged.add(out);
  return out;
}

type Answer = { schema: Obj } | { failed: string; absent?: true };

const cache = new WeakMap<Context, Map<string, Promise<Answer>>>();

const operationIds = new WeakMap<ConnectorRecord, Set<string>>();
function known(record: ConnectorRecord): Set<string> {
  let ids = operationIds.get(record);
  if (!ids) operationIds.set(record, (ids = new Set([...walkOperations(record.definition as Obj)].map((e) => e.operationId.toLowerCase()))));
  return ids;
}

async function fetchSchema(inputs: SchemaInputs, source: SchemaSource, instance: unknown): Promise<Answer> {
  if (inputs.offline) return { failed: inputs.offline };
  if (!known(inputs.record).has(source.operationId.toLowerCase()))
    return { failed: `${source.operationId} is not an operation of this connector`, absent: true };
  const given: Record<string, ParamValue> = {};
  const missing: string[] = [];
  for (const input of Object.values(source.inputs)) {
    if (!('parameter' in input)) continue;
    const v = referenced(inputs, input.parameter, instance);
    if (v !== undefined) given[input.parameter] = v;
    else if (input.required) missing.push(input.parameter);
  }
  if (missing.length) return { failed: `needs ${missing.map((m) => describeRef(inputs.op, m)).join(' and ')}` };
  const key = JSON.stringify([inputs.record.name, inputs.baseUrl ?? '', source.operationId, source.inputs, given]);
  let ctxCache = cache.get(inputs.ctx);
  if (!ctxCache) cache.set(inputs.ctx, (ctxCache = new Map()));
  let pending = ctxCache.get(key);
  if (!pending) {
    pending = call(inputs, source, given);
    ctxCache.set(key, pending);
  }
  return pending;
}

async function call(inputs: SchemaInputs, source: SchemaSource, given: Record<string, ParamValue>): Promise<Answer> {
  let connection: ResolvedConnection;
  try {
    connection = typeof inputs.connection === 'function' ? await inputs.connection() : inputs.connection;
  } catch (e) {
    return { failed: `no connection (${(e as Error).message})` };
  }
  let body: unknown;
  try {
    ({ body } = await callSource(inputs.ctx, inputs.record, source.operationId, source.inputs, {
      connection,
      given,
      timeoutMs: inputs.timeoutMs,
      baseUrl: inputs.baseUrl,
    }));
  } catch (e) {
    if ((e as Error).name === 'CancelError') throw e;
    return { failed: (e as Error).message };
  }
  let value: unknown = body;
  for (const key of source.valuePath) value = isObj(value) ? value[key] : undefined;
  const where = source.valuePath.length ? ` at '${source.valuePath.join('/')}'` : '';
  if (!isObj(value)) return { failed: `${source.operationId} answered no schema${where}` };
  return { schema: value };
}

/**
 * The value a reference names: a `-p` parameter (or its default), else a property of the body
 * (`body/category`, the body parameter's name first; `category` alone, as the older extension
 * writes it), else a property of the object holding the dynamic node.
 */
function referenced(inputs: SchemaInputs, ref: string, instance: unknown): ParamValue | undefined {
  const { op, params, body } = inputs;
  if (params[ref] !== undefined) return params[ref];
  const segs = ref.split('/').filter(Boolean);
  const param = op.params.find((p) => p.name === segs[0]);
  if (param && segs.length === 1) {
    const d = param.schema.default;
    return d === undefined || d === null ? undefined : scalar(d);
  }
  const bodyName = op.body?.name ?? 'body';
  const path = segs.length > 1 && (segs[0] === bodyName || segs[0] === 'body') ? segs.slice(1) : segs;
  for (const root of [body, instance]) {
    let v: unknown = root;
    for (const k of path) v = isObj(v) && Object.hasOwn(v, k) ? v[k] : undefined;
    if (v !== undefined && v !== null) return scalar(v);
  }
  return undefined;
}

const scalar = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

function describeRef(op: Operation, ref: string): string {
  const segs = ref.split('/').filter(Boolean);
  if (op.params.some((p) => p.name === segs[0]) && segs.length === 1) return `-p ${ref}`;
  const bodyName = op.body?.name ?? 'body';
  const path = segs.length > 1 && (segs[0] === bodyName || segs[0] === 'body') ? segs.slice(1) : segs;
  return `the body's ${path.join('.')}`;
}

/** One line for stderr: where a dynamic schema was not fetched, and why. */
export function fetchNote(where: string, f: Fetched): string {
  return `${where}${f.at ? ` ${f.at}` : ''}: the schema from ${f.operationId} was not fetched (${f.failed}); the static part is used`;
}
