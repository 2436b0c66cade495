import type { Context } from '../context.js';
import type { ConnectorRecord } from '../model.js';
import type { ResolvedConnection } from '../connections/types.js';
import type { ParamValue } from '../http/types.js';
import { CliError, UsageError } from '../errors.js';
import type { OpParam } from './find.js';
import { MASK } from '../http/redact.js';

/**
 * Dynamic values: a parameter whose allowed values come from calling another operation of the
 * same connector, as the platform does for `x-ms-dynamic-values` and `x-ms-dynamic-list`.
 * `dynamicSource` reads the extension into one shape; `resolveDynamicValues` calls the source
 * operation through the normal run path (prepareCall/sendPrepared: the connection's auth plug-in,
 * policies, ctx.http) and picks value and title out of the response. Shell completion uses it
 * (src/completion/); `connector values` (issue 12) is meant to.
 */

type Obj = Record<string, any>;
const isObj = (v: unknown): v is Obj => Boolean(v) && typeof v === 'object' && !Array.isArray(v);

/**
 * One input of the source operation: a fixed value, the value the caller gives another parameter,
 * or (x-ms-dynamic-tree's browse) the selected item's value at a path (`selectedItemValuePath`).
 */
export type SourceInput = { value: unknown } | { parameter: string; required: boolean } | { selected: string[] };

export interface DynamicSource {
  /** Which extension it came from. */
  kind: 'x-ms-dynamic-values' | 'x-ms-dynamic-list' | 'x-ms-dynamic-tree';
  operationId: string;
  /** By the source operation's parameter name. */
  parameters: Record<string, SourceInput>;
  /** Path to the array in the response body (`value-collection` / `itemsPath`); [] = the body itself. */
  collection: string[];
  /** Path to the value in one item (`value-path` / `itemValuePath`); [] = the item itself. */
  valuePath: string[];
  /** Path to the title in one item (`value-title` / `itemTitlePath`), if any. */
  titlePath?: string[];
  /** x-ms-dynamic-tree's `itemIsParent` (`(IsFolder eq true)`, `true`): whether an item has children. */
  isParent?: string;
  /** x-ms-dynamic-tree: where in an item the value its children are listed by is (the browse level's `selectedItemValuePath`). */
  parentPath?: string[];
}

export interface DynamicValue {
  value: string;
  title?: string;
  /** x-ms-dynamic-tree: the item has children (list them with `--parent`). */
  isParent?: boolean;
  /** x-ms-dynamic-tree: what `--parent` takes to list this item's children, where that is not its value (browse's `selectedItemValuePath`). */
  parent?: string;
}

/** `value/items` (or a JSON pointer `/value/items`) → ['value', 'items']. */
/** `value/items` or a JSON pointer `/value/items` (`~1` a slash, `~0` a tilde in a key) → ['value', 'items']; dynamic schemas read theirs alike. */
export const pathSegments = (path: unknown): string[] =>
  typeof path === 'string'
    ? path
        .split('/')
        .filter(Boolean)
        .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    : [];
const segments = pathSegments;

/**
 * The dynamic-values source declared on a parameter (on the parameter object, or on its schema as
 * OpenAPI 3 puts it), or undefined when it has none or names no operation (a `builtInOperation`
 * is the platform's own and cannot be called here).
 */
export function dynamicSource(param: Pick<OpParam, 'raw' | 'schema'>): DynamicSource | undefined {
  const values = param.raw?.['x-ms-dynamic-values'] ?? param.schema?.['x-ms-dynamic-values'];
  if (isObj(values) && typeof values.operationId === 'string' && values.operationId) {
    return {
      kind: 'x-ms-dynamic-values',
      operationId: values.operationId,
      parameters: inputs(values.parameters),
      collection: segments(values['value-collection']),
      valuePath: segments(values['value-path']),
      titlePath: typeof values['value-title'] === 'string' ? segments(values['value-title']) : undefined,
    };
  }
  const list = param.raw?.['x-ms-dynamic-list'] ?? param.schema?.['x-ms-dynamic-list'];
  if (isObj(list) && typeof list.operationId === 'string' && list.operationId) {
    return {
      kind: 'x-ms-dynamic-list',
      operationId: list.operationId,
      parameters: inputs(list.parameters),
      collection: segments(list.itemsPath),
      valuePath: segments(list.itemValuePath),
      titlePath: typeof list.itemTitlePath === 'string' ? segments(list.itemTitlePath) : undefined,
    };
  }
  return undefined;
}

/**
 * `{ "parameter": "other" }` (dynamic-values), `{ "parameterReference": "other", "required": true }`
 * (dynamic-list), `{ "value": 1 }`, or a bare value (older connectors).
 */
function inputs(raw: unknown): Record<string, SourceInput> {
  const out: Record<string, SourceInput> = {};
  if (!isObj(raw)) return out;
  for (const [name, v] of Object.entries(raw)) {
    if (isObj(v) && typeof (v.parameter ?? v.parameterReference) === 'string') {
      out[name] = { parameter: v.parameter ?? v.parameterReference, required: v.required !== false };
    } else if (isObj(v) && typeof v.selectedItemValuePath === 'string') {
      out[name] = { selected: segments(v.selectedItemValuePath) };
    } else if (isObj(v) && 'value' in v) out[name] = { value: v.value };
    else if (!isObj(v) && v !== undefined) out[name] = { value: v };
  }
  return out;
}

export interface ResolveOptions {
  connection: ResolvedConnection;
  /** The calling operation's parameter values given so far (the line's `-p`), for `{ "parameter": … }`. */
  given?: Record<string, ParamValue>;
  /** Per request; the source operation is called once, never retried. Default 10 s. */
  timeoutMs?: number;
  baseUrl?: string;
  /** x-ms-dynamic-tree: the value `--parent` gave (browse's `selectedItemValuePath` inputs take it). */
  parent?: string;
}

/**
 * Call the source operation and return its values, in the response's order, duplicates dropped.
 * Throws a UsageError when a referenced parameter is not given, a CliError when the call fails
 * or the response has no list where the source says.
 */
export async function resolveDynamicValues(ctx: Context, record: ConnectorRecord, source: DynamicSource, opts: ResolveOptions): Promise<DynamicValue[]> {
  const { body, masked } = await callSource(ctx, record, source.operationId, source.parameters, opts);
  const values = pickValues(body, source);
  // A value with a secret masked in it is no value anyone can send: left out (a title keeps its mask).
  return masked ? values.filter((v) => !v.value.includes(MASK)) : values;
}

/** What a source operation answered: its JSON body with the connection's secrets masked (`masked`: some were). */
export interface SourceAnswer {
  body: unknown;
  masked: boolean;
}

/**
 * Call a source operation (of dynamic values, lists, schemas or properties) with its declared
 * inputs, through the normal run path (prepareCall/sendPrepared: the connection's auth plug-in,
 * policies, ctx.http): once, never retried. Throws a UsageError when a referenced parameter is
 * not given, a CliError when the call fails or the answer is not JSON.
 */
export async function callSource(
  ctx: Context,
  record: ConnectorRecord,
  operationId: string,
  inputs: Record<string, SourceInput>,
  opts: ResolveOptions,
): Promise<SourceAnswer> {
  const params: Record<string, ParamValue> = {};
  for (const [name, input] of Object.entries(inputs)) {
    if ('value' in input) {
      if (input.value !== undefined && input.value !== null) params[name] = typeof input.value === 'string' ? input.value : JSON.stringify(input.value);
      continue;
    }
    if ('selected' in input) {
      if (opts.parent !== undefined) params[name] = opts.parent;
      continue;
    }
    const given = givenValue(opts.given, input.parameter);
    if (given !== undefined) params[name] = given;
    else if (input.required)
      throw new UsageError(`the values of this parameter depend on '${input.parameter}'`, `Give it first: -p ${input.parameter}=<value>`);
  }
  const { prepareCall, sendPrepared } = await import('../http/call.js');
  // The fixed inputs are the connector's own: sent as declared, as the platform does (checks only warn).
  const declared = Object.entries(inputs).flatMap(([name, input]) => ('value' in input ? [name] : []));
  const callOpts = { params, connection: opts.connection, timeoutMs: opts.timeoutMs ?? 10_000, retries: 0, baseUrl: opts.baseUrl, declared };
  let prepared: Awaited<ReturnType<typeof prepareCall>>;
  try {
    prepared = await prepareCall(ctx, record, operationId, callOpts);
  } catch (e) {
    // The source's own parameter refused a value: say whose it is and which -p it came from.
    if (!(e instanceof UsageError)) throw e;
    const from = Object.entries(inputs).find(([name, input]) => 'parameter' in input && e.message.includes(`'${name}'`));
    const via = from && 'parameter' in from[1] ? ` (given as -p ${from[1].parameter})` : '';
    throw new UsageError(`the values' source ${operationId}: ${e.message}${via}`, e.hint);
  }
  const res = await sendPrepared(ctx, prepared, callOpts);
  if (res.status < 200 || res.status >= 300) throw new CliError(`${operationId} answered HTTP ${res.status}`);
  // The connection's secrets masked as `run` masks them (an API may echo a key back); the mask keeps JSON valid.
  const text = res.body.toString('utf8');
  if (!text.trim()) throw new CliError(`${operationId} answered an empty body (HTTP ${res.status}), no list`);
  const masked = prepared.redactor.mask(text);
  try {
    return { body: JSON.parse(masked), masked: masked !== text };
  } catch {
    throw new CliError(`${operationId} did not answer JSON`);
  }
}

/** A `-p` value by name: as written, else in any case, else with a location prefix (`query:site`). */
function givenValue(given: Record<string, ParamValue> | undefined, name: string): ParamValue | undefined {
  if (!given) return undefined;
  if (given[name] !== undefined) return given[name];
  const lc = name.toLowerCase().replace(/^body[./]/, '');
  // `-p groupId=…`, `-p query:groupId=…`, and for a body property `-p body.groupId=…` / `-p body/groupId=…`.
  const key = Object.keys(given).find((k) => k.toLowerCase().replace(/^(path|query|header|cookie|formdata):|^body[./]/, '') === lc);
  return key === undefined ? undefined : given[key];
}

/** The calling operation's parameters the sources' inputs refer to (`{ "parameter": … }`), by name. */
export function referencedParameters(sources: ({ parameters: Record<string, SourceInput> } | undefined)[]): string[] {
  const out = new Set<string>();
  for (const s of sources) for (const input of Object.values(s?.parameters ?? {})) if ('parameter' in input) out.add(input.parameter);
  return [...out];
}

/** The declared inputs of a source (`parameters` of any x-ms-dynamic-* extension), in one shape. */
export function sourceInputs(raw: unknown): Record<string, SourceInput> {
  return inputs(raw);
}

/** The values of a source operation's response body (exported for tests and for callers that already have the body). */
export function pickValues(
  body: unknown,
  source: Pick<DynamicSource, 'collection' | 'valuePath' | 'titlePath' | 'operationId' | 'isParent' | 'parentPath'>,
): DynamicValue[] {
  const items = at(body, source.collection);
  if (!Array.isArray(items)) {
    throw new CliError(`${source.operationId}: no list at '${source.collection.join('/') || '(the body)'}' in the response`);
  }
  const seen = new Set<string>();
  const out: DynamicValue[] = [];
  for (const item of items) {
    const value = scalar(at(item, source.valuePath));
    if (value === undefined || seen.has(value)) continue;
    seen.add(value);
    const title = source.titlePath ? scalar(at(item, source.titlePath)) : undefined;
    const one: DynamicValue = title !== undefined && title !== value ? { value, title } : { value };
    if (source.isParent !== undefined && isParentItem(source.isParent, item)) {
      one.isParent = true;
      const parent = source.parentPath ? scalar(at(item, source.parentPath)) : undefined;
      if (parent !== undefined && parent !== value) one.parent = parent;
    }
    out.push(one);
  }
  return out;
}

/**
 * `x-ms-dynamic-tree`: a picker that lists one level at a time. `open` lists the top level;
 * `browse` lists an item's children, its `selectedItemValuePath` inputs taking the chosen item's
 * value; `settings` say whether parents and leaves may be chosen.
 */
export interface DynamicTree {
  kind: 'x-ms-dynamic-tree';
  open: DynamicSource;
  browse?: DynamicSource;
  canSelectParents: boolean;
  canSelectLeaves: boolean;
}

/** The dynamic tree declared on a parameter (or its schema), or undefined when it has none or its `open` names no operation. */
export function dynamicTree(param: Pick<OpParam, 'raw' | 'schema'>): DynamicTree | undefined {
  const tree = param.raw?.['x-ms-dynamic-tree'] ?? param.schema?.['x-ms-dynamic-tree'];
  if (!isObj(tree)) return undefined;
  const browse = level(tree.browse);
  const selected = browse && Object.values(browse.parameters).find((i): i is { selected: string[] } => 'selected' in i);
  const open = level(tree.open, selected?.selected);
  if (!open) return undefined;
  if (browse && selected) browse.parentPath = selected.selected;
  const settings = isObj(tree.settings) ? tree.settings : {};
  return {
    kind: 'x-ms-dynamic-tree',
    open,
    ...(browse ? { browse } : {}),
    canSelectParents: settings.canSelectParentNodes !== false,
    canSelectLeaves: settings.canSelectLeafNodes !== false,
  };
}

function level(raw: unknown, parentPath?: string[]): DynamicSource | undefined {
  if (!isObj(raw) || typeof raw.operationId !== 'string' || !raw.operationId) return undefined;
  return {
    kind: 'x-ms-dynamic-tree',
    operationId: raw.operationId,
    parameters: inputs(raw.parameters),
    collection: segments(raw.itemsPath),
    valuePath: segments(raw.itemValuePath),
    titlePath: typeof raw.itemTitlePath === 'string' ? segments(raw.itemTitlePath) : undefined,
    isParent: typeof raw.itemIsParent === 'string' ? raw.itemIsParent : typeof raw.itemIsParent === 'boolean' ? String(raw.itemIsParent) : undefined,
    ...(parentPath ? { parentPath } : {}),
  };
}

/**
 * One level of a tree: the top (`open`), or with `opts.parent` the children of that item
 * (`browse`). A parent item is marked `isParent`.
 */
export async function resolveTree(ctx: Context, record: ConnectorRecord, tree: DynamicTree, opts: ResolveOptions): Promise<DynamicValue[]> {
  if (opts.parent === undefined) return resolveDynamicValues(ctx, record, tree.open, opts);
  if (!tree.browse) throw new UsageError('this tree lists one level only (it declares no browse operation)', 'Drop --parent.');
  return resolveDynamicValues(ctx, record, tree.browse, opts);
}

/**
 * `itemIsParent`, an OData-like test the platform evaluates on each item: `true`, `(IsFolder eq
 * true)`, `Type ne 'file'`, a bare property path (truthy), joined by `and` / `or`. Anything else: not a parent.
 */
export function isParentItem(expr: string, item: unknown): boolean {
  const text = unwrap(expr.trim());
  const ors = text.split(/\s+or\s+/i);
  if (ors.length > 1) return ors.some((part) => isParentItem(part, item));
  const ands = text.split(/\s+and\s+/i);
  if (ands.length > 1) return ands.every((part) => isParentItem(part, item));
  if (/^true$/i.test(text)) return true;
  if (/^false$/i.test(text)) return false;
  const cmp = /^([\w@$./-]+)\s+(eq|ne)\s+(.+)$/i.exec(text);
  if (cmp) {
    const actual = at(item, segments(cmp[1].replace(/\./g, '/')));
    const equal = literal(cmp[3].trim()) === actual;
    return cmp[2].toLowerCase() === 'eq' ? equal : !equal;
  }
  if (/^[\w@$./-]+$/.test(text)) return Boolean(at(item, segments(text.replace(/\./g, '/'))));
  return false;
}

/** `(a eq 1)` → `a eq 1`; `(a) or (b)` stays (its first parenthesis closes before the end). */
function unwrap(text: string): string {
  if (!text.startsWith('(')) return text;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0) return i === text.length - 1 ? unwrap(text.slice(1, -1).trim()) : text;
  }
  return text;
}

function literal(text: string): unknown {
  if (/^'.*'$/s.test(text)) return text.slice(1, -1).replace(/''/g, "'");
  if (/^(true|false)$/i.test(text)) return text.toLowerCase() === 'true';
  if (/^null$/i.test(text)) return null;
  const n = Number(text);
  return Number.isFinite(n) ? n : text;
}

function at(node: unknown, path: string[]): unknown {
  let here = node;
  for (const key of path) {
    if (!isObj(here) || !Object.hasOwn(here, key)) return undefined;
    here = here[key];
  }
  return here;
}

const scalar = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined);
