/**
 * Local JSON-pointer `$ref` resolution. The stored definition already has its
 * external refs bundled, so only `#/...` refs occur. Cycles are kept as the
 * original `{ $ref }` object at the point where they recur, so walking the
 * result always terminates.
 */
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Resolve `#/a/b~1c` against `root`; undefined when it points nowhere. */
export function resolvePointer(root: unknown, ref: string): unknown {
  if (!ref.startsWith('#')) return undefined;
  const path = ref.slice(1);
  if (path === '' || path === '/') return root;
  let cur: unknown = root;
  for (const raw of path.replace(/^\//, '').split('/')) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

/** Follow `$ref` chains at the top of `node` only (cycle-safe). */
export function deref<T = Record<string, unknown>>(root: unknown, node: unknown): T {
  const seen = new Set<string>();
  let cur = node as Record<string, unknown> | undefined;
  while (cur && typeof cur === 'object' && typeof cur.$ref === 'string') {
    const ref = cur.$ref;
    if (seen.has(ref)) break;
    seen.add(ref);
    const next = resolvePointer(root, ref);
    if (next === undefined) break;
    cur = next as Record<string, unknown>;
  }
  return cur as T;
}

/**
 * A deep copy of `node` with every local `$ref` inlined. A ref already being
 * expanded higher up the same branch is left as `{ $ref }` (recursive schemas).
 */
export function derefDeep(root: unknown, node: unknown, stack: string[] = []): any {
  if (Array.isArray(node)) return node.map((n) => derefDeep(root, n, stack));
  if (node === null || typeof node !== 'object') return node;
  const obj = node as Record<string, unknown>;
  if (typeof obj.$ref === 'string') {
    const ref = obj.$ref;
    if (stack.includes(ref)) return { $ref: ref };
    const target = resolvePointer(root, ref);
    if (target === undefined) return { $ref: ref };
    return derefDeep(root, target, [...stack, ref]);
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) out[k] = derefDeep(root, v, stack);
  return out;
}
