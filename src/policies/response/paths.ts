/**
 * The body paths of the platform's data templates (convertobjecttoarray, stringreplace,
 * setproperty, …): `@body()`, `@body().a.b`, `@body()['@odata.type']`, `@item().x` (the
 * current parent, when the parent path selected a collection), and bare sub paths
 * (`references`, `['a.b']`, `''` or `'null'` for "the parent itself").
 */

export interface BodyPath {
  /** `body`: from the document's root; `item`: from the parent the template is working on. */
  root: 'body' | 'item';
  segments: string[];
}

const ROOT = /^@?(body|item)\(\)/i;

/** A path expression, or undefined when the text is not one (a literal value). */
export function parsePath(text: string): BodyPath | undefined {
  const t = text.trim();
  const m = ROOT.exec(t);
  if (!m) return undefined;
  const segments = splitSegments(t.slice(m[0].length));
  return segments && { root: m[1].toLowerCase() as 'body' | 'item', segments };
}

/** A sub path's segments; empty, absent or `null` means the parent itself. */
export function subSegments(text: unknown): string[] {
  if (typeof text !== 'string') return [];
  const t = text.trim();
  if (!t || t === 'null') return [];
  return splitSegments(t.startsWith('[') || t.startsWith('.') ? t : `.${t}`) ?? [t];
}

/** `.a.b['c.d']["e"]` → ['a', 'b', 'c.d', 'e']; undefined when it is not that shape. */
function splitSegments(rest: string): string[] | undefined {
  const out: string[] = [];
  const re = /\.([^.[\]]+)|\[\s*'([^']*)'\s*\]|\[\s*"([^"]*)"\s*\]|\[\s*(\d+)\s*\]/y;
  let at = 0;
  while (at < rest.length) {
    re.lastIndex = at;
    const m = re.exec(rest);
    if (!m) return undefined;
    out.push(m[1] ?? m[2] ?? m[3] ?? m[4]);
    at = re.lastIndex;
  }
  return out;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The value at `segments` under `node`, no fan-out (undefined when absent). */
export function getAt(node: unknown, segments: string[]): unknown {
  let cur = node;
  for (const s of segments) {
    if (Array.isArray(cur) && /^\d+$/.test(s)) cur = cur[Number(s)];
    else if (isRecord(cur)) cur = Object.hasOwn(cur, s) ? cur[s] : undefined;
    else return undefined;
  }
  return cur;
}

/**
 * The nodes a parent path selects. A collection met on the way stands for each of its items
 * (`@body().value` with tasks in `value`: each task); `fanOutLast: false` keeps the last one
 * whole (convertarraytoobject's "the parent is the array itself").
 */
export function select(root: unknown, path: BodyPath, item: unknown, fanOutLast = true): unknown[] {
  const spread = (n: unknown): unknown[] => (Array.isArray(n) ? n : [n]);
  let nodes: unknown[] = [path.root === 'item' ? item : root];
  for (const s of path.segments) nodes = nodes.flatMap(spread).flatMap((n) => (isRecord(n) && Object.hasOwn(n, s) && n[s] !== undefined ? [n[s]] : []));
  return fanOutLast ? nodes.flatMap(spread) : nodes;
}

/**
 * Write `value` at `path` (from the root, or from `item` for `@item()`), making the objects on
 * the way. Returns the (possibly new) root: `@body()` alone replaces the whole document.
 */
export function writePath(root: unknown, path: BodyPath, item: unknown, value: unknown): { root: unknown; written: boolean } {
  if (!path.segments.length) {
    if (path.root === 'body') return { root: value, written: true };
    return { root, written: false }; // `@item()` alone: the parent cannot replace itself in place
  }
  const start = path.root === 'item' ? item : root;
  return { root, written: setAt(start, path.segments, value) };
}

export function setAt(node: unknown, segments: string[], value: unknown): boolean {
  let cur = node;
  for (const s of segments.slice(0, -1)) {
    if (!isRecord(cur)) return false;
    if (!isRecord(cur[s])) cur[s] = {};
    cur = cur[s];
  }
  if (!isRecord(cur)) return false;
  cur[segments[segments.length - 1]] = value;
  return true;
}

/** A path as the trace prints it. */
export function showPath(path: BodyPath, sub: string[] = []): string {
  return `@${path.root}()${[...path.segments, ...sub].map((s) => (/^[\w$-]+$/.test(s) ? `.${s}` : `['${s}']`)).join('')}`;
}
