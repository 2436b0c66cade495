import { UsageError } from '../errors.js';
import type { Operation } from './find.js';
import { checkDepth, MAX_DEPTH } from '../util/depth.js';
import { readRegularFileSync } from '../fs/read.js';
import { closest } from '../util/suggest.js';
import { checkValue } from './validate.js';

/**
 * `run -f path=value`: body fields as flags, in the shorthand of httpie and restish.
 *
 *   title=Hello         a string (a number or boolean where the body schema says so)
 *   count:=3            raw JSON: done:=true, meta:='{"a":1}', tags:='["a"]'
 *   tags[]=a            appended to an array (tags[]:=1 appends JSON)
 *   items[0].name=x     an array index; user.name=x nests objects
 *   a\.b=1              a backslash makes the next character literal (\. \[ \] \= \: \\)
 *   []=a                a top-level array
 *   text=@notes.txt     a file's text (base64 where the schema says format: byte); name=\@x is the literal @x
 *
 * Hand-written: no maintained Node package parses this syntax (npm's httpie packages are HTTP
 * clients; dot-prop and dset set a dotted path but know neither `:=` nor `[]` appends).
 */

export type Segment = { key: string } | { index: number } | { append: true };

export interface Field {
  path: Segment[];
  /** `:=`: the value is JSON text; `=`: a string (coerced by the schema when applied). */
  raw: boolean;
  value: string;
}

/** An index above this is refused: `a[999999999]=x` would allocate a billion slots. */
export const MAX_INDEX = 10_000;

const SPECIAL = new Set(['\\', '.', '[', ']', '=', ':']);

/** Parse one `-f` argument. A UsageError (exit 2) names what is wrong. */
export function parseField(text: string): Field {
  const bad = (why: string) =>
    new UsageError(
      `-f ${JSON.stringify(text.length > 80 ? `${text.slice(0, 79)}…` : text)}: ${why}`,
      "Use -f name=value, -f count:=3 (JSON), -f 'tags[]=a', -f user.name=x (a backslash escapes . [ ] = :).",
    );
  const path: Segment[] = [];
  let key = '';
  let keyStarted = false; // an escape makes even an empty-looking key real
  let expectKey = true; // at the start and after '.'
  let i = 0;
  const endKey = () => {
    if (keyStarted) path.push({ key });
    key = '';
    keyStarted = false;
  };
  for (; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') {
      if (i + 1 >= text.length) throw bad('a backslash at the end escapes nothing');
      key += text[++i];
      keyStarted = true;
      expectKey = false;
      continue;
    }
    if (c === '=' || (c === ':' && text[i + 1] === '=')) break;
    if (c === '.') {
      if (expectKey && !keyStarted) throw bad(path.length ? 'an empty name between dots' : 'the path starts with a dot');
      endKey();
      expectKey = true;
      continue;
    }
    if (c === '[') {
      if (expectKey && !keyStarted && path.length) throw bad("'[' right after a dot");
      endKey();
      const close = text.indexOf(']', i);
      if (close < 0) throw bad("'[' without ']'");
      const inside = text.slice(i + 1, close);
      if (inside === '') path.push({ append: true });
      else if (/^\d+$/.test(inside)) {
        const index = Number(inside);
        if (index > MAX_INDEX) throw bad(`index ${inside} is over ${MAX_INDEX}`);
        path.push({ index });
      } else throw bad(`'[${inside}]' is not an index (digits) or [] (append)`);
      i = close;
      expectKey = false;
      // after ']' comes '.', '[' or the separator
      const next = text[i + 1];
      if (next !== undefined && next !== '.' && next !== '[' && next !== '=' && !(next === ':' && text[i + 2] === '=')) throw bad(`'${next}' right after ']'`);
      continue;
    }
    key += c;
    keyStarted = true;
    expectKey = false;
  }
  if (i >= text.length) throw bad('no = (name=value) or := (name:=json)');
  if (expectKey && !keyStarted) throw bad(path.length ? 'the path ends with a dot' : 'no name before =');
  endKey();
  if (path.length > MAX_DEPTH) throw bad(`the path has more than ${MAX_DEPTH} levels`);
  const raw = text[i] === ':';
  return { path, raw, value: text.slice(i + (raw ? 2 : 1)) };
}

/** The `-f` text of a field: parseField(renderField(f)) deep-equals f. */
export function renderField(f: Field): string {
  let out = '';
  f.path.forEach((s, n) => {
    if ('key' in s) out += (n ? '.' : '') + [...s.key].map((c) => (SPECIAL.has(c) ? `\\${c}` : c)).join('');
    else out += 'index' in s ? `[${s.index}]` : '[]';
  });
  return `${out}${f.raw ? ':=' : '='}${f.value}`;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
/** Own property only (a body's `__proto__` key is data, never the prototype). */
const own = (o: Obj, k: string): unknown => (Object.hasOwn(o, k) ? o[k] : undefined);
const put = (o: Obj, k: string, v: unknown) => Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });

/** What a path step walks into in the body schema: a property, or an array's items (allOf members looked into). */
function schemaStep(schema: Obj | undefined, s: Segment): Obj | undefined {
  if (!schema) return undefined;
  if ('key' in s) {
    for (const part of [schema, ...(Array.isArray(schema.allOf) ? schema.allOf : [])]) {
      const props = isObj(part) && isObj(part.properties) ? part.properties : undefined;
      const p = props ? own(props, s.key) : undefined;
      if (isObj(p)) return p;
    }
    return isObj(schema.additionalProperties) ? schema.additionalProperties : undefined;
  }
  return isObj(schema.items) ? schema.items : undefined;
}

function typeOf(schema: Obj | undefined): string | undefined {
  const t = schema?.type;
  return Array.isArray(t) ? t.find((x) => x !== 'null') : typeof t === 'string' ? t : undefined;
}

/** Where a field's path is, for messages: `tags[]`, `user.name`. */
function shown(path: Segment[]): string {
  return renderField({ path, raw: false, value: '' }).slice(0, -1);
}

/** A file read for `-f name=@file` (as large as a `--body` file may be). */
const MAX_FIELD_FILE_BYTES = 100 * 1024 * 1024;

/**
 * `=@file` (httpie's): the file's text, or base64 for a `format: byte` field; a `format: binary`
 * field cannot be a JSON string. `=\@x` is the literal `@x`. Other values are returned as they are.
 */
function fileValue(f: Field, schema: Obj | undefined): string {
  if (/^\\+@/.test(f.value)) return f.value.slice(1); // one backslash less: \@x is @x, \\@x is \@x
  if (!f.value.startsWith('@') || f.value.length < 2) return f.value;
  const where = shown(f.path);
  const file = f.value.slice(1);
  if (schema?.format === 'binary')
    throw new UsageError(
      `-f ${where}=@${file}: the body schema says format: binary, which a JSON body cannot carry`,
      `Send the file as the whole body with --body @${file}, or -f '${where}=\\@${file}' for the literal text.`,
    );
  const buf = readRegularFileSync(file, { limit: MAX_FIELD_FILE_BYTES, shown: `-f ${where}=@${file}` });
  return schema?.format === 'byte' ? buf.toString('base64') : buf.toString('utf8');
}

/** Names an object schema declares (allOf members looked into); undefined when it declares none or takes any name. */
function declaredNames(schema: Obj | undefined): string[] | undefined {
  if (!schema) return undefined;
  const parts = [schema, ...(Array.isArray(schema.allOf) ? schema.allOf : [])].filter(isObj);
  if (parts.some((p) => p.additionalProperties === true || isObj(p.additionalProperties))) return undefined;
  const names = parts.flatMap((p) => (isObj(p.properties) ? Object.keys(p.properties) : []));
  return names.length ? names : undefined;
}

/** The value of one field: JSON for `:=`, else a string coerced where the schema says number, integer or boolean. */
function fieldValue(f: Field, schema: Obj | undefined): unknown {
  const where = shown(f.path);
  if (!f.raw) f = { ...f, value: fileValue(f, schema) };
  if (f.raw) {
    try {
      return JSON.parse(f.value);
    } catch (e) {
      throw new UsageError(
        `-f ${where}:= is not valid JSON: ${(e as Error).message}`,
        `Quote it for the shell: -f '${where}:=${f.value}'; a string needs = instead of :=.`,
      );
    }
  }
  const type = typeOf(schema);
  if ((type === 'integer' || type === 'number') && f.value.trim() !== '') {
    const n = Number(f.value);
    if (Number.isFinite(n) && (type === 'number' || Number.isInteger(n))) return n;
    throw new UsageError(
      `-f ${where}: the body schema says ${type}, got ${JSON.stringify(f.value)}`,
      `Give a number, or -f '${where}:="${f.value}"' to send it as a string.`,
    );
  }
  if (type === 'boolean') {
    if (f.value === 'true' || f.value === 'false') return f.value === 'true';
    throw new UsageError(`-f ${where}: the body schema says boolean, got ${JSON.stringify(f.value)}`, 'Give true or false.');
  }
  return f.value;
}

/**
 * Apply fields, in order, on top of `base` (a JSON object or array, or undefined for a new one).
 * `schema` is the body schema with its `$ref`s inlined (Operation.body.schema): it decides the
 * coercion of `=` values. Returns the new body; `base` is not changed.
 */
export function applyFields(base: unknown, fields: Field[], schema?: Record<string, unknown>, warn: (message: string) => void = () => {}): unknown {
  if (base !== undefined) checkDepth(base, 'the request body');
  let root: unknown = base === undefined ? undefined : structuredClone(base);
  for (const f of fields) {
    let sch: Obj | undefined = schema;
    for (const [n, s] of f.path.entries()) {
      const names = 'key' in s ? declaredNames(sch) : undefined;
      if ('key' in s && names && !names.includes(s.key)) {
        const near = closest(s.key, names);
        const at = shown(f.path.slice(0, n + 1));
        warn(
          `-f ${at}: the body schema has no field '${s.key}'${n ? ` in ${shown(f.path.slice(0, n))}` : ''}${near.length ? ` (closest: ${near.join(', ')})` : ''}; sent as given`,
        );
      }
      sch = schemaStep(sch, s);
    }
    const value = fieldValue(f, sch);
    if (sch && Array.isArray(sch.enum) && sch.enum.length && !sch.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) {
      const problem = checkValue({ enum: sch.enum }, value)[0] ?? `must be one of ${sch.enum.map((e) => JSON.stringify(e)).join(', ')}`;
      throw new UsageError(`-f ${shown(f.path)} ${problem}, got ${JSON.stringify(value)}`);
    }
    root = setIn(root, f.path, 0, value);
  }
  checkDepth(root, 'the request body built from -f');
  return root;
}

function setIn(container: unknown, path: Segment[], at: number, value: unknown): unknown {
  if (at === path.length) return value;
  const s = path[at];
  const where = () => shown(path.slice(0, at)) || 'the body';
  if ('key' in s) {
    if (container === undefined || container === null) container = {};
    if (!isObj(container))
      throw new UsageError(`-f ${shown(path)}: ${where()} is ${Array.isArray(container) ? 'an array' : `a ${typeof container}`}, not an object`);
    put(container, s.key, setIn(own(container, s.key), path, at + 1, value));
    return container;
  }
  if (container === undefined || container === null) container = [];
  if (!Array.isArray(container))
    throw new UsageError(`-f ${shown(path)}: ${where()} is ${isObj(container) ? 'an object' : `a ${typeof container}`}, not an array`);
  const index = 'index' in s ? s.index : container.length;
  if (index > MAX_INDEX) throw new UsageError(`-f ${shown(path)}: the array would grow over ${MAX_INDEX} items`);
  while (container.length < index) container.push(null);
  container[index] = setIn(container[index], path, at + 1, value);
  return container;
}

/**
 * `run -f …` (with or without `--body`): the body text to send. The fields go on top of the
 * `--body` JSON when there is one. An operation without a JSON body refuses -f (exit 2).
 */
export function bodyWithFields(
  op: Operation,
  bodyText: string | undefined,
  args: string[],
  connector = '<connector>',
  warn: (message: string) => void = () => {},
): string {
  const fields = args.map(parseField);
  if (!op.body) {
    const form = op.params.some((p) => p.in === 'formData');
    throw new UsageError(
      `operation '${op.operationId}' takes no request body, but -f was given`,
      form ? 'Its form fields are parameters: pass them with -p name=value.' : `See its parameters: connector operations ${connector} ${op.operationId}`,
    );
  }
  if (!op.body.contentTypes.some((t) => /json/i.test(t))) {
    throw new UsageError(
      `-f builds a JSON body, but operation '${op.operationId}' takes ${op.body.contentTypes.join(', ')}`,
      'Pass the body with --body @file.',
    );
  }
  let base: unknown;
  if (bodyText !== undefined) {
    try {
      base = JSON.parse(bodyText);
    } catch (e) {
      throw new UsageError(
        `the request body is not valid JSON: ${(e as Error).message}`,
        '-f applies fields on top of a JSON object or array given with --body.',
      );
    }
    if (base === null || typeof base !== 'object')
      throw new UsageError('-f applies fields on top of a JSON object or array, but --body is a JSON ' + (base === null ? 'null' : typeof base));
  }
  return JSON.stringify(applyFields(base, fields, op.body.schema, warn));
}

/**
 * Fields that build `value` (a JSON object or array) from nothing: applyFields(undefined,
 * fieldsOf(v)) deep-equals v. Undefined when a name cannot be written as a field (an empty one).
 */
export function fieldsOf(value: unknown, path: Segment[] = []): Field[] | undefined {
  const leaf = (v: unknown): Field[] => [
    typeof v === 'string' ? { path, raw: false, value: /^\\*@/.test(v) ? `\\${v}` : v } : { path, raw: true, value: JSON.stringify(v) },
  ];
  let parts: (Field[] | undefined)[];
  if (Array.isArray(value)) {
    if (!value.length) return path.length ? leaf(value) : [];
    // scalars are appended; an object or array item needs its index (its fields are several flags)
    parts = value.map((v, i) => fieldsOf(v, [...path, v !== null && typeof v === 'object' && Object.keys(v).length ? { index: i } : { append: true }]));
  } else if (isObj(value)) {
    const keys = Object.keys(value);
    if (!keys.length) return path.length ? leaf(value) : [];
    if (keys.includes('')) return undefined;
    parts = keys.map((k) => fieldsOf(value[k], [...path, { key: k }]));
  } else return leaf(value);
  return parts.some((p) => p === undefined) ? undefined : (parts.flat() as Field[]);
}
