import { specPattern } from './pattern.js';

/**
 * Light checks of one value against a (parameter) schema: type, enum, bounds,
 * length, pattern, items. Used before anything is sent; the full response
 * validation (`--validate`) uses ajv instead. `pattern` runs on RE2 (./pattern.ts); one it
 * cannot run is skipped with a line to `warn`.
 */
export function checkValue(schema: Record<string, any>, value: unknown, warn?: (message: string) => void): string[] {
  const problems: string[] = [];
  if (!schema || typeof schema !== 'object') return problems;
  const types: string[] = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  if (value === null) {
    if (types.length && !types.includes('null') && !schema.nullable && !schema['x-nullable']) problems.push('must not be null');
    return problems;
  }
  if (types.length && !types.some((t) => isType(t, value))) {
    problems.push(`must be ${types.map((t) => (t === 'integer' ? 'an integer' : t === 'array' || t === 'object' ? `an ${t}` : `a ${t}`)).join(' or ')}`);
    return problems;
  }
  if (Array.isArray(schema.enum) && schema.enum.length && !schema.enum.some((e: unknown) => JSON.stringify(e) === JSON.stringify(value))) {
    problems.push(`must be one of ${schema.enum.map((e: unknown) => JSON.stringify(e)).join(', ')}`);
  }
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && (value < schema.minimum || (schema.exclusiveMinimum === true && value === schema.minimum)))
      problems.push(`must be ${schema.exclusiveMinimum === true ? '>' : '>='} ${schema.minimum}`);
    if (typeof schema.maximum === 'number' && (value > schema.maximum || (schema.exclusiveMaximum === true && value === schema.maximum)))
      problems.push(`must be ${schema.exclusiveMaximum === true ? '<' : '<='} ${schema.maximum}`);
    if (typeof schema.exclusiveMinimum === 'number' && value <= schema.exclusiveMinimum) problems.push(`must be > ${schema.exclusiveMinimum}`);
    if (typeof schema.exclusiveMaximum === 'number' && value >= schema.exclusiveMaximum) problems.push(`must be < ${schema.exclusiveMaximum}`);
  }
  if (typeof value === 'string') {
    if (typeof schema.minLength === 'number' && value.length < schema.minLength) problems.push(`must be at least ${schema.minLength} characters`);
    if (typeof schema.maxLength === 'number' && value.length > schema.maxLength) problems.push(`must be at most ${schema.maxLength} characters`);
    if (typeof schema.pattern === 'string') {
      const re = specPattern(schema.pattern, warn); // undefined: not checked (said once through warn), never a block
      if (re && !re.test(value)) problems.push(`must match the pattern ${schema.pattern}`);
    }
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems) problems.push(`must have at least ${schema.minItems} items`);
    if (typeof schema.maxItems === 'number' && value.length > schema.maxItems) problems.push(`must have at most ${schema.maxItems} items`);
    if (schema.items) value.forEach((v, i) => checkValue(schema.items, v, warn).forEach((p) => problems.push(`item ${i} ${p}`)));
  }
  return problems;
}

function isType(t: string, v: unknown): boolean {
  switch (t) {
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v);
    case 'number':
      return typeof v === 'number' && Number.isFinite(v);
    case 'string':
      return typeof v === 'string';
    case 'boolean':
      return typeof v === 'boolean';
    case 'array':
      return Array.isArray(v);
    case 'object':
      return v !== null && typeof v === 'object' && !Array.isArray(v);
    case 'null':
      return v === null;
    case 'file':
      return true;
    default:
      return true;
  }
}

/**
 * Turn a CLI string into the schema's type: "12" → 12 for integers, "true" →
 * true for booleans, JSON for objects; `undefined` problem-free coercion is not
 * attempted for strings. Returns the original string when it cannot be coerced,
 * so checkValue reports the mismatch.
 */
export function coerceScalar(schema: Record<string, any>, raw: string): unknown {
  const type = Array.isArray(schema.type) ? schema.type.find((t: string) => t !== 'null') : schema.type;
  switch (type) {
    case 'integer':
    case 'number': {
      if (raw.trim() === '') return raw;
      const n = Number(raw);
      return Number.isNaN(n) ? raw : n;
    }
    case 'boolean':
      return raw === 'true' ? true : raw === 'false' ? false : raw;
    case 'object':
      try {
        return JSON.parse(raw);
      } catch {
        return raw;
      }
    default:
      return raw;
  }
}
