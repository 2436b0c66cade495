import { evaluate, type ExprScope } from '../expressions.js';
import {
  type BodyHolder,
  type BodyPath,
  deleteAt,
  isObj,
  type Json,
  nodesAt,
  parentsAt,
  parsePath,
  segments,
  setAt,
  showPath,
  shown,
  writeResult,
} from './paths.js';

/**
 * The templates that edit a JSON body, one implementation each for the request and the
 * response side (the platform documents each for "the request or response body"):
 * setproperty, moveproperties, stringreplace, encodepropertyvalue, convertarraytoobject,
 * convertobjecttoarray, stringtoarray. Each is a pure transform of a BodyHolder; it returns
 * what it did, in one line (starting `no change` or `not applied` when it changed nothing).
 * Values appear whole in that line: the caller masks secrets, then shortens it.
 */
export type BodyTransform = (holder: BodyHolder, param: (name: string) => string, raw: (name: string) => unknown, scope?: ExprScope) => string;

interface Target {
  /** The parent the template acts on (what `@item()` means). */
  item: Json;
  /** The node at the parent's sub path (the parent itself when there is none). */
  value: Json;
}

/** The nodes a template reads: per parent (a collection's items each), the node at its sub path. */
function targets(holder: BodyHolder, parent: BodyPath, sub: string[]): Target[] {
  // A parent path starts from the body whichever root it names: there is no item above it.
  if (!sub.length) return nodesAt(holder.json, parent.segs).map((v) => ({ item: v, value: v }));
  return parentsAt(holder.json, parent).map((item) => ({ item, value: nodesAt(item, sub)[0] }));
}

/** Where the result goes: newPropertyPath, or back over the value read (parent + sub path). */
function destination(param: (name: string) => string, sub: string[]): BodyPath {
  const p = param('newPropertyPath').trim();
  return p ? parsePath(p) : { from: 'item', segs: sub };
}

const read = (param: (n: string) => string) => {
  const parent = parsePath(param('propertyParentPath') || '@body()');
  const sub = segments(param('propertySubPath'));
  return { parent, sub, at: showPath(parent, sub) };
};

/** Replace each string value read with f(value), written to the destination; counts the changes. */
function mapStrings(holder: BodyHolder, param: (n: string) => string, f: (s: string) => string, what: string): string {
  const { parent, sub, at } = read(param);
  const dest = destination(param, sub);
  const found = targets(holder, parent, sub).filter((t) => typeof t.value === 'string');
  if (!found.length) return `no change (no string at ${at})`;
  let changed = 0;
  for (const t of found) {
    const next = f(t.value as string);
    if (next !== t.value) changed++;
    writeResult(holder, t.item, dest, next);
  }
  return `${at}: ${what} in ${changed} of ${found.length} value${found.length === 1 ? '' : 's'}`;
}

/** Uri.EscapeDataString (RFC 3986): encodeURIComponent leaves !'()* as they are. */
const escapeData = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

export const stringreplace: BodyTransform = (holder, param) => {
  const from = param('sourceString');
  const to = param('replacementString');
  if (!from) return 'no change (no sourceString)';
  return mapStrings(holder, param, (s) => s.split(from).join(to), `${shown(from)} → ${shown(to)}`);
};

export const encodepropertyvalue: BodyTransform = (holder, param) => mapStrings(holder, param, escapeData, 'URL-encoded');

export const stringtoarray: BodyTransform = (holder, param) => {
  const { parent, sub, at } = read(param);
  const child = param('childPropertyName');
  if (!child) return 'not applied: no childPropertyName (the template makes an array of objects)';
  const delimiters = [...(param('delimiterList') || ',')];
  const dest = destination(param, sub);
  const found = targets(holder, parent, sub).filter((t) => typeof t.value === 'string');
  if (!found.length) return `no change (no string at ${at})`;
  let items = 0;
  for (const t of found) {
    const parts = delimiters.reduce<string[]>((acc, d) => acc.flatMap((x) => x.split(d)), [t.value as string]);
    const arr = parts
      .map((x) => x.trim())
      .filter((x) => x !== '')
      .map((x) => ({ [child]: x }));
    items += arr.length;
    writeResult(holder, t.item, dest, arr);
  }
  return `${at} split at ${shown(delimiters.join(''))} into ${items} { ${child} } item${items === 1 ? '' : 's'}, written to ${showPath(dest)}`;
};

export const convertarraytoobject: BodyTransform = (holder, param) => {
  const { parent, sub, at } = read(param);
  const key = segments(param('keyWithinCollectionPath'));
  if (!key.length) return 'not applied: no keyWithinCollectionPath';
  if (!param('newPropertyPath').trim()) return 'not applied: no newPropertyPath (to overwrite the array, name its own path)';
  const retain = param('retainKey').trim().toLowerCase() !== 'false';
  const dest = destination(param, sub);
  const found = targets(holder, parent, sub).filter((t) => Array.isArray(t.value));
  if (!found.length) return `no change (no array at ${at})`;
  let n = 0;
  for (const t of found) {
    const obj: Record<string, Json> = {};
    const keep = (k: string, v: Json) => Object.defineProperty(obj, k, { value: v, writable: true, enumerable: true, configurable: true });
    for (const el of t.value as Json[]) {
      const k = nodesAt(el, key)[0];
      if (k === undefined || k === null || typeof k === 'object') continue; // an item without a usable key has no place in the object
      const copy = structuredClone(el);
      if (!retain) deleteAt(copy, key);
      keep(String(k), copy); // a key from the data may be `__proto__`: an own property, never the prototype
      n++;
    }
    writeResult(holder, t.item, dest, obj);
  }
  return `${at}: array → object of ${n} keyed by ${key.join('.')}${retain ? '' : ' (key removed from each)'}, written to ${showPath(dest)}`;
};

export const convertobjecttoarray: BodyTransform = (holder, param) => {
  const { parent, sub, at } = read(param);
  const keyName = param('keyName') || 'key';
  const valueName = param('valueName') || 'value';
  if (!param('newPropertyPath').trim()) return 'not applied: no newPropertyPath (to overwrite the object, name its own path)';
  const dest = destination(param, sub);
  const found = targets(holder, parent, sub).filter((t) => isObj(t.value));
  if (!found.length) return `no change (no object at ${at})`;
  let n = 0;
  for (const t of found) {
    // The documented examples name keyName and valueName; without them: `key` and `value`.
    const arr = Object.entries(t.value as Record<string, Json>).map(([k, v]) => ({ [keyName]: k, [valueName]: v }));
    n += arr.length;
    writeResult(holder, t.item, dest, arr);
  }
  return `${at}: object → array of ${n} { ${keyName}, ${valueName} }, written to ${showPath(dest)}`;
};

/**
 * moveproperties: move the property at src (parent + sub path) to dst (parent + sub path, or
 * the same name under the dst parent); with copyOnlySubProperties, move its properties instead
 * (AzureAD's customProperties become properties of the body). The source is removed.
 */
export const moveproperties: BodyTransform = (holder, param) => {
  const srcParent = parsePath(param('srcParentPath') || '@body()');
  const srcSub = segments(param('srcSubPath'));
  const dstParent = parsePath(param('dstParentPath') || '@body()');
  const dstSub = segments(param('dstSubPath'));
  const onlyChildren = param('copyOnlySubProperties').trim().toLowerCase() === 'true';
  const at = showPath(srcParent, srcSub);
  if (!srcSub.length) return 'not applied: no srcSubPath (the body itself cannot be moved)';
  let moved = 0;
  for (const t of targets(holder, srcParent, srcSub)) {
    if (t.value === undefined) continue;
    const base = dstParent.from === 'body' ? holder.json : t.item;
    const dst = [...dstParent.segs, ...(dstSub.length || onlyChildren ? dstSub : srcSub.slice(-1))];
    const value = t.value;
    if (onlyChildren && !isObj(value)) continue;
    deleteAt(t.item, srcSub);
    const ok = onlyChildren ? Object.entries(value as Record<string, Json>).every(([k, v]) => setAt(base, [...dst, k], v)) : setAt(base, dst, value);
    if (ok) moved += onlyChildren ? Object.keys(value as object).length : 1;
    else setAt(t.item, srcSub, value); // nowhere to put it: the source stays where it was
  }
  if (!moved) return `no change (nothing at ${at})`;
  const to = showPath(dstParent, dstSub);
  return onlyChildren ? `${moved} propert${moved === 1 ? 'y' : 'ies'} of ${at} moved into ${to}` : `${at} moved to ${to}`;
};

/** A setproperty value: a literal, `{@body().x}` pieces, a whole `@body().x`, or `[{@body().x}]` (an array of it). */
function propertyValue(template: unknown, holder: BodyHolder, item: Json, scope: ExprScope | undefined): Json {
  if (typeof template !== 'string') return template;
  const lookup = (e: string) => {
    const p = parsePath(e);
    return nodesAt(p.from === 'body' ? holder.json : item, p.segs)[0];
  };
  const t = template.trim();
  const wrap = /^\[\{(.*)\}\]$/s.exec(t);
  if (wrap) {
    const inner = wrap[1].trim();
    const v = /^@(body|item)\(\)/i.test(inner) ? lookup(inner) : scope ? evaluate(inner, scope) : inner;
    return Array.isArray(v) ? v : v === undefined ? [] : [v];
  }
  const whole = /^\{?(@(?:body|item)\(\)[^{}]*?)\}?$/is.exec(t);
  if (whole) return lookup(whole[1]);
  const text = template.replace(/\{(@(?:body|item)\(\)[^{}]*)\}/gi, (_m, e: string) => {
    const v = lookup(e);
    return v === undefined || v === null ? '' : typeof v === 'string' ? v : JSON.stringify(v);
  });
  return scope ? evaluate(text, scope) : text;
}

export const setproperty: BodyTransform = (holder, param, raw, scope) => {
  const parent = parsePath(param('newPropertyParentPathTemplate') || '@body()');
  const key = segments(param('newPropertySubPathTemplate'));
  if (!key.length) return 'no change (no property name)';
  const parents = parentsAt(holder.json, parent).filter(isObj);
  if (!parents.length) return `no change (no object at ${showPath(parent)})`;
  let last: Json;
  for (const p of parents) {
    last = propertyValue(raw('propertyValuePathTemplate'), holder, p, scope);
    setAt(p, key, last);
  }
  return `property ${showPath(parent, key)} set to ${shown(last)}${parents.length > 1 ? ` (${parents.length} items)` : ''}`;
};
