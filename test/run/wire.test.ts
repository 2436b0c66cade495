import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { callOperation } from '../../src/http/call.js';
import { NotFoundError, UsageError } from '../../src/errors.js';
import { connection, FIXTURES, memoryCtx, recordFrom, recordingServer } from './helpers.js';

const swagger = recordFrom('wire', join(FIXTURES, 'wire.swagger.json'));
const oas3 = recordFrom('wire3', join(FIXTURES, 'wire.openapi.json'));

let server: Awaited<ReturnType<typeof recordingServer>>;
beforeAll(async () => {
  server = await recordingServer();
});
afterAll(() => server.close());

async function call(record = swagger, op: string, params: Record<string, string | string[]> = {}, extra: object = {}) {
  const { ctx } = memoryCtx();
  const before = server.seen.length;
  const res = await callOperation(ctx, record, op, { params, baseUrl: `${server.url}/base`, retries: 0, ...extra });
  expect(server.seen.length).toBe(before + 1);
  return { res, seen: server.seen[server.seen.length - 1] };
}

describe('Swagger 2 parameters on the wire', () => {
  it('path (from a path-level $ref), query boolean and header', async () => {
    const { seen } = await call(swagger, 'getitem', { itemId: 'a b/c', verbose: 'true', 'X-Trace': 't-1' });
    expect(seen.method).toBe('GET');
    expect(seen.url).toBe('/base/items/a%20b%2Fc?verbose=true');
    expect(seen.headers['x-trace']).toBe('t-1');
    expect(seen.headers.accept).toBe('application/json');
  });

  it('finds an operation by the slug of its summary', async () => {
    const { seen } = await call(swagger, 'get-one-item', { itemId: '7' });
    expect(seen.url).toBe('/base/items/7');
  });

  it('x-ms-url-encoding: double encodes the path value twice', async () => {
    const { seen } = await call(swagger, 'GetFile', { path: 'dir/a b' });
    expect(seen.url).toBe('/base/files/dir%252Fa%2520b');
  });

  it('collectionFormat csv, ssv, tsv, pipes, multi; internal default filled', async () => {
    const { seen } = await call(swagger, 'Search', {
      q: 'x&y',
      csv: ['a', 'b'],
      ssv: ['a', 'b'],
      tsv: ['a', 'b'],
      pipes: '[1,2]',
      multi: ['a', 'b'],
    });
    expect(seen.url).toBe('/base/search?csv=a%2Cb&ssv=a%20b&tsv=a%09b&pipes=1%7C2&multi=a&multi=b&api-version=2024-01-01&q=x%26y');
  });

  it('formData urlencoded (multi array)', async () => {
    const { seen } = await call(swagger, 'PostForm', { name: 'n 1', tags: ['a', 'b'] });
    expect(seen.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(seen.body.toString()).toBe('name=n+1&tags=a&tags=b');
  });

  it('formData multipart with a file from @path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wire-'));
    const file = join(dir, 'hello.txt');
    writeFileSync(file, 'hello\x00bytes');
    const { seen } = await call(swagger, 'Upload', { title: 'T', file: `@${file}` });
    const ct = String(seen.headers['content-type']);
    const boundary = /boundary=(.+)$/.exec(ct)?.[1];
    expect(ct).toMatch(/^multipart\/form-data; boundary=/);
    expect(seen.body.toString('latin1')).toBe(
      `--${boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\nT\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="hello.txt"\r\nContent-Type: application/octet-stream\r\n\r\nhello\x00bytes\r\n` +
        `--${boundary}--\r\n`,
    );
  });

  it('JSON body from --body, with Content-Type and Content-Length', async () => {
    const { seen } = await call(swagger, 'CreateItem', {}, { body: '{"id":1,"name":"n"}' });
    expect(seen.method).toBe('POST');
    expect(seen.headers['content-type']).toBe('application/json');
    expect(seen.headers['content-length']).toBe('19');
    expect(JSON.parse(seen.body.toString())).toEqual({ id: 1, name: 'n' });
  });

  it('-H headers override generated ones', async () => {
    const { seen } = await call(swagger, 'GetItem', { itemId: '1' }, { headers: { Accept: 'text/plain', 'X-Extra': 'e' } });
    expect(seen.headers.accept).toBe('text/plain');
    expect(seen.headers['x-extra']).toBe('e');
  });
});

describe('OpenAPI 3 styles on the wire', () => {
  it('simple path array, form explode/no-explode, space/pipe delimited, deepObject, cookie', async () => {
    const { seen } = await call(oas3, 'getThings', {
      ids: ['1', '2'],
      form: ['a', 'b'],
      formFlat: ['a', 'b'],
      space: ['a', 'b'],
      pipe: ['a', 'b'],
      filter: '{"color":"red","size":2}',
      session: 's1',
    });
    expect(seen.url).toBe('/base/things/1%2C2?form=a&form=b&formFlat=a%2Cb&space=a%20b&pipe=a%7Cb&filter%5Bcolor%5D=red&filter%5Bsize%5D=2');
    expect(seen.headers.cookie).toBe('session=s1');
  });

  it('requestBody JSON', async () => {
    const { seen } = await call(oas3, 'createThing', {}, { body: '{"label":"ab"}' });
    expect(seen.headers['content-type']).toBe('application/json');
    expect(seen.body.toString()).toBe('{"label":"ab"}');
  });
});

describe('auth on the wire', () => {
  it('basic', async () => {
    const conn = connection('basic', { username: 'me', password: 'p@ss' }, ['password'], { basic: { username: 'username', password: 'password' } });
    const { seen, res } = await call(swagger, 'GetItem', { itemId: '1' }, { connection: conn });
    expect(seen.headers.authorization).toBe(`Basic ${Buffer.from('me:p@ss').toString('base64')}`);
    expect(res.request.headers.Authorization).toBe('Basic ***');
  });

  it('apiKey in a header', async () => {
    const conn = connection('apiKey', { api_key: 'k-123' }, ['api_key'], { apiKey: { name: 'X-Api-Key', in: 'header', parameter: 'api_key' } });
    const { seen, res } = await call(swagger, 'GetItem', { itemId: '1' }, { connection: conn });
    expect(seen.headers['x-api-key']).toBe('k-123');
    expect(res.request.headers['X-Api-Key']).toBe('***');
  });

  it('apiKey in the query', async () => {
    const conn = connection('apiKey', { key: 'k&1' }, ['key'], { apiKey: { name: 'code', in: 'query', parameter: 'key' } });
    const { seen, res } = await call(swagger, 'GetItem', { itemId: '1' }, { connection: conn });
    expect(seen.url).toBe('/base/items/1?code=k%261');
    expect(res.request.url).toBe(`${server.url}/base/items/1?code=***`);
  });

  it('none sends no Authorization', async () => {
    const { seen } = await call(swagger, 'GetItem', { itemId: '1' });
    expect(seen.headers.authorization).toBeUndefined();
  });
});

describe('mistakes are caught before sending', () => {
  const cases: [string, Record<string, string | string[]>, RegExp, object?][] = [
    ['Search', {}, /missing required parameter for Search: q \(query\)/],
    ['Search', { q: 'x', limit: '500' }, /parameter 'limit' \(query\) must be <= 100, got 500/],
    ['Search', { q: 'x', limit: 'ten' }, /parameter 'limit' \(query\) must be an integer/],
    ['Search', { q: 'x', sort: 'up' }, /parameter 'sort' \(query\) must be one of "asc", "desc"/],
    ['Search', { q: 'x', code: 'abc' }, /parameter 'code' \(query\) must match the pattern/],
    ['Search', { q: 'x', qq: '1' }, /has no parameter 'qq'/],
    ['CreateItem', {}, /missing required parameter for CreateItem: item \(body\)/],
    ['CreateItem', {}, /request body is not valid JSON/, { body: '{nope' }],
    ['Nope', {}, /has no operation 'Nope'/],
  ];
  it.each(cases)('%s %j', async (op, params, message, extra) => {
    const { ctx } = memoryCtx();
    const before = server.seen.length;
    const err = await callOperation(ctx, swagger, op, { params, baseUrl: server.url, ...(extra ?? {}) }).catch((e) => e);
    expect(err).toBeInstanceOf(op === 'Nope' ? NotFoundError : UsageError);
    expect(err.message).toMatch(message);
    expect(server.seen.length).toBe(before);
  });

  it('suggests the closest operation names', async () => {
    const { ctx } = memoryCtx();
    const err = await callOperation(ctx, swagger, 'GetItm', { params: {} }).catch((e) => e);
    expect(err.hint).toContain('GetItem');
  });
});

describe('base URL', () => {
  it('comes from schemes (https first), host and basePath, or OAS3 servers with variable defaults', async () => {
    const { ctx } = memoryCtx();
    const a = await callOperation(ctx, swagger, 'GetItem', { params: { itemId: '1' }, dryRun: true });
    expect(a.request.url).toBe('https://api.example.com/v1/items/1');
    const b = await callOperation(ctx, oas3, 'getThings', { params: { ids: '1' }, dryRun: true });
    expect(b.request.url).toBe('https://eu.example.com/api/things/1');
  });

  it('refuses credentials over plain http to a non-loopback host unless allowed', async () => {
    const { ctx } = memoryCtx();
    const conn = connection('apiKey', { api_key: 'k' }, ['api_key'], { apiKey: { name: 'X-Api-Key', in: 'header', parameter: 'api_key' } });
    const opts = { params: { itemId: '1' }, baseUrl: 'http://example.invalid', connection: conn, retries: 0, timeoutMs: 2000 };
    const err = await callOperation(ctx, swagger, 'GetItem', opts).catch((e) => e);
    expect(err.message).toBe('refusing to send credentials over plain http to example.invalid');
    expect(err.hint).toContain('--allow-insecure-http');
    const err2 = await callOperation(ctx, swagger, 'GetItem', { ...opts, allowInsecureHttp: true }).catch((e) => e);
    expect(err2.message).toMatch(/cannot resolve host example.invalid|request to example.invalid failed/);
  });
});
