import type { ConnectorRecord } from '../model.js';
import { NotFoundError } from '../errors.js';
import { closest, legacySlugify, slugify } from '../util/suggest.js';
import { derefDeep } from './refs.js';
import { walkOperations, type OperationEntry } from './walk.js';

export type ParamIn = 'path' | 'query' | 'header' | 'cookie' | 'formData' | 'body';

/** One parameter with every $ref inlined; Swagger 2 and OAS3 folded into one shape. */
export interface OpParam {
  name: string;
  in: ParamIn;
  required: boolean;
  /** The value schema (Swagger 2: the parameter itself minus name/in; OAS3: `schema`). */
  schema: Record<string, any>;
  description?: string;
  /** Swagger 2 collectionFormat. */
  collectionFormat?: string;
  /** OAS3 style / explode (defaults filled per location). */
  style?: string;
  explode?: boolean;
  allowReserved?: boolean;
  /** x-ms-visibility. */
  visibility?: string;
  /** x-ms-url-encoding: 'double' encodes path values twice. */
  urlEncoding?: string;
  /** Raw parameter object, for x-ms-* lookups. */
  raw: Record<string, any>;
}

export interface OpBody {
  required: boolean;
  /** Content types in preference order (JSON first). */
  contentTypes: string[];
  schema: Record<string, any>;
  /** Swagger 2 body parameter name (for -p <name>=...). */
  name?: string;
  example?: unknown;
}

/** An operation resolved from the definition, ready to build a request from. */
export interface Operation {
  operationId: string;
  method: string;
  path: string;
  summary?: string;
  params: OpParam[];
  body?: OpBody;
  /** Swagger 2 `consumes` (op or root). */
  consumes: string[];
  produces: string[];
  /** Response objects by status code, $refs inlined. */
  responses: Record<string, any>;
  /** Security requirement names that apply (op-level beats root). */
  security: string[];
  raw: Record<string, any>;
}

/**
 * Find an operation by operationId (case-insensitive) or by the slug of its
 * summary. Unknown → NotFoundError (exit 1) with the closest names.
 */
export function findOperation(record: ConnectorRecord, input: string): Operation {
  // A smoke suite calls the same few operations hundreds of times (~0.15 ms each to resolve again);
  // a record's definition is not changed once loaded, and no caller changes an Operation.
  let known = resolved.get(record);
  const cached = known?.get(input);
  if (cached) return cached;
  const op = find(record, input);
  if (!known) resolved.set(record, (known = new Map()));
  known.set(input, op);
  return op;
}

const resolved = new WeakMap<ConnectorRecord, Map<string, Operation>>();

function find(record: ConnectorRecord, input: string): Operation {
  const all = [...walkOperations(record.definition)];
  const lc = input.toLowerCase();
  const hit =
    all.find((r) => r.operationId === input) ??
    all.find((r) => r.operationId.toLowerCase() === lc) ??
    all.find((r) => typeof r.operation.summary === 'string' && slugify(r.operation.summary) === slugify(input)) ??
    all.find((r) => typeof r.operation.summary === 'string' && legacySlugify(r.operation.summary) === slugify(input));
  if (!hit) {
    // operationIds first (what `connector operations` lists); summary slugs only to fill up
    // (a slug is left out when its operation is suggested by id already)
    const byId = closest(
      input,
      all.map((r) => r.operationId),
    );
    const slugOf = new Map(all.filter((r) => typeof r.operation.summary === 'string').map((r) => [slugify(r.operation.summary), r.operationId]));
    const bySlug = closest(input, [...slugOf.keys()].filter(Boolean)).filter((s) => !byId.includes(slugOf.get(s)!));
    const near = [...byId, ...bySlug].slice(0, 3);
    throw new NotFoundError(
      `connector '${record.name}' has no operation '${input}'`,
      near.length ? `Did you mean: ${near.join(', ')}?` : `Run \`connector operations ${record.name}\` to list them.`,
    );
  }
  return resolveOperation(record.definition, hit);
}

/** All operations, resolved. */
export function allOperations(record: ConnectorRecord): Operation[] {
  return [...walkOperations(record.definition)].map((r) => resolveOperation(record.definition, r));
}

const DEFAULT_STYLE: Record<string, string> = { query: 'form', cookie: 'form', path: 'simple', header: 'simple' };

function resolveOperation(def: Record<string, any>, r: OperationEntry): Operation {
  const isOas3 = typeof def.openapi === 'string';
  const op = r.operation;
  const params: OpParam[] = [];
  let body: OpBody | undefined;
  const consumes: string[] = op.consumes ?? def.consumes ?? [];
  for (const p of r.parameters.map((p0) => derefDeep(def, p0))) {
    if (p.in === 'body') {
      body = {
        required: Boolean(p.required),
        contentTypes: consumes.length ? sortTypes(consumes) : ['application/json'],
        schema: p.schema ?? {},
        name: p.name,
        example: p['x-example'] ?? p.schema?.example,
      };
      continue;
    }
    const { name, in: loc, required, description, collectionFormat, style, explode, allowReserved, schema, ...rest } = p;
    const valueSchema: Record<string, any> = isOas3 || schema ? { ...(schema ?? {}) } : { ...rest };
    if (p.example !== undefined && valueSchema.example === undefined) valueSchema.example = p.example;
    const st = style ?? (isOas3 ? DEFAULT_STYLE[loc] : undefined);
    params.push({
      name,
      in: loc,
      required: Boolean(required) || loc === 'path',
      schema: valueSchema,
      description,
      collectionFormat,
      style: st,
      explode: explode ?? (st === 'form' ? true : st ? false : undefined),
      allowReserved,
      visibility: p['x-ms-visibility'],
      urlEncoding: p['x-ms-url-encoding'],
      raw: p,
    });
  }
  if (isOas3 && op.requestBody) {
    const rb = derefDeep(def, op.requestBody);
    const content: Record<string, any> = rb.content ?? {};
    const types = sortTypes(Object.keys(content));
    const first = content[types[0]] ?? {};
    body = {
      required: Boolean(rb.required),
      contentTypes: types,
      schema: first.schema ?? {},
      name: rb['x-bodyName'] ?? 'body',
      example: first.example ?? first.schema?.example,
    };
  }
  const responses: Record<string, any> = {};
  for (const [code, resp] of Object.entries<any>(op.responses ?? {})) responses[code] = derefDeep(def, resp);
  const sec: any[] = op.security ?? def.security ?? [];
  return {
    operationId: r.operationId,
    method: r.method.toUpperCase(),
    path: r.path,
    summary: r.operation.summary,
    params,
    body,
    consumes,
    produces: op.produces ?? def.produces ?? [],
    responses,
    security: [...new Set(sec.flatMap((s) => Object.keys(s ?? {})))],
    raw: op,
  };
}

/** JSON first, then form types, then the rest in spec order. */
function sortTypes(types: string[]): string[] {
  const rank = (t: string) => (/json/i.test(t) ? 0 : /x-www-form-urlencoded/.test(t) ? 1 : /multipart/.test(t) ? 2 : 3);
  return [...types].sort((a, b) => rank(a) - rank(b));
}
