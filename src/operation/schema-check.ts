import type { ConnectorRecord } from '../model.js';
import { MAX_DEPTH, tooDeepAt } from '../util/depth.js';
import { load } from '../util/load.js';
import { ajvRegExp } from './pattern.js';
import { checkValue } from './validate.js';

/**
 * One JSON value checked against one schema of a connector's spec with ajv: the request body
 * before it is sent (./validate-body.ts) and the response with `--validate` (./response.ts).
 * The schema's `#/definitions/X` (`#/components/schemas/X`) refs resolve against the spec.
 * Swagger 2 / OpenAPI 3.0 idioms ajv's JSON Schema does not have are rewritten first (see
 * `toJsonSchema`); x-ms-* and other unknown keywords are ignored (`strict: false`); `format`
 * is not checked (the platform does not either).
 */

export interface Problem {
  /** RFC 6901 JSON pointer into the value; '' is the whole value. */
  pointer: string;
  message: string;
}

/** `request`: readOnly properties are neither required nor checked (the platform ignores them); `response`: writeOnly ones are not required. */
export type Direction = 'request' | 'response';

export type CheckResult = { problems: Problem[] } | { unchecked: string };

export function checkAgainst(
  record: ConnectorRecord,
  schema: Record<string, any>,
  data: unknown,
  direction: Direction,
  warn?: (m: string) => void,
): CheckResult {
  if (tooDeepAt(data) !== undefined) return { unchecked: `nested more than ${MAX_DEPTH} levels deep` }; // ajv's validators recurse
  const validate = compiled(record, schema, direction, warn);
  if (typeof validate === 'string') return { unchecked: validate };
  if (validate(data)) return { problems: [] };
  const problems: Problem[] = [];
  const seen = new Set<string>();
  for (const e of validate.errors as { keyword: string; instancePath: string; message?: string; params?: Record<string, any> }[]) {
    const p = problem(e);
    const key = `${p.pointer} ${p.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push(p);
  }
  return { problems };
}

type Validator = ((data: unknown) => boolean) & { errors?: unknown };
const validators = new WeakMap<Record<string, any>, Partial<Record<Direction, Validator | string>>>();

/**
 * The schema compiled once per process and direction (every page of --paginate --validate, and a
 * body checked then a response, reuse it); a string when it cannot be compiled.
 */
function compiled(record: ConnectorRecord, schema: Record<string, any>, direction: Direction, warn?: (m: string) => void): Validator | string {
  const known = validators.get(schema) ?? {};
  validators.set(schema, known);
  const hit = known[direction];
  if (hit) return hit;
  const { default: Ajv } = load<{ default: new (o: object) => any }>('ajv');
  // `pattern` on RE2, linear time: the schema is spec text, the value anyone's (./pattern.ts).
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, validateSchema: false, logger: false, code: { regExp: ajvRegExp(warn) } });
  // Recursive refs stay as `#/definitions/X` (or `#/components/schemas/X`): carry those sections along.
  const root = { ...toJsonSchema(schema, direction), ...sections(record, direction) };
  let made: Validator | string;
  try {
    made = ajv.compile(root);
  } catch (e) {
    made = `the schema cannot be compiled: ${(e as Error).message}`;
  }
  known[direction] = made;
  return made;
}

const converted = new WeakMap<ConnectorRecord, Partial<Record<Direction, Record<string, any>>>>();

/** The spec's definitions (components.schemas), converted once per record and direction. */
function sections(record: ConnectorRecord, direction: Direction): Record<string, any> {
  const known = converted.get(record) ?? {};
  converted.set(record, known);
  if (known[direction]) return known[direction];
  const def = record.definition as Record<string, any>;
  const map = (m: unknown) => (m && typeof m === 'object' ? toJsonSchema({ properties: m }, direction).properties : undefined);
  const out: Record<string, any> = {};
  if (def.definitions) out.definitions = map(def.definitions);
  if (def.components?.schemas) out.components = { schemas: map(def.components.schemas) };
  known[direction] = out;
  return out;
}

/** One key as a JSON pointer segment (RFC 6901). */
export const pointerKey = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

/** An ajv error as a pointer and a short phrase; a missing or extra property is pointed at itself. */
function problem(e: { keyword: string; instancePath: string; message?: string; params?: Record<string, any> }): Problem {
  const at = e.instancePath;
  switch (e.keyword) {
    case 'required':
      return { pointer: `${at}/${pointerKey(String(e.params?.missingProperty))}`, message: 'is required, but missing' };
    case 'additionalProperties':
      return { pointer: `${at}/${pointerKey(String(e.params?.additionalProperty))}`, message: 'is not a property the schema allows' };
    // null is left out of what is said: it is allowed only where it is "not set" (see toJsonSchema)
    case 'enum':
      return {
        pointer: at,
        message: `must be one of ${(e.params?.allowedValues ?? [])
          .filter((v: unknown) => v !== null)
          .map((v: unknown) => JSON.stringify(v))
          .join(', ')}`,
      };
    case 'type':
      return {
        pointer: at,
        message: `must be ${String(e.params?.type)
          .split(',')
          .filter((t) => t !== 'null')
          .join(' or ')}`,
      };
    default:
      return { pointer: at, message: e.message ?? 'is invalid' };
  }
}

/**
 * A copy of `node` that ajv (JSON Schema draft-07) reads as the spec means it: `type: file`
 * dropped, `x-nullable`/`nullable` → a `null` type, Swagger's boolean `exclusiveMinimum` /
 * `exclusiveMaximum` → draft-07 numbers, a malformed `required` / `type` / `enum` (published
 * specs have `required: true` on properties) dropped rather than refused, and, by direction,
 * readOnly / writeOnly properties taken out of `required`.
 */
export function toJsonSchema(node: any, direction: Direction, depth = 0): any {
  if (Array.isArray(node)) return node.map((n) => toJsonSchema(n, direction, depth + 1));
  if (!node || typeof node !== 'object' || depth > 4 * MAX_DEPTH) return node;
  const out: Record<string, any> = {};
  for (const [k, v] of Object.entries(node)) {
    if (v === undefined) continue;
    if (k === 'enum' && !Array.isArray(v)) continue;
    if (VALUES.has(k) || k.startsWith('x-')) {
      if (k === 'x-nullable' && v === true) out.nullable = true;
      else out[k] = v;
      continue;
    }
    if (k === 'type' && (v === 'file' || !validType(v))) continue;
    if (k === 'required' && !Array.isArray(v)) continue;
    if (k === 'nullable' && v === true) out.nullable = true;
    else if (MAPS.has(k) && v && typeof v === 'object' && !Array.isArray(v)) {
      const props: Record<string, any> = {};
      for (const [name, s] of Object.entries(v as Record<string, any>)) {
        // A readOnly property in a request is the server's to fill: whatever is sent is not checked.
        const readOnly = k === 'properties' && direction === 'request' && s?.readOnly === true;
        Object.defineProperty(props, name, {
          value: readOnly ? {} : toJsonSchema(s, direction, depth + 1),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      out[k] = props;
    } else if (k === 'properties' || k === 'items' || k === 'additionalProperties') {
      if (v && typeof v === 'object') out[k] = toJsonSchema(v, direction, depth + 1);
      else if (typeof v === 'boolean') out[k] = v;
    } else out[k] = toJsonSchema(v, direction, depth + 1);
  }
  if (typeof out.exclusiveMinimum === 'boolean') {
    if (out.exclusiveMinimum && typeof out.minimum === 'number') {
      out.exclusiveMinimum = out.minimum;
      delete out.minimum;
    } else delete out.exclusiveMinimum;
  }
  if (typeof out.exclusiveMaximum === 'boolean') {
    if (out.exclusiveMaximum && typeof out.maximum === 'number') {
      out.exclusiveMaximum = out.maximum;
      delete out.maximum;
    } else delete out.exclusiveMaximum;
  }
  if (Array.isArray(out.required) && out.properties) {
    const skip = direction === 'request' ? 'readOnly' : 'writeOnly';
    out.required = out.required.filter((n: unknown) => typeof n === 'string' && (node.properties?.[n] as any)?.[skip] !== true);
  }
  // Swagger 2 cannot say a property may be null (only x-nullable, which few specs use), and the
  // platform passes a null through: an optional property's null is "not set", not a wrong type.
  if (out.properties && typeof out.properties === 'object') {
    const required = new Set(Array.isArray(out.required) ? out.required : []);
    for (const [name, p] of Object.entries(out.properties as Record<string, any>)) if (!required.has(name) && p && typeof p === 'object') nullable(p);
  }
  if (out.nullable) {
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
    else if (Array.isArray(out.type) && !out.type.includes('null')) out.type = [...out.type, 'null'];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    delete out.nullable;
  }
  return out;
}

/** Keywords whose value is data, not a schema: copied as they are. */
const VALUES = new Set(['enum', 'const', 'default', 'example', 'examples', 'description', 'title', 'format', 'pattern', 'discriminator', 'xml']);
/** Keywords whose value maps names to schemas. */
const MAPS = new Set(['properties', 'patternProperties', 'definitions', '$defs']);
function nullable(s: Record<string, any>): void {
  if (typeof s.type === 'string') s.type = [s.type, 'null'];
  else if (Array.isArray(s.type) && !s.type.includes('null')) s.type = [...s.type, 'null'];
  if (Array.isArray(s.enum) && !s.enum.includes(null)) s.enum = [...s.enum, null];
}

/**
 * Whether `value` matches `schema` (refs already inlined, as Operation schemas have them) as far
 * as an example needs: checkValue at every level, required properties there (readOnly ones
 * aside), an optional property's null allowed — what `checkAgainst` would refuse in an example a
 * spec carries. No ajv: describing an operation loads no package (test/cli/bundle.test.ts).
 */
export function fits(schema: Record<string, any>, value: unknown, depth = 0): boolean {
  if (!schema || typeof schema !== 'object' || depth > MAX_DEPTH) return true;
  if (checkValue(schema, value).length) return false;
  if (value && typeof value === 'object' && !Array.isArray(value) && schema.properties && typeof schema.properties === 'object') {
    const required = new Set(Array.isArray(schema.required) ? schema.required : []);
    for (const name of required) if (!Object.hasOwn(value, name) && schema.properties[name]?.readOnly !== true) return false;
    for (const [k, v] of Object.entries(value)) {
      const p = schema.properties[k];
      if (!p || p.readOnly === true || (v === null && !required.has(k))) continue;
      if (!fits(p, v, depth + 1)) return false;
    }
  }
  if (Array.isArray(value) && schema.items && typeof schema.items === 'object') return value.every((v) => fits(schema.items, v, depth + 1));
  return true;
}

const TYPES = new Set(['string', 'number', 'integer', 'boolean', 'object', 'array', 'null']);
const validType = (t: unknown) => (typeof t === 'string' ? TYPES.has(t) : Array.isArray(t) && t.every((x) => typeof x === 'string' && TYPES.has(x)));
