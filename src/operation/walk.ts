import { slugify } from '../util/suggest.js';
import { deref } from './refs.js';

/**
 * The one walk over a definition's operations: import (`operations`, the diff),
 * `connector operations`, `run` (findOperation) and connection verification all
 * start here, so they agree on which operations exist, what they are called and
 * which parameters apply. `$ref`s are local (`#/...`; external ones are bundled at
 * import) and resolved by operation/refs.ts: path items and parameters alike.
 */

/** The HTTP methods an operation can live under (Swagger 2 and OAS3 alike; `trace` is not used by connectors). */
export const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'] as const;
export type Method = (typeof METHODS)[number];

type Obj = Record<string, any>;
const isObj = (v: unknown): v is Obj => Boolean(v) && typeof v === 'object' && !Array.isArray(v);

/** One operation of a definition, as the document has it (nothing inlined beyond the top-level `$ref`s). */
export interface OperationEntry {
  /** The path template, the key under `paths`. */
  path: string;
  /** Lower case, as in the document. */
  method: Method;
  /** The path item, its `$ref` followed. */
  pathItem: Obj;
  /** The operation object. */
  operation: Obj;
  /** The declared operationId, else `method_path` (see derivedOperationId). */
  operationId: string;
  /**
   * The parameters that apply: path-level then operation-level, each `$ref` followed
   * (one level: schemas inside keep theirs), an operation parameter replacing the
   * path-level one with the same `in` and `name`. Computed on first read.
   */
  readonly parameters: Obj[];
}

/** `method_path` slug for an operation without operationId, e.g. get_pets_petid. */
export function derivedOperationId(method: string, path: string): string {
  return `${method.toLowerCase()}_${slugify(path).replace(/-/g, '_') || 'root'}`;
}

/** Every operation of `def`, in document order (paths, then METHODS order within a path). */
export function* walkOperations(def: Obj): Generator<OperationEntry> {
  for (const [path, raw] of Object.entries(isObj(def.paths) ? def.paths : {})) {
    const pathItem = deref<unknown>(def, raw);
    if (!isObj(pathItem)) continue;
    for (const method of METHODS) {
      const operation = pathItem[method];
      if (isObj(operation)) yield entry(def, path, method, pathItem, operation);
    }
  }
}

/** The operation at `path` / `method` (any case), or undefined. */
export function operationAt(def: Obj, path: string, method: string): OperationEntry | undefined {
  const pathItem = deref<unknown>(def, isObj(def.paths) ? def.paths[path] : undefined);
  const m = method.toLowerCase() as Method;
  if (!isObj(pathItem) || !METHODS.includes(m) || !isObj(pathItem[m])) return undefined;
  return entry(def, path, m, pathItem, pathItem[m]);
}

function entry(def: Obj, path: string, method: Method, pathItem: Obj, operation: Obj): OperationEntry {
  const operationId = typeof operation.operationId === 'string' && operation.operationId ? operation.operationId : derivedOperationId(method, path);
  let parameters: Obj[] | undefined;
  return {
    path,
    method,
    pathItem,
    operation,
    operationId,
    get parameters() {
      return (parameters ??= mergedParameters(def, pathItem, operation));
    },
  };
}

function mergedParameters(def: Obj, pathItem: Obj, operation: Obj): Obj[] {
  const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
  const merged = new Map<string, Obj>();
  for (const raw of [...list(pathItem.parameters), ...list(operation.parameters)]) {
    const p = deref<unknown>(def, raw);
    if (isObj(p) && typeof p.name === 'string') merged.set(`${p.in}:${p.name}`, p);
  }
  return [...merged.values()];
}
