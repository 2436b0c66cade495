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

describe('an unknown operation name', () => {
  const record = {
    name: 'tr',
    title: 'tr',
    specFormat: 'swagger2',
    source: { kind: 'file', location: 'tr.json' },
    importedAt: new Date(0).toISOString(),
    definition: {
      swagger: '2.0',
      info: { title: 'tr', version: '1' },
      paths: {
        '/translate': { post: { operationId: 'TranslateText', summary: 'Translate text, for general text', responses: { 200: { description: 'ok' } } } },
        '/document': { post: { operationId: 'TranslateDocument', summary: 'Upload and translate a document', responses: { 200: { description: 'ok' } } } },
        '/result': { get: { operationId: 'DownloadDocument', summary: 'Download translated document', responses: { 200: { description: 'ok' } } } },
      },
    },
  } as any;
  it('suggests operationIds first, then summary slugs of other operations, never one operation twice', () => {
    const message = (() => {
      try {
        findOperation(record, 'Translate');
      } catch (e) {
        return (e as { hint?: string }).hint;
      }
    })();
    expect(message).toBe('Did you mean: TranslateText, TranslateDocument, download-translated-document?');
  });
});
