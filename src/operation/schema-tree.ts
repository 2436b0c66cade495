import { resolvePointer } from './refs.js';
import { declaredValue, exampleValue, SAMPLE_KEY } from './example.js';
import { MAX_DEPTH } from '../util/depth.js';

/**
 * A JSON schema as a tree of named nodes, for `connector operations K OP` (and its --json):
 * `$ref`s followed (each node names the definition it came from), `allOf` merged, arrays
 * carrying their item node, a `$ref` that recurs on its own branch marked `recursive` instead
 * of expanded, and the walk stopped (`truncated`) past TREE_DEPTH levels or TREE_NODES nodes —
 * a shared definition can make a schema exponentially large once inlined.
 */
export interface SchemaNode {
  /** The property name; '' for a root and for array items. */
  name: string;
  /** `object`, `array`, `string`, ..., `any` when the schema says nothing; `a | b` for a type list. */
  type: string;
  format?: string;
  required: boolean;
  /** The definition its `$ref` named (`#/definitions/Pet` → `Pet`). */
  ref?: string;
  /** x-ms-summary: the label Power Automate shows. */
  summary?: string;
  description?: string;
  enum?: unknown[];
  /** x-ms-enum-values: display names of the enum values. */
  allowedValues?: { value: unknown; title: string }[];
  default?: unknown;
  /** x-ms-visibility: important, advanced or internal. */
  visibility?: string;
  readOnly?: boolean;
  /** x-ms-dynamic-* extensions: where values or the schema come from at design time. */
  dynamic?: DynamicSource[];
  properties?: SchemaNode[];
  /** An object's additionalProperties schema (a map). */
  additionalProperties?: SchemaNode;
  /** An array's item schema. */
  items?: SchemaNode;
  /** oneOf / anyOf alternatives. */
  variants?: SchemaNode[];
  /** Its `$ref` is already being expanded above it: not expanded again. */
  recursive?: true;
  /** Children not shown: the depth or size limit was reached. */
  truncated?: true;
}

/** One x-ms-dynamic-* extension, its field names made uniform. */
export interface DynamicSource {
  extension: 'x-ms-dynamic-values' | 'x-ms-dynamic-list' | 'x-ms-dynamic-tree' | 'x-ms-dynamic-schema' | 'x-ms-dynamic-properties';
  /** The operation that gives the values (x-ms-dynamic-tree: the one that opens the tree). */
  operationId?: string;
  /** Whether this connector has that operation (a spec may name one it lacks). */
  found?: boolean;
  /** x-ms-dynamic-values `capability` (e.g. file-picker) instead of an operation. */
  capability?: string;
  /** What the source operation is called with: another parameter's value, or a literal. */
  parameters: Record<string, { parameter: string } | { value: unknown }>;
  /** Where in its response the value (the schema, for x-ms-dynamic-schema) is: value-path / itemValuePath. */
  valuePath?: string;
  /** The display title: value-title / itemTitlePath. */
  valueTitle?: string;
  /** The array of items: value-collection / itemsPath. */
  collection?: string;
  /** x-ms-dynamic-tree: the operation that lists a node's children. */
  browseOperationId?: string;
}

/** Levels of properties shown below a root; real connector bodies nest fewer than ten. */
export const TREE_DEPTH = 12;
/** Nodes shown for one schema. */
export const TREE_NODES = 2000;

type Obj = Record<string, any>;
const isObj = (v: unknown): v is Obj => Boolean(v) && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

const DYNAMIC = ['x-ms-dynamic-values', 'x-ms-dynamic-list', 'x-ms-dynamic-tree', 'x-ms-dynamic-schema', 'x-ms-dynamic-properties'] as const;

/** The x-ms-dynamic-* extensions of a parameter or schema; `known` tells which operationIds exist. */
export function dynamicSources(node: Obj, known: ReadonlySet<string>): DynamicSource[] {
  const out: DynamicSource[] = [];
  for (const extension of DYNAMIC) {
    const d = node[extension];
    if (!isObj(d)) continue;
    const src = extension === 'x-ms-dynamic-tree' ? (isObj(d.open) ? d.open : d) : d;
    const s: DynamicSource = { extension, parameters: dynamicParameters(src.parameters) };
    const op = str(src.operationId);
    if (op) {
      s.operationId = op;
      s.found = known.has(op);
    }
    const capability = str(d.capability);
    if (capability) s.capability = capability;
    const valuePath = str(src['value-path']) ?? str(src.itemValuePath);
    const valueTitle = str(src['value-title']) ?? str(src.itemTitlePath);
    const collection = str(src['value-collection']) ?? str(src.itemsPath);
    if (valuePath) s.valuePath = valuePath;
    if (valueTitle) s.valueTitle = valueTitle;
    if (collection) s.collection = collection;
    const browse = extension === 'x-ms-dynamic-tree' && isObj(d.browse) ? str(d.browse.operationId) : undefined;
    if (browse) s.browseOperationId = browse;
    out.push(s);
  }
  return out;
}

function dynamicParameters(p: unknown): DynamicSource['parameters'] {
  const out: DynamicSource['parameters'] = {};
  if (!isObj(p)) return out;
  for (const [k, v] of Object.entries(p)) {
    const ref = isObj(v) ? (str(v.parameter) ?? str(v.parameterReference)) : undefined;
    const entry = ref ? { parameter: ref } : { value: isObj(v) && 'value' in v ? v.value : v };
    Object.defineProperty(out, k, { value: entry, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** `#/definitions/Pet` → `Pet`. */
export function refName(ref: string): string {
  const last = ref.split('/').pop() ?? ref;
  return last.replace(/~1/g, '/').replace(/~0/g, '~');
}

interface Walk {
  root: unknown;
  known: ReadonlySet<string>;
  nodes: number;
  maxDepth: number;
}

/** The leaf schema of each node (kept out of the node, so --json shows only the tree). */
const leafSchemas = new WeakMap<SchemaNode, Obj>();

/**
 * The tree of `schema` (which may hold local `$ref`s into `root`). `maxDepth` levels of
 * children at most (TREE_DEPTH by default; never more than MAX_DEPTH).
 */
export function schemaTree(
  root: unknown,
  schema: unknown,
  opts: { known?: ReadonlySet<string>; maxDepth?: number; name?: string; required?: boolean } = {},
): SchemaNode {
  const w: Walk = { root, known: opts.known ?? new Set(), nodes: 0, maxDepth: Math.min(opts.maxDepth ?? TREE_DEPTH, MAX_DEPTH) };
  return build(w, schema, opts.name ?? '', opts.required ?? false, 0, []);
}

/** Follow a `$ref` chain: the target, the last ref's name, and the stack with the refs taken; `cycle` when one recurs. */
function follow(w: Walk, schema: unknown, stack: string[]): { s: unknown; ref?: string; stack: string[]; cycle?: string } {
  let s = schema;
  let ref: string | undefined;
  while (isObj(s) && typeof s.$ref === 'string') {
    const r: string = s.$ref;
    if (stack.includes(r)) return { s, ref: refName(r), stack, cycle: r };
    const next = resolvePointer(w.root, r);
    if (next === undefined) return { s: {}, ref: refName(r), stack };
    ref = refName(r);
    stack = [...stack, r];
    s = next;
  }
  return { s, ref, stack };
}

/** `allOf` members merged into one schema (properties, required, type), the node's own keys winning. */
function mergeAllOf(w: Walk, s: Obj, stack: string[], seen = 0): Obj {
  if (!Array.isArray(s.allOf) || seen > 32) return s;
  const merged: Obj = { properties: {}, required: [] as string[] };
  for (const member of s.allOf) {
    if (++w.nodes >= TREE_NODES) break; // allOf of allOf of shared refs can fan out too
    const f = follow(w, member, stack);
    if (f.cycle || !isObj(f.s)) continue;
    const m = mergeAllOf(w, f.s, f.stack, seen + 1);
    for (const [k, v] of Object.entries(m)) {
      if (k === 'properties' && isObj(v)) Object.assign(merged.properties, v);
      else if (k === 'required' && Array.isArray(v)) merged.required.push(...v);
      else if (!(k in merged)) merged[k] = v;
    }
  }
  const { allOf: _, ...own } = s;
  for (const [k, v] of Object.entries(own)) {
    if (k === 'properties' && isObj(v)) Object.assign(merged.properties, v);
    else if (k === 'required' && Array.isArray(v)) merged.required.push(...v);
    else merged[k] = v;
  }
  return merged;
}

function typeOf(s: Obj): string {
  if (Array.isArray(s.type)) return s.type.map(String).join(' | ') || 'any';
  if (typeof s.type === 'string') return s.type;
  if (isObj(s.properties) || isObj(s.additionalProperties)) return 'object';
  if (s.items !== undefined) return 'array';
  return 'any';
}

function build(w: Walk, schema: unknown, name: string, required: boolean, depth: number, stack: string[]): SchemaNode {
  w.nodes++;
  const f = follow(w, schema, stack);
  if (f.cycle) return { name, type: 'object', required, ref: f.ref, recursive: true };
  const s = isObj(f.s) ? mergeAllOf(w, f.s, f.stack) : {};
  const n: SchemaNode = { name, type: typeOf(s), required };
  leafSchemas.set(n, s);
  if (str(s.format)) n.format = s.format;
  if (f.ref) n.ref = f.ref;
  if (str(s['x-ms-summary'])) n.summary = s['x-ms-summary'];
  if (str(s.description)) n.description = s.description;
  if (Array.isArray(s.enum)) n.enum = s.enum;
  if (Array.isArray(s['x-ms-enum-values'])) {
    n.allowedValues = s['x-ms-enum-values'].filter(isObj).map((e: Obj) => ({ value: e.value, title: String(e.displayName ?? e.value) }));
  }
  if (s.default !== undefined) n.default = s.default;
  if (str(s['x-ms-visibility'])) n.visibility = s['x-ms-visibility'];
  if (s.readOnly === true) n.readOnly = true;
  const dynamic = dynamicSources(s, w.known);
  if (dynamic.length) n.dynamic = dynamic;

  const hasChildren = isObj(s.properties) || isObj(s.additionalProperties) || s.items !== undefined || Array.isArray(s.oneOf) || Array.isArray(s.anyOf);
  if (!hasChildren) return n;
  if (depth >= w.maxDepth || w.nodes >= TREE_NODES) {
    n.truncated = true;
    return n;
  }
  const req = new Set(Array.isArray(s.required) ? s.required.map(String) : []);
  if (isObj(s.properties)) {
    n.properties = [];
    for (const [k, v] of Object.entries(s.properties)) {
      if (w.nodes >= TREE_NODES) {
        n.truncated = true;
        break;
      }
      n.properties.push(build(w, v, k, req.has(k), depth + 1, f.stack));
    }
  }
  if (isObj(s.additionalProperties)) n.additionalProperties = build(w, s.additionalProperties, '', false, depth + 1, f.stack);
  if (s.items !== undefined) n.items = build(w, Array.isArray(s.items) ? s.items[0] : s.items, '', false, depth + 1, f.stack);
  const alternatives = Array.isArray(s.oneOf) ? s.oneOf : Array.isArray(s.anyOf) ? s.anyOf : undefined;
  if (alternatives) n.variants = alternatives.map((v: unknown) => build(w, v, '', false, depth + 1, f.stack));
  return n;
}

/**
 * A value for the tree: every writable property (not only the required ones, so a reader sees
 * the whole shape), leaves from the schema's own example, enum or default, else generated
 * (operation/example.ts). Recursive and truncated branches are left out.
 */
export function treeExample(n: SchemaNode): unknown {
  if (n.recursive || n.truncated) return undefined;
  const s = leafSchemas.get(n) ?? {};
  // the schema's example or default before its first enum value
  const declared = declaredValue({ ...s, enum: undefined }) ?? declaredValue(s);
  if (declared !== undefined) return declared;
  if (n.variants?.length) return treeExample(n.variants[0]);
  if (n.properties || n.additionalProperties || n.type === 'object') {
    const out: Record<string, unknown> = {};
    for (const p of n.properties ?? []) {
      if (p.readOnly) continue;
      const v = treeExample(p);
      // defineProperty: a spec's property named __proto__ stays a property
      if (v !== undefined) Object.defineProperty(out, p.name, { value: v, enumerable: true, writable: true, configurable: true });
    }
    // a map: one sample key, so what goes inside it shows
    if (!n.properties?.length && n.additionalProperties) {
      const v = treeExample(n.additionalProperties);
      if (v !== undefined) out[SAMPLE_KEY] = v;
    }
    return out;
  }
  if (n.items || n.type === 'array') {
    const item = n.items ? treeExample(n.items) : undefined;
    return item === undefined ? [] : [item];
  }
  return exampleValue(s);
}

/** `string (date-time)`, `array of object (Tag)`, `object (Pet)`. */
export function typeLabel(n: SchemaNode): string {
  if (n.type === 'array' && n.items) return `array of ${typeLabel(n.items)}`;
  if (n.additionalProperties && !n.properties?.length) return `map of ${typeLabel(n.additionalProperties)}`;
  const notes = [n.format, n.ref].filter(Boolean);
  return notes.length ? `${n.type} (${notes.join(', ')})` : n.type;
}
