/**
 * OpenAPI 3 → Swagger 2.0 over the fixtures in test/fixtures/downconvert: each `X.in.yaml` is
 * the OpenAPI 3 input, `X.out.yaml` the Swagger 2.0 expected (`swagger`) and the notes. Both
 * sides are checked with swagger-parser. CONNECTOR_UPDATE_FIXTURES=1 rewrites the .out files
 * (then read the diff: the .out files are the specification).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { toSwagger2 } from '../../src/spec/downconvert.js';

const DIR = join(import.meta.dirname, '..', 'fixtures', 'downconvert');
const names = readdirSync(DIR)
  .filter((f) => f.endsWith('.in.yaml'))
  .map((f) => f.slice(0, -'.in.yaml'.length));

const convert = (name: string) => {
  const input = parse(readFileSync(join(DIR, `${name}.in.yaml`), 'utf8'));
  return { input, ...toSwagger2(input) };
};
/** swagger-parser's validate dereferences in place: give it a copy. */
const validSwagger2 = async (doc: object) => {
  const api: any = await SwaggerParser.validate(structuredClone(doc) as any);
  expect(api.swagger).toBe('2.0');
};

describe('OpenAPI 3 → Swagger 2.0 fixtures', () => {
  it.each(names)('%s: the input is valid OpenAPI 3, the output is the expected, valid Swagger 2.0', async (name) => {
    const { input, swagger, notes } = convert(name);
    await SwaggerParser.validate(structuredClone(input));
    const outFile = join(DIR, `${name}.out.yaml`);
    if (process.env.CONNECTOR_UPDATE_FIXTURES) writeFileSync(outFile, stringify({ notes, swagger }, { lineWidth: 0, aliasDuplicateObjects: false }));
    const expected = parse(readFileSync(outFile, 'utf8'));
    expect(swagger).toEqual(expected.swagger);
    expect(notes).toEqual(expected.notes);
    await validSwagger2(swagger);
  });

  it('does not change its input', () => {
    const input = parse(readFileSync(join(DIR, 'schemas30.in.yaml'), 'utf8'));
    const copy = structuredClone(input);
    toSwagger2(input);
    expect(input).toEqual(copy);
  });

  it('every note is one line: an RFC 6901 pointer, then what was done', () => {
    for (const name of names) {
      for (const n of convert(name).notes) expect(n).toMatch(/^\/(?:[^~\n]|~[01])*: [^\n]+$/);
    }
  });
});

describe('the mappings, one by one', () => {
  const out = (name: string) => convert(name).swagger as any;
  const notes = (name: string) => convert(name).notes.join('\n');

  it('servers: variables at their defaults, the first of several, a relative URL gives no host', () => {
    expect(out('servers')).toMatchObject({ host: 'eu.api.example.com:8443', basePath: '/v2', schemes: ['https'] });
    expect(notes('servers')).toMatch(/^\/servers: .*kept the first of 2 servers/m);
    expect(out('relative').host).toBeUndefined();
    expect(out('relative').basePath).toBe('/api/v1');
    expect(notes('relative')).toMatch(/^\/servers\/0\/url: .*relative.*host left out/m);
  });

  it('security schemes: basic, apiKey (cookie as header), bearer as an Authorization apiKey, one oauth2 per flow, openIdConnect dropped', () => {
    const s = out('security');
    expect(s.securityDefinitions).toEqual({
      basic: { type: 'basic', description: 'User and password' },
      bearer: { type: 'apiKey', in: 'header', name: 'Authorization' },
      headerKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
      queryKey: { type: 'apiKey', in: 'query', name: 'api_key' },
      cookieKey: { type: 'apiKey', in: 'header', name: 'session' },
      oauth: {
        type: 'oauth2',
        flow: 'accessCode',
        authorizationUrl: 'https://login.example.com/authorize',
        tokenUrl: 'https://login.example.com/token',
        scopes: { read: 'Read', write: 'Write' },
      },
      'oauth-application': { type: 'oauth2', flow: 'application', tokenUrl: 'https://login.example.com/token', scopes: { read: 'Read' } },
      'oauth-implicit': { type: 'oauth2', flow: 'implicit', authorizationUrl: 'https://login.example.com/authorize', scopes: {} },
      'oauth-password': { type: 'oauth2', flow: 'password', tokenUrl: 'https://login.example.com/token', scopes: {} },
    });
    expect(s.security).toEqual([{ oauth: ['read'] }, { 'oauth-application': ['read'] }, { 'oauth-implicit': ['read'] }, { 'oauth-password': ['read'] }]);
    expect(s.paths['/open'].get.security).toEqual([{}]);
    const n = notes('security');
    expect(n).toMatch(/^\/components\/securitySchemes\/bearer: .*apiKey header 'Authorization'/m);
    expect(n).toMatch(/^\/components\/securitySchemes\/cookieKey\/in: .*header 'session'/m);
    expect(n).toMatch(/^\/components\/securitySchemes\/oidc: .*'openIdConnect'.*left out/m);
    expect(n).toMatch(/^\/security\/1\/oidc: /m);
  });

  it('components and every $ref renamed; requestBodies and headers inlined; a cookie component parameter dropped', () => {
    const s = out('components');
    expect(Object.keys(s.definitions)).toEqual(['Pet', 'Owner']);
    expect(s.definitions.Pet.properties.owner).toEqual({ $ref: '#/definitions/Owner' });
    expect(s.parameters).toEqual({ PetId: { name: 'petId', in: 'path', required: true, type: 'string' } });
    expect(s.responses.NotFound).toEqual({ description: 'Not found', schema: { $ref: '#/definitions/Owner' } });
    const put = s.paths['/pets/{petId}'].put;
    expect(s.paths['/pets/{petId}'].parameters).toEqual([{ $ref: '#/parameters/PetId' }]);
    expect(put.parameters).toEqual([{ name: 'body', in: 'body', required: true, schema: { $ref: '#/definitions/Pet' } }]);
    expect(put.responses['200'].headers).toEqual({ 'X-Rate': { description: 'Requests left', type: 'integer' } });
    expect(put.responses['404']).toEqual({ $ref: '#/responses/NotFound' });
    expect(JSON.stringify(s)).not.toContain('#/components/');
  });

  it('request bodies: JSON first with its description/required and x-ms-*, consumes, formData with files', () => {
    const p = out('bodies').paths;
    expect(p['/json'].post.parameters).toEqual([
      {
        name: 'body',
        in: 'body',
        description: 'The item',
        required: true,
        'x-ms-summary': 'Item',
        'x-ms-visibility': 'important',
        schema: { type: 'object', properties: { a: { type: 'string' } } },
      },
    ]);
    expect(p['/json'].post.consumes).toEqual(['application/json', 'text/plain']);
    expect(p['/vendor'].post.parameters[0].schema).toEqual({ type: 'object' });
    expect(p['/vendor'].post.consumes).toEqual(['application/vnd.api+json', 'text/csv']);
    expect(p['/upload'].post.parameters).toEqual([
      { name: 'file', in: 'formData', description: 'The file', required: true, type: 'file' },
      { name: 'tags', in: 'formData', type: 'array', items: { type: 'string' }, collectionFormat: 'multi' },
      { name: 'meta', in: 'formData', type: 'string' },
    ]);
    expect(p['/form'].post.parameters).toEqual([
      { name: 'user', in: 'formData', type: 'string', 'x-ms-summary': 'User' },
      { name: 'age', in: 'formData', type: 'integer' },
    ]);
    expect(p['/form'].post.consumes).toEqual(['application/x-www-form-urlencoded']);
    expect(p['/raw'].put.parameters[0].schema).toEqual({ type: 'string', format: 'binary' });
    const n = notes('bodies');
    expect(n).toMatch(/^\/paths\/~1json\/post\/requestBody\/content: .*kept the one of 'application\/json'/m);
    expect(n).toMatch(/^\/paths\/~1vendor\/post\/requestBody\/content: .*'application\/vnd.api\+json'/m);
  });

  it('responses: the JSON schema, produces collected, headers inline, ranges as NXX → N00, links noted', () => {
    const get = out('responses').paths['/r'].get;
    expect(get.produces).toEqual(['application/json', 'application/problem+json', 'text/plain']);
    expect(get.responses['200']).toEqual({
      description: 'OK',
      schema: { type: 'object', properties: { id: { type: 'integer' } } },
      examples: { 'application/json': { id: 1 } },
      headers: { 'X-Next': { description: 'Next page', type: 'string', format: 'uri' }, 'X-Ids': { type: 'array', items: { type: 'integer' } } },
    });
    expect(get.responses['400']).toEqual({ description: 'Client error' });
    expect(get.responses.default.schema).toEqual({ type: 'object' });
    expect(notes('responses')).toMatch(/^\/paths\/~1r\/get\/responses\/200\/links: /m);
  });

  it('parameters: schema inline, style/explode → collectionFormat, cookie and deepObject noted', () => {
    const [ids, limit, status, multi, csv, ssv, pipes, filter, trace, q] = out('parameters').paths['/p/{ids}'].get.parameters;
    expect(ids).toEqual({ name: 'ids', in: 'path', required: true, type: 'array', items: { type: 'integer' }, collectionFormat: 'csv' });
    expect(limit).toEqual({
      name: 'limit',
      in: 'query',
      description: 'Page size',
      type: 'integer',
      format: 'int32',
      minimum: 1,
      maximum: 100,
      default: 10,
      'x-ms-summary': 'Limit',
      'x-ms-visibility': 'advanced',
    });
    expect(status).toEqual({ name: 'status', in: 'query', type: 'string', enum: ['a', 'b'], 'x-nullable': true, 'x-example': 'a' });
    expect([multi.collectionFormat, csv.collectionFormat, ssv.collectionFormat, pipes.collectionFormat]).toEqual(['multi', 'csv', 'ssv', 'pipes']);
    expect(filter).toMatchObject({ name: 'filter', type: 'string' });
    expect(trace).toEqual({ name: 'X-Trace', in: 'header', type: 'string', format: 'uuid' });
    expect(q).toEqual({ name: 'q', in: 'query', type: 'string' });
    const n = notes('parameters');
    expect(n).toMatch(/^\/paths\/~1p~1\{ids\}\/get\/parameters\/7\/style: .*deepObject/m);
    expect(n).toMatch(/^\/paths\/~1p~1\{ids\}\/get\/parameters\/9: .*cookie.*'session' left out/m);
  });

  it('schemas 3.0: nullable, oneOf of objects merged, anyOf first branch, $ref siblings, writeOnly, discriminator', () => {
    const d = out('schemas30').definitions;
    expect(d.Pet).toEqual({
      type: 'object',
      properties: { name: { type: 'string' }, purrs: { type: 'boolean' }, barks: { type: 'boolean' } },
      required: ['name'],
      discriminator: 'kind',
    });
    expect(d.Id).toEqual({ type: 'string' });
    expect(d.Thing.properties.note).toEqual({ type: 'string', 'x-nullable': true });
    expect(d.Thing.properties.cat).toEqual({ allOf: [{ $ref: '#/definitions/Cat' }], description: 'The cat', 'x-ms-summary': 'Cat' });
    expect(d.Thing.properties.secret).toEqual({ type: 'string' });
    expect(d.Thing['x-ms-visibility']).toBe('important');
    const n = notes('schemas30');
    expect(n).toMatch(/^\/components\/schemas\/Pet\/oneOf: .*2 object branches were merged/m);
    expect(n).toMatch(/^\/components\/schemas\/Pet\/discriminator\/mapping: /m);
    expect(n).toMatch(/^\/components\/schemas\/Id\/anyOf: .*kept the first of 2 branches \(type "string"\)/m);
    expect(n).toMatch(/^\/components\/schemas\/Thing\/properties\/secret\/writeOnly: /m);
    expect(n).toMatch(/^\/components\/schemas\/Thing\/properties\/cat: .*beside \$ref/m);
    expect(n).toMatch(/^\/components\/schemas\/Thing\/properties\/notNumber\/not: /m);
  });

  it('schemas 3.1: type [x, null], a null oneOf branch, const, examples, numeric exclusive bounds, webhooks, callbacks, info.summary', () => {
    const s = out('schemas31');
    const p = s.definitions.Item.properties;
    expect(p.name).toEqual({ type: 'string', 'x-nullable': true, example: 'Rex' });
    expect(p.kind).toEqual({ enum: ['dog'] });
    expect(p.score).toEqual({ type: 'number', minimum: 0, exclusiveMinimum: true, maximum: 10, exclusiveMaximum: true });
    expect(p.either).toEqual({ type: 'string' });
    expect(p.tags).toEqual({ type: 'array', items: { type: 'string', minLength: 1 } });
    expect(s.definitions.MaybeCat).toEqual({ allOf: [{ $ref: '#/definitions/Cat' }], 'x-nullable': true, 'x-ms-summary': 'Maybe a cat' });
    expect(s.info).toEqual({ title: 'Schemas 3.1', version: '1.0', license: { name: 'MIT' } });
    expect(s.webhooks).toBeUndefined();
    const n = notes('schemas31');
    expect(n).toMatch(/^\/webhooks: /m);
    expect(n).toMatch(/^\/paths\/~1i\/post\/callbacks: /m);
    expect(n).toMatch(/^\/components\/schemas\/Item\/properties\/either\/type: .*kept 'string'/m);
  });

  it('x-ms-* stay where they are; on a requestBody they move to the body parameter', () => {
    const s = out('xms');
    expect(s['x-ms-connector-metadata']).toEqual([{ propertyName: 'Website', propertyValue: 'https://example.com' }]);
    expect(s.definitions.Row).toEqual({ type: 'object', 'x-ms-summary': 'Row', properties: { v: { type: 'string', 'x-ms-visibility': 'internal' } } });
    const rows = s.paths['/rows'];
    expect(rows['x-ms-notification-content']).toEqual({ description: 'Rows' });
    expect(rows.get).toMatchObject({ 'x-ms-visibility': 'important', 'x-ms-pageable': { nextLinkName: 'nextLink' } });
    expect(rows.get.parameters[0]).toMatchObject({ 'x-ms-summary': 'Table', 'x-ms-dynamic-values': { operationId: 'ListTables', 'value-path': 'name' } });
    expect(rows.post.parameters[0]).toEqual({
      name: 'body',
      in: 'body',
      'x-ms-summary': 'Row',
      'x-ms-body-name': 'row',
      schema: { $ref: '#/definitions/Row' },
    });
  });
});
