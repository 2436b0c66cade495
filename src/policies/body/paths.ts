/**
 * The body paths of policy template parameters, as connectors write them, for both the
 * request and the response side: `@body()`, `body()`, `@body().a.b`, `@body()['@odata.type']`,
 * `@item().x` (the current item when the parent path is a collection), a bare `a.b` (relative
 * to that item, as the platform's examples use `peopleObject`), and a sub path `x`, `a.b`,
 * `['@odata.etag']` or `null` (none). Pure functions over parsed JSON.
 *
 * Connectors are shared files: a path naming `__proto__`, `constructor` or `prototype` is
 * refused (UnsafePath) and only own properties are read or written, so a policy cannot reach
 * Object.prototype (and through it options such as showSecrets).
 */

export type Json = unknown;
export type Obj = Record<string, unknown>;

export const isObj = (v: unknown): v is Obj => Boolean(v) && typeof v === 'object' && !Array.isArray(v);

export interface BodyPath {
  /** `body`: from the body; `item`: from the current parent item. */
  from: 'body' | 'item';
  segs: string[];
}

/** A path segment that would walk into an object's prototype chain. */
export class UnsafePath extends Error {
  constructor(readonly segment: string) {
    super(`its body path names '${segment}', which reaches JavaScript's object internals`);
  }
}

const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

const ROOT = /^(?:@(body|item)(?:\(\))?|(body|item)\(\))(?=[.[]|$)/i;

/** Split `.a.b['c.d']["e"]` (or `a.b`) into segments; '' and `null` are no segments. Throws UnsafePath. */
export function segments(s: string): string[] {
  const t = s.trim();
  if (!t || t === 'null') return [];
  const out: string[] = [];
  const re = /\[\s*'([^']*)'\s*\]|\[\s*"([^"]*)"\s*\]|\[\s*(\d+)\s*\]|([^.[\]]+)/g;
  for (const m of t.matchAll(re)) out.push(m[1] ?? m[2] ?? m[3] ?? m[4].trim());
  const segs = out.filter((x) => x !== '');
  const bad = segs.find((x) => FORBIDDEN.has(x));
  if (bad !== undefined) throw new UnsafePath(bad);
  return segs;
}

export function parsePath(p: string | undefined): BodyPath {
  const t = String(p ?? '').trim();
  const m = ROOT.exec(t);
  if (!m) return { from: 'item', segs: segments(t) };
  return { from: (m[1] ?? m[2]).toLowerCase() === 'body' ? 'body' : 'item', segs: segments(t.slice(m[0].length)) };
}

/** The path when the text is written from a root (`@body()…`, `@item()…`); undefined for a bare path or a literal. */
export function rootedPath(text: string): BodyPath | undefined {
  return ROOT.test(text.trim()) ? parsePath(text) : undefined;
}

/** The path as a person reads it: `@body().a.b`, `@item().x`. */
export function showPath(p: BodyPath, sub: string[] = []): string {
  const segs = [...p.segs, ...sub].map((s) => (/^[\w$]+$/.test(s) ? `.${s}` : `['${s}']`)).join('');
  return `@${p.from}()${segs}`;
}

/** An own property of an object, or an array item by index; undefined otherwise. */
function child(n: Json, seg: string): Json {
  if (isObj(n)) return Object.hasOwn(n, seg) ? n[seg] : undefined;
  return Array.isArray(n) && /^\d+$/.test(seg) ? n[Number(seg)] : undefined;
}

/** The node at `segs` under `from`, fanning out over arrays met on the way (not over the last node). */
export function nodesAt(from: Json, segs: string[]): Json[] {
  let nodes: Json[] = [from];
  segs.forEach((seg, i) => {
    nodes = nodes.flatMap((n) => {
      const v = child(n, seg);
      if (v === undefined) return [];
      return Array.isArray(v) && i < segs.length - 1 && !/^\d+$/.test(segs[i + 1]) ? v : [v];
    });
  });
  return nodes;
}

/**
 * The parents a template acts on: the nodes at the parent path, each array's items
 * when it names a collection ("the transform is applied to each item").
 */
export function parentsAt(body: Json, parent: BodyPath): Json[] {
  return nodesAt(body, parent.segs).flatMap((n) => (Array.isArray(n) ? n : [n]));
}

/** An own, enumerable data property (never a setter on the prototype chain). */
function put(node: Obj, key: string, value: Json): void {
  Object.defineProperty(node, key, { value, writable: true, enumerable: true, configurable: true });
}

/** Write `value` at `segs` under `base`, creating objects on the way; false when a non-object is in the way. */
export function setAt(base: Json, segs: string[], value: Json): boolean {
  if (!segs.length || !isObj(base) || segs.some((s) => FORBIDDEN.has(s))) return false;
  let node: Obj = base;
  for (const seg of segs.slice(0, -1)) {
    if (!Object.hasOwn(node, seg) || node[seg] === undefined) put(node, seg, {});
    const next = node[seg];
    if (!isObj(next)) return false;
    node = next;
  }
  put(node, segs[segs.length - 1], value);
  return true;
}

export function deleteAt(base: Json, segs: string[]): void {
  const [parent] = nodesAt(base, segs.slice(0, -1));
  if (isObj(parent) && Object.hasOwn(parent, segs[segs.length - 1])) delete parent[segs[segs.length - 1]];
}

/**
 * A holder for the body so a template can replace it whole (`newPropertyPath: @body()`),
 * and the write of a template's result: at the new path from the body or from the item.
 */
export interface BodyHolder {
  json: Json;
}

export function writeResult(holder: BodyHolder, item: Json, target: BodyPath, value: Json): boolean {
  if (target.from === 'body') {
    if (!target.segs.length) {
      holder.json = value;
      return true;
    }
    return setAt(holder.json, target.segs, value);
  }
  return setAt(item, target.segs, value);
}

/**
 * A value in a trace line, whole: the caller masks secrets in the full line before it
 * shortens it (a value cut first would no longer match the redactor).
 */
export function shown(v: Json): string {
  return typeof v === 'string' ? JSON.stringify(v) : (JSON.stringify(v) ?? String(v));
}
