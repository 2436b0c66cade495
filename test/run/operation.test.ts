import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { derefDeep, resolvePointer } from '../../src/operation/refs.js';
import { exampleParams, exampleValue } from '../../src/operation/example.js';
import { findOperation } from '../../src/operation/find.js';
import { checkValue } from '../../src/operation/validate.js';
import { FIXTURES, recordFrom } from './helpers.js';

const swagger = recordFrom('wire', join(FIXTURES, 'wire.swagger.json'));

describe('$ref resolution', () => {
  it('follows JSON pointers with ~0/~1 escapes', () => {
    expect(resolvePointer({ a: { 'b/c': { '~d': 1 } } }, '#/a/b~1c/~0d')).toBe(1);
  });
  it('is cycle-safe: a recursive schema keeps its inner $ref', () => {
    const item = derefDeep(swagger.definition, { $ref: '#/definitions/Item' });
    expect(item.properties.children.items).toEqual({ $ref: '#/definitions/Item' });
    expect(item.required).toEqual(['id', 'name']);
  });
});

describe('example values', () => {
  it('satisfy type, enum, bounds, formats and simple patterns', () => {
    const cases: Record<string, any>[] = [
      { type: 'integer', minimum: 10, maximum: 20 },
      { type: 'number', exclusiveMinimum: true, minimum: 0 },
      { type: 'string', enum: ['x', 'y'] },
      { type: 'string', pattern: '^[A-Z]{3}$' },
      { type: 'string', pattern: '^\\d{4}-[a-z]+$' },
      { type: 'string', minLength: 12 },
      { type: 'string', format: 'date-time' },
      { type: 'array', items: { type: 'integer' }, minItems: 2 },
      { type: 'object', required: ['a'], properties: { a: { type: 'boolean' } } },
      { type: 'string', example: 'bad', pattern: '^ok$' },
    ];
    for (const s of cases) expect(checkValue(s, exampleValue(s)), JSON.stringify(s)).toEqual([]);
  });

  it('exampleParams covers every required parameter and a required body', () => {
    const ex = exampleParams(findOperation(swagger, 'CreateItem'));
    expect(JSON.parse(ex.body!)).toEqual({ id: 1, name: 'example' });
    expect(exampleParams(findOperation(swagger, 'Search')).params).toEqual({ q: 'example' });
  });

});
