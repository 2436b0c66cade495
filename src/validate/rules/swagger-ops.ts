import core from '@stoplight/spectral-core';
import type { IFunctionResult, RuleDefinition } from '@stoplight/spectral-core';

/** A JSON path inside one document, as Spectral reports it. */
export type JsonPath = (string | number)[];

export const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'] as const;

/** One parameter of an operation: resolved, and where it is written (the $ref entry itself when referenced). */
export interface OpParam {
  readonly param: any;
  readonly path: JsonPath;
}

/** One operation of a swagger document. */
export interface Operation {
  readonly route: string;
  readonly method: string;
  readonly op: any;
  readonly path: JsonPath;
  /** Path-level parameters merged with the operation's own (the operation's win, by name + in). */
  readonly params: OpParam[];
}

const isObj = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Follow local `#/...` $refs (a few hops; a loop or a missing target gives undefined). */
export function deref(doc: any, node: any): any {
  for (let hops = 0; hops < 16 && isObj(node) && typeof node.$ref === 'string'; hops++) {
    const ref: string = node.$ref;
    if (!ref.startsWith('#/')) return undefined;
    node = ref
      .slice(2)
      .split('/')
      .map((s) => decodeURIComponent(s).replace(/~1/g, '/').replace(/~0/g, '~'))
      .reduce<any>((at, key) => (isObj(at) || Array.isArray(at) ? (at as any)[key] : undefined), doc);
  }
  return isObj(node) && typeof node.$ref === 'string' ? undefined : node;
}

/**
 * Memoise a function of the whole document: every rule of a run gets the same parsed object, so a walk
 * several rules need is done once per file.
 */
export function perDocument<T>(fn: (doc: any) => T): (doc: any) => T {
  const cache = new WeakMap<object, T>();
  return (doc) => {
    if (!isObj(doc)) return fn(doc);
    if (!cache.has(doc)) cache.set(doc, fn(doc));
    return cache.get(doc) as T;
  };
}

/** Every operation of a swagger document, in file order. */
export const operations = perDocument(listOperations);

function listOperations(doc: any): Operation[] {
  const out: Operation[] = [];
  if (!isObj(doc?.paths)) return out;
  for (const [route, item] of Object.entries<any>(doc.paths)) {
    if (!isObj(item)) continue;
    const shared = paramList(doc, item.parameters, ['paths', route, 'parameters']);
    for (const method of METHODS) {
      const op = item[method];
      if (!isObj(op)) continue;
      const own = paramList(doc, op.parameters, ['paths', route, method, 'parameters']);
      const key = (p: OpParam) => `${p.param?.name}\u0000${p.param?.in}`;
      const mine = new Set(own.map(key));
      out.push({ route, method, op, path: ['paths', route, method], params: [...shared.filter((p) => !mine.has(key(p))), ...own] });
    }
  }
  return out;
}

function paramList(doc: any, list: unknown, at: JsonPath): OpParam[] {
  if (!Array.isArray(list)) return [];
  return list.flatMap((p, i) => {
    const param = deref(doc, p);
    return isObj(param) ? [{ param, path: [...at, i] }] : [];
  });
}

/** Operations by operationId (the first one when an id is repeated: another rule reports that). */
export const byOperationId = perDocument((doc: any): Map<string, Operation> => {
  const m = new Map<string, Operation>();
  for (const o of operations(doc)) if (typeof o.op.operationId === 'string' && !m.has(o.op.operationId)) m.set(o.op.operationId, o);
  return m;
});

/**
 * Visit every schema object under `schema` (properties, items, allOf/anyOf/oneOf, additionalProperties), following
 * local $refs once each; `path` is where the visited node is written (inside a referenced definition when
 * reached through a $ref). `chain` is the schemas from the root down to the parent, for "required all the way" checks.
 */
export function walkSchema(
  doc: any,
  schema: any,
  path: JsonPath,
  visit: (node: any, path: JsonPath, chain: { node: any; key?: string }[]) => void,
  chain: { node: any; key?: string }[] = [],
  seen = new Set<any>(),
): void {
  let node = schema;
  let at = path;
  if (isObj(node) && typeof node.$ref === 'string' && node.$ref.startsWith('#/')) {
    at = node.$ref
      .slice(2)
      .split('/')
      .map((s: string) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    node = deref(doc, node);
  }
  if (!isObj(node) || seen.has(node)) return;
  seen.add(node);
  visit(node, at, chain);
  if (isObj(node.properties)) {
    for (const [k, v] of Object.entries(node.properties)) walkSchema(doc, v, [...at, 'properties', k], visit, [...chain, { node, key: k }], seen);
  }
  if (node.items) walkSchema(doc, node.items, [...at, 'items'], visit, [...chain, { node }], seen);
  if (isObj(node.additionalProperties)) walkSchema(doc, node.additionalProperties, [...at, 'additionalProperties'], visit, [...chain, { node }], seen);
  for (const k of ['allOf', 'anyOf', 'oneOf'] as const) {
    if (Array.isArray(node[k])) node[k].forEach((s: any, i: number) => walkSchema(doc, s, [...at, k, i], visit, chain, seen));
  }
  seen.delete(node);
}

/** A Spectral function that reports what `check` returns (no input/options schema: it reads the whole document). */
export function documentFunction(check: (doc: any) => IFunctionResult[]) {
  return core.createRulesetFunction<unknown, null>({ input: null, options: null }, (doc) => check(doc));
}

/** A Spectral rule that runs `fn` once on the whole (unresolved) document; messages are the function's own. */
export function documentRule(description: string, severity: 'error' | 'warn' | 'info', fn: ReturnType<typeof documentFunction>): RuleDefinition {
  // biome-ignore lint/suspicious/noThenProperty: Spectral's rule format names its action `then`.
  return { description, message: '{{error}}', severity, given: '$', resolved: false, then: { function: fn } };
}
