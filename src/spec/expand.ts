/**
 * How many JSON nodes a definition has once its internal `$ref`s are expanded, up to `limit`.
 * Validation dereferences the definition and walks the result as a tree, so a few kilobytes of
 * `$ref` fan-out (ten properties each pointing at the previous definition, nine levels deep) is a
 * billion nodes and a walk of hours that Ctrl-C cannot interrupt (a review found a 2 KB spec
 * taking 25 s at seven levels). Counted with one memo per target, so the count itself is linear
 * in the document; a `$ref` cycle counts once (the dereferencer keeps cycles as references).
 */
export function expandedSize(root: unknown, limit: number): number {
  const memo = new Map<object, number>();
  const open = new Set<object>();
  const target = (ref: string): unknown => {
    if (!ref.startsWith('#')) return undefined;
    let node: unknown = root;
    for (const raw of ref.slice(1).split('/').slice(1)) {
      const key = decodeURIComponentSafe(raw).replace(/~1/g, '/').replace(/~0/g, '~');
      if (node === null || typeof node !== 'object' || !Object.hasOwn(node, key)) return undefined;
      node = (node as Record<string, unknown>)[key];
    }
    return node;
  };
  const size = (value: unknown): number => {
    if (value === null || typeof value !== 'object') return 1;
    let node = value as Record<string, unknown>;
    if (typeof node.$ref === 'string') {
      const t = target(node.$ref);
      if (t === null || typeof t !== 'object') return 1;
      node = t as Record<string, unknown>;
    }
    const known = memo.get(node);
    if (known !== undefined) return known;
    if (open.has(node)) return 1;
    open.add(node);
    let n = 1;
    for (const v of Object.values(node)) {
      n += size(v);
      if (n > limit) break;
    }
    open.delete(node);
    memo.set(node, n);
    return n;
  };
  try {
    return size(root);
  } catch (e) {
    if (e instanceof RangeError) return limit + 1; // a $ref chain longer than the stack: far beyond any real spec
    throw e;
  }
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
