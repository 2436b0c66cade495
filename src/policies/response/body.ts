import { evaluate, type ExprScope } from '../expressions.js';
import { getAt, isRecord, parsePath, select, setAt, showPath, subSegments, writePath, type BodyPath } from './paths.js';

/**
 * The platform's data templates on a parsed JSON body, as its documentation describes them
 * (learn.microsoft.com/connectors/custom-connectors/policy-templates/<id>): each takes the
 * document and the instance's parameters and returns the (possibly new) document and, when
 * something changed, one line saying what.
 */
export interface BodyEdit {
  root: unknown;
  change?: string;
}

/** An instance's `x-ms-apimTemplateParameter.<name>`. */
export type Param = (name: string) => unknown;

const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));
const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

function pathParam(get: Param, name: string, fallback?: string): BodyPath | undefined {
  const v = str(get(name)) || fallback;
  return v ? parsePath(v) : undefined;
}

/**
 * convertobjecttoarray: `{XYZ: {Age: 30}}` at parent+subPath becomes
 * `[{<keyName>: 'XYZ', <valueName>: {Age: 30}}]` at newPropertyPath (`@item()…` is relative to
 * each parent; the source stays unless the new path overwrites it).
 */
export function convertObjectToArray(root: unknown, get: Param): BodyEdit {
  const parent = pathParam(get, 'propertyParentPath', '@body()');
  const sub = subSegments(get('propertySubPath'));
  const target = pathParam(get, 'newPropertyPath');
  if (!parent || !target) return { root };
  const keyName = str(get('keyName')) || 'key';
  const valueName = str(get('valueName')) || 'value';
  let converted = 0;
  let items = 0;
  for (const p of select(root, parent, undefined)) {
    const source = sub.length ? getAt(p, sub) : p;
    if (!isRecord(source)) continue;
    const array = Object.entries(source).map(([k, v]) => ({ [keyName]: k, [valueName]: v }));
    const w = writePath(root, target, p, array);
    root = w.root;
    if (w.written) {
      converted++;
      items += array.length;
    }
  }
  if (!converted) return { root };
  return { root, change: `${plural(converted, 'object')} at ${showPath(parent, sub)} → ${plural(items, 'item')} at ${showPath(target)}` };
}

/**
 * convertarraytoobject: `[{Name: 'XYZ', Age: 30}]` at parent+subPath becomes
 * `{XYZ: {Name: 'XYZ', Age: 30}}` at newPropertyPath, keyed by keyWithinCollectionPath
 * (dropped from each value when retainKey is false; items without the key are left out).
 */
export function convertArrayToObject(root: unknown, get: Param): BodyEdit {
  const sub = subSegments(get('propertySubPath'));
  const parent = pathParam(get, 'propertyParentPath', '@body()');
  const target = pathParam(get, 'newPropertyPath');
  const key = subSegments(get('keyWithinCollectionPath'));
  if (!parent || !target || !key.length) return { root };
  const retain = str(get('retainKey')).toLowerCase() !== 'false';
  let converted = 0;
  let keys = 0;
  // An empty sub path: the parent is the array itself, not a collection of parents.
  for (const p of select(root, parent, undefined, sub.length > 0)) {
    const source = sub.length ? getAt(p, sub) : p;
    if (!Array.isArray(source)) continue;
    const object: Record<string, unknown> = {};
    for (const item of source) {
      const k = isRecord(item) ? getAt(item, key) : undefined;
      if (k === undefined || k === null || typeof k === 'object') continue;
      const value = structuredClone(item) as Record<string, unknown>;
      if (!retain) removeAt(value, key);
      object[String(k)] = value;
    }
    const w = writePath(root, target, p, object);
    root = w.root;
    if (w.written) {
      converted++;
      keys += Object.keys(object).length;
    }
  }
  if (!converted) return { root };
  return { root, change: `${plural(converted, 'array')} at ${showPath(parent, sub)} → ${plural(keys, 'key')} at ${showPath(target)}` };
}

function removeAt(node: Record<string, unknown>, segments: string[]): void {
  const owner = getAt(node, segments.slice(0, -1));
  if (isRecord(owner)) delete owner[segments[segments.length - 1]];
}

/**
 * stringreplace: every occurrence of sourceString in the string at parent+subPath replaced by
 * replacementString (literally, not a pattern), written to newPropertyPath (default: in place).
 */
export function stringReplace(root: unknown, get: Param): BodyEdit {
  const parent = pathParam(get, 'propertyParentPath', '@body()');
  const sub = subSegments(get('propertySubPath'));
  const from = str(get('sourceString'));
  const to = str(get('replacementString'));
  if (!parent || !from) return { root };
  const target = pathParam(get, 'newPropertyPath') ?? (sub.length ? { root: 'item', segments: sub } : parent);
  let replaced = 0;
  for (const p of select(root, parent, undefined)) {
    const value = sub.length ? getAt(p, sub) : p;
    if (typeof value !== 'string' || !value.includes(from)) continue;
    const w = writePath(root, target, p, value.split(from).join(to));
    root = w.root;
    if (w.written) replaced++;
  }
  if (!replaced) return { root };
  return { root, change: `'${from}' → '${to}' in ${plural(replaced, 'value')} at ${showPath(parent, sub)}, written to ${showPath(target)}` };
}

/**
 * setproperty: the property newPropertySubPathTemplate of each parent set to
 * propertyValuePathTemplate: a constant, a path (`@body().id`: that value, any type), or a
 * string with paths in braces (`{@body().firstName} {@body().lastName}`) and
 * `@connectionParameters('…')`/`@headers('…')` expressions.
 */
export function setProperty(root: unknown, get: Param, scope: ExprScope): BodyEdit {
  const parent = pathParam(get, 'newPropertyParentPathTemplate', '@body()');
  const sub = subSegments(get('newPropertySubPathTemplate'));
  if (!parent || !sub.length) return { root };
  const template = get('propertyValuePathTemplate');
  let set = 0;
  let shown: unknown;
  for (const p of select(root, parent, undefined)) {
    if (!isRecord(p)) continue;
    const value = propertyValue(template, root, p, scope);
    if (setAt(p, sub, value)) {
      set++;
      shown = value;
    }
  }
  if (!set) return { root };
  const where = showPath(parent, sub);
  return { root, change: set === 1 ? `${where} = ${preview(shown)}` : `${where} = ${preview(shown)} (in ${set} parents)` };
}

function propertyValue(template: unknown, root: unknown, item: unknown, scope: ExprScope): unknown {
  if (typeof template !== 'string') return template;
  const at = (path: BodyPath) => getAt(path.root === 'item' ? item : root, path.segments);
  const whole = parsePath(template);
  if (whole) return at(whole);
  const filled = template.replace(/\{\s*(@?(?:body|item)\(\)[^{}]*)\}/gi, (m, expr: string) => {
    const path = parsePath(expr);
    const v = path ? at(path) : undefined;
    if (!path) return m;
    return v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  });
  return evaluate(filled, scope);
}

/** A value as one short trace fragment. */
export function preview(v: unknown): string {
  const s = v === undefined ? 'undefined' : JSON.stringify(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
