import { parseField, renderField, type Segment } from '../operation/fields.js';

/**
 * Body field paths for `run -f <TAB>`, from the operation's (dereferenced) body schema: every
 * property down to MAX_FIELD_DEPTH levels, read-only and internal ones left out, as the `-f` text
 * that sets it (`style.backgroundColor=`, `tags[]=` for an array of scalars, `items[0].name=` into
 * an array of objects). At most MAX_FIELDS paths, the required ones first.
 */

export const MAX_FIELD_DEPTH = 3;
export const MAX_FIELDS = 200;

type Obj = Record<string, any>;
const isObj = (v: unknown): v is Obj => Boolean(v) && typeof v === 'object' && !Array.isArray(v);

export interface FieldPath {
  /** What the shell inserts: the path and its `=`. */
  text: string;
  schema: Obj;
  required: boolean;
}

/** The properties of an object schema, allOf parts merged (the required lists too). */
function properties(schema: Obj): { props: [string, Obj][]; required: Set<string> } {
  const props = new Map<string, Obj>();
  const required = new Set<string>();
  const visit = (s: unknown, depth: number) => {
    if (!isObj(s) || depth > 8) return;
    for (const part of Array.isArray(s.allOf) ? s.allOf : []) visit(part, depth + 1);
    if (isObj(s.properties)) for (const [k, v] of Object.entries(s.properties)) if (isObj(v)) props.set(k, v);
    if (Array.isArray(s.required)) for (const r of s.required) if (typeof r === 'string') required.add(r);
  };
  visit(schema, 0);
  return { props: [...props], required };
}

const hiddenField = (s: Obj) => s.readOnly === true || s['x-ms-visibility'] === 'internal';
const isObjectSchema = (s: Obj) => s.type === 'object' || isObj(s.properties) || Array.isArray(s.allOf);

export function bodyFieldPaths(schema: unknown): FieldPath[] {
  if (!isObj(schema)) return [];
  const out: FieldPath[] = [];
  const walk = (s: Obj, path: Segment[], required: boolean, depth: number) => {
    const { props, required: req } = properties(s);
    for (const [name, p] of props) {
      if (out.length >= MAX_FIELDS * 4 || hiddenField(p)) continue;
      const here: Segment[] = [...path, { key: name }];
      const isRequired = required && req.has(name);
      const items = p.type === 'array' && isObj(p.items) ? p.items : undefined;
      if (items && !isObjectSchema(items)) here.push({ append: true });
      out.push({ text: renderField({ path: here, raw: false, value: '' }), schema: items && !isObjectSchema(items) ? items : p, required: isRequired });
      if (depth + 1 >= MAX_FIELD_DEPTH) continue;
      if (isObjectSchema(p)) walk(p, here, isRequired, depth + 1);
      else if (items) walk(items, [...here, { index: 0 }], false, depth + 1);
    }
  };
  walk(schema, [], true, 0);
  // required first, each group in the schema's order
  return [...out.filter((f) => f.required), ...out.filter((f) => !f.required)].slice(0, MAX_FIELDS);
}

/**
 * `style.color=bl` → the schema at `style.color` (array indexes and appends step into items),
 * and the text before the value (`style.color=`). Undefined when the text is no field yet.
 */
export function fieldAt(schema: unknown, text: string): { schema: Obj; prefix: string } | undefined {
  let field: ReturnType<typeof parseField>;
  try {
    field = parseField(text);
  } catch {
    return undefined;
  }
  let here: unknown = schema;
  for (const seg of field.path) {
    if (!isObj(here)) return undefined;
    if ('key' in seg) here = properties(here).props.find(([k]) => k === seg.key)?.[1];
    else here = here.items;
  }
  if (!isObj(here) || hiddenField(here)) return undefined;
  return { schema: here, prefix: text.slice(0, text.length - field.value.length) };
}
