import type { ParamValue } from '../http/types.js';
import type { OpBody, Operation } from './find.js';
import { checkValue } from './validate.js';
import { fits } from './schema-check.js';

/** The one key an example map (additionalProperties) gets. */
export const SAMPLE_KEY = 'name';

/**
 * A value that satisfies `schema`: enum → example/x-example/x-ms-test-value (when
 * they validate) → default → generated from type, format, bounds and simple patterns.
 */
export function exampleValue(schema: Record<string, any> | undefined, depth = 0): unknown {
  if (!schema || typeof schema !== 'object' || depth > 8) return undefined;
  const declared = declaredValue(schema);
  if (declared !== undefined) return declared;
  if (Array.isArray(schema.allOf) && schema.allOf.length) {
    const merged: Record<string, any> = { type: 'object', properties: {}, required: [] };
    for (const s of schema.allOf) {
      Object.assign(merged.properties, s?.properties ?? {});
      merged.required.push(...(s?.required ?? []));
      if (s?.type && s.type !== 'object') return exampleValue(s, depth + 1);
    }
    Object.assign(merged.properties, schema.properties ?? {});
    merged.required.push(...(schema.required ?? []));
    return exampleValue(merged, depth + 1);
  }
  for (const k of ['oneOf', 'anyOf']) if (Array.isArray(schema[k]) && schema[k].length) return exampleValue(schema[k][0], depth + 1);
  const type = Array.isArray(schema.type) ? schema.type.find((t: string) => t !== 'null') : schema.type;
  switch (type ?? (schema.properties ? 'object' : schema.items ? 'array' : 'string')) {
    case 'integer':
    case 'number':
      return exampleNumber(schema, type === 'integer');
    case 'boolean':
      return true;
    case 'array': {
      const item = exampleValue(schema.items ?? { type: 'string' }, depth + 1);
      const n = Math.max(1, schema.minItems ?? 1);
      const arr = Array.from({ length: n }, (_, i) => (typeof item === 'number' && schema.uniqueItems ? item + i : item));
      return schema.maxItems === 0 ? [] : arr;
    }
    case 'object': {
      const out: Record<string, unknown> = {};
      const props: Record<string, any> = schema.properties ?? {};
      for (const name of schema.required ?? []) {
        const v = exampleValue(props[name] ?? { type: 'string' }, depth + 1);
        if (v !== undefined) out[name] = v;
      }
      // a map whose values have required content gets one sample key ({} would leave it out)
      const map = schema.additionalProperties;
      if (!Object.keys(props).length && map && typeof map === 'object' && Array.isArray(map.required) && map.required.length) {
        const v = exampleValue(map, depth + 1);
        if (v !== undefined) out[SAMPLE_KEY] = v;
      }
      return out;
    }
    case 'file':
      return 'example';
    default:
      return exampleString(schema);
  }
}

/**
 * The value `schema` itself offers, nothing generated: enum (first non-null) →
 * example/x-example/x-ms-test-value → default (each only when it validates); else undefined.
 */
export function declaredValue(schema: Record<string, any>): unknown {
  if (Array.isArray(schema.enum) && schema.enum.length) return schema.enum.find((v: unknown) => v !== null) ?? schema.enum[0];
  for (const key of ['example', 'x-example', 'x-ms-test-value', 'default']) {
    const v = schema[key];
    // an object's or array's own example is checked all the way down (specs carry examples that break their schema)
    if (v !== undefined && v !== null && checkValue(schema, v).length === 0 && (typeof v !== 'object' || fits(schema, v))) return v;
  }
  return undefined;
}

function exampleNumber(s: Record<string, any>, integer: boolean): number {
  let lo = s.minimum ?? -Infinity;
  if (s.exclusiveMinimum === true) lo += integer ? 1 : 0.5;
  else if (typeof s.exclusiveMinimum === 'number') lo = s.exclusiveMinimum + (integer ? 1 : 0.5);
  let hi = s.maximum ?? Infinity;
  if (s.exclusiveMaximum === true) hi -= integer ? 1 : 0.5;
  else if (typeof s.exclusiveMaximum === 'number') hi = s.exclusiveMaximum - (integer ? 1 : 0.5);
  let v = Math.min(Math.max(1, lo), hi);
  if (!Number.isFinite(v)) v = 1;
  if (integer) v = Math.ceil(v);
  if (s.multipleOf) v = Math.ceil(v / s.multipleOf) * s.multipleOf;
  return v;
}

const FORMATS: Record<string, string> = {
  'date-time': '2024-01-01T00:00:00Z',
  date: '2024-01-01',
  time: '12:00:00',
  email: 'user@example.com',
  uuid: '3fa85f64-5717-4562-b3fc-2c963f66afa6',
  guid: '3fa85f64-5717-4562-b3fc-2c963f66afa6',
  uri: 'https://example.com/',
  url: 'https://example.com/',
  hostname: 'example.com',
  ipv4: '192.0.2.1',
  ipv6: '2001:db8::1',
  byte: 'ZXhhbXBsZQ==',
  int32: '1',
  int64: '1',
};

function exampleString(s: Record<string, any>): string {
  const candidates = [FORMATS[s.format] ?? 'example', ...(s.pattern ? fromPattern(s.pattern) : []), 'a', '1'];
  for (let c of candidates) {
    if (s.minLength && c.length < s.minLength) c = c.padEnd(s.minLength, c[c.length - 1] ?? 'a');
    if (s.maxLength !== undefined && c.length > s.maxLength) c = c.slice(0, s.maxLength);
    if (checkValue(s, c).length === 0) return c;
  }
  return candidates[0];
}

/** Candidates for simple patterns: anchored character classes and literals. */
function fromPattern(pattern: string): string[] {
  const body = pattern.replace(/^\^/, '').replace(/\$$/, '');
  let out = '';
  const re = /\[([^\]]+)\](\{(\d+)(?:,(\d*))?\}|[+*?])?|\\d(\{(\d+)(?:,\d*)?\}|[+*?])?|([A-Za-z0-9_\-.:/ ])/g;
  let m: RegExpExecArray | null;
  let pos = 0;
  while ((m = re.exec(body))) {
    if (m.index !== pos) return [];
    pos = re.lastIndex;
    if (m[1] !== undefined) {
      const ch = m[1].startsWith('^') ? 'z' : (m[1].match(/[A-Za-z0-9]/)?.[0] ?? m[1][0]);
      const n = m[3] ? Number(m[3]) : m[2] === '*' || m[2] === '?' ? 0 : 1;
      out += ch.repeat(Math.max(n, m[2] === '*' ? 0 : 1));
    } else if (m[0].startsWith('\\d')) {
      out += '1'.repeat(m[6] ? Number(m[6]) : 1);
    } else out += m[7];
  }
  return pos === body.length ? [out] : [];
}

function asParamValue(v: unknown): ParamValue {
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'object' ? JSON.stringify(x) : String(x)));
  if (v !== null && typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** A request body for `body`: its own example when that validates (all the way down: `run` checks the body so), else one built from the schema. */
export function exampleBody(body: OpBody): unknown {
  return body.example !== undefined && checkValue(body.schema, body.example).length === 0 && fits(body.schema, body.example)
    ? body.example
    : exampleValue(body.schema);
}

/**
 * Values for every required parameter of `op` (and its body when required),
 * as `connector run -p` / `--body` would pass them.
 */
export function exampleParams(op: Operation): { params: Record<string, ParamValue>; body?: string } {
  const params: Record<string, ParamValue> = {};
  for (const p of op.params) {
    if (!p.required) continue;
    if (p.visibility === 'internal' && p.schema.default !== undefined) continue;
    const v = exampleValue(p.schema);
    if (v !== undefined) params[p.name] = asParamValue(v);
  }
  let body: string | undefined;
  if (op.body?.required) {
    const v = exampleBody(op.body);
    body = typeof v === 'string' && !/json/.test(op.body.contentTypes[0] ?? '') ? v : JSON.stringify(v ?? {});
  }
  return body === undefined ? { params } : { params, body };
}
