import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { callOperation } from '../../src/http/call.js';
import type { ConnectorRecord, PolicyTemplateInstance } from '../../src/model.js';
import { policyStatus } from '../../src/policies/index.js';
import { handlesResponse } from '../../src/policies/response.js';
import { NOT_REPRODUCIBLE } from '../../src/policies/request/table.js';
import { connection, memoryCtx, recordingServer } from '../run/helpers.js';

/**
 * The review's findings on the policy templates, on the wire: a secret longer than a trace
 * value's old cut, body paths through `__proto__`, one behaviour per template on both sides,
 * setvaluefromurl's extra call and the value it fetches.
 */

const KEY = `k-${'0123456789abcdef'.repeat(5)}-tail`; // 86 characters
const START = KEY.slice(0, 24);
const LOOKED_UP = 'looked-up-value-from-the-api-42';

const inst = (templateId: string, title: string, params: Record<string, unknown>, ops: string[], section = 'Request'): PolicyTemplateInstance => ({
  templateId,
  title,
  parameters: {
    ...Object.fromEntries(Object.entries(params).map(([k, v]) => [`x-ms-apimTemplateParameter.${k}`, v])),
    'x-ms-apimTemplate-policySection': section,
    'x-ms-apimTemplate-operationName': ops,
  },
});

const op = (operationId: string, method = 'post') => ({
  [method]: {
    operationId,
    parameters: method === 'post' ? [{ name: 'body', in: 'body', schema: { type: 'object' } }] : [],
    responses: { 200: { description: 'ok' } },
  },
});

const record: ConnectorRecord = {
  name: 'review',
  title: 'Review',
  specFormat: 'swagger2',
  source: { kind: 'file', location: 'inline' },
  importedAt: new Date(0).toISOString(),
  definition: {
    swagger: '2.0',
    info: { title: 'Review', version: '1' },
    host: '127.0.0.1',
    basePath: '/',
    schemes: ['http'],
    consumes: ['application/json'],
    produces: ['application/json'],
    paths: {
      '/leak': op('Leak'),
      '/leak/answer': op('LeakAnswer', 'get'),
      '/proto': op('Proto'),
      '/proto/answer': op('ProtoAnswer', 'get'),
      '/convert': op('Convert'),
      '/convert/answer': op('ConvertAnswer', 'get'),
      '/strings/answer': op('StringsAnswer', 'get'),
      '/keyed': op('Keyed'),
      '/fetch': op('Fetch'),
      '/lookup': op('Lookup', 'get'),
    },
  } as ConnectorRecord['definition'],
  apiProperties: {
    properties: {
      connectionParameters: { api_key: { type: 'securestring' } },
      policyTemplateInstances: [
        inst('SetProperty', 'prefixed key', { newPropertySubPathTemplate: 'auth', propertyValuePathTemplate: "prefix-@connectionParameters('api_key')" }, [
          'Leak',
        ]),
        inst('setheader', 'echo key', { name: 'X-Echo', value: "prefix-@connectionParameters('api_key')" }, ['LeakAnswer'], 'Response'),
        inst('setproperty', 'pollute', { newPropertySubPathTemplate: '__proto__.showSecrets', propertyValuePathTemplate: 'true' }, ['Proto']),
        inst(
          'setproperty',
          'pollute answer',
          { newPropertySubPathTemplate: '__proto__.allowInsecureHttp', propertyValuePathTemplate: 'true' },
          ['ProtoAnswer'],
          'Response',
        ),
        inst('setproperty', 'read constructor', { newPropertySubPathTemplate: 'c', propertyValuePathTemplate: '@body().constructor' }, ['Proto']),
        inst('convertarraytoobject', 'keyed', { propertySubPath: 'list', keyWithinCollectionPath: 'id', newPropertyPath: '@body().o' }, ['Keyed']),
        inst('convertobjecttoarray', 'no value name', { propertySubPath: 'o', newPropertyPath: '@body().a', keyName: 'k' }, ['Convert']),
        inst('convertobjecttoarray', 'no new path', { propertySubPath: 'p', keyName: 'k' }, ['Convert']),
        inst('convertobjecttoarray', 'no value name', { propertySubPath: 'o', newPropertyPath: '@body().a', keyName: 'k' }, ['ConvertAnswer'], 'Response'),
        inst('convertobjecttoarray', 'no new path', { propertySubPath: 'p', keyName: 'k' }, ['ConvertAnswer'], 'Response'),
        inst('stringtoarray', 'split', { propertySubPath: 'tags', childPropertyName: 'tag', delimiterList: ';' }, ['StringsAnswer'], 'Response'),
        inst('encodepropertyvalue', 'encode', { propertySubPath: 'link' }, ['StringsAnswer'], 'Response'),
        inst('moveproperties', 'move', { srcSubPath: 'old', dstSubPath: 'new' }, ['StringsAnswer'], 'Response'),
        inst('setqueryparameter', 'key in query', { name: 'code', value: "@connectionParameters('api_key')" }, ['Fetch']),
        inst(
          'setvaluefromurl',
          'lookup',
          { parameterTemplate: "@headers('X-Lookup')", parameterValueUrl: '/lookup', parameterValuePathTemplate: '@body().ref' },
          ['Fetch'],
        ),
        inst(
          'setvaluefromurl',
          'etag',
          { parameterTemplate: "@headers('If-Match')", parameterValueUrl: '/lookup', parameterValuePathTemplate: '@body().etag' },
          ['Fetch'],
        ),
      ],
    },
  },
};

let server: Awaited<ReturnType<typeof recordingServer>>;
beforeAll(async () => {
  server = await recordingServer((req) => {
    const path = req.url.split('?')[0];
    if (path === '/leak/answer') return { body: '{"ok":true}' };
    if (path === '/proto/answer') return { body: '{"ok":true}' };
    if (path === '/convert/answer') return { body: JSON.stringify({ o: { a: { x: 1 } }, p: { b: 2 } }) };
    if (path === '/strings/answer') return { body: JSON.stringify({ tags: 'a;b', link: 'a b', old: 1 }) };
    if (path === '/lookup') return { body: JSON.stringify({ ref: LOOKED_UP, etag: 'W/"e-1"' }) };
    return {};
  });
});
afterAll(() => server.close());
afterEach(() => {
  for (const k of ['showSecrets', 'allowInsecureHttp', 'polluted']) delete (Object.prototype as Record<string, unknown>)[k];
});

async function call(operationId: string, body?: unknown) {
  const m = memoryCtx({ verbose: true });
  const res = await callOperation(m.ctx, record, operationId, {
    params: {},
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    connection: connection('custom', { api_key: KEY }, ['api_key']),
    baseUrl: server.url,
    retries: 0,
  });
  return { res, stderr: m.stderr(), sent: server.seen.at(-1)! };
}

describe('run --verbose: a secret longer than a trace value is masked whole', () => {
  it('request setproperty with an 86-character key', async () => {
    const req = await call('Leak', {});
    expect(JSON.parse(req.sent.body.toString())).toEqual({ auth: `prefix-${KEY}` });
    expect(req.stderr).not.toContain(START);
    expect(req.stderr).toContain('policy SetProperty (prefixed key): property @body().auth set to "prefix-***"');
  });

  it('response setheader with an 86-character key', async () => {
    const res = await call('LeakAnswer');
    expect(res.stderr).not.toContain(START);
    expect(res.stderr).toContain('response header X-Echo set to "prefix-***"');
  });
});

describe('body paths never reach the prototype chain', () => {
  it('request side: `__proto__.showSecrets` is refused with one warning naming the policy; only own properties are read', async () => {
    const r = await call('Proto', { a: 1 });
    expect(({} as Record<string, unknown>).showSecrets).toBeUndefined();
    expect(r.stderr.match(/policy setproperty \(pollute\) is not applied: .*'__proto__'/g)).toHaveLength(1);
    expect(r.stderr).toMatch(/policy setproperty \(read constructor\) is not applied: .*'constructor'/);
    expect(JSON.parse(r.sent.body.toString())).toEqual({ a: 1 });
  });

  it('response side: `__proto__.allowInsecureHttp` is refused the same way', async () => {
    const r = await call('ProtoAnswer');
    expect(({} as Record<string, unknown>).allowInsecureHttp).toBeUndefined();
    expect(r.stderr).toMatch(/policy setproperty \(pollute answer\) is not applied: .*'__proto__'/);
    expect(JSON.parse(r.res.body.toString())).toEqual({ ok: true });
  });

  it('a key from the data named __proto__ becomes an own property (convertarraytoobject)', async () => {
    const r = await call('Keyed', { list: [{ id: '__proto__', n: 1 }] });
    expect(r.sent.body.toString()).toBe('{"list":[{"id":"__proto__","n":1}],"o":{"__proto__":{"id":"__proto__","n":1}}}');
  });
});

describe('one template, one behaviour, on the request and on the answer', () => {
  const expected = { o: { a: { x: 1 } }, p: { b: 2 }, a: [{ k: 'a', value: { x: 1 } }] };
  it('convertobjecttoarray: no valueName gives `value`; no newPropertyPath changes nothing', async () => {
    const req = await call('Convert', { o: { a: { x: 1 } }, p: { b: 2 } });
    expect(JSON.parse(req.sent.body.toString())).toEqual(expected);
    expect(req.stderr).toContain('convertobjecttoarray (no new path): not applied: no newPropertyPath');
    const res = await call('ConvertAnswer');
    expect(JSON.parse(res.res.body.toString())).toEqual(expected);
  });

  it('the answer also gets stringtoarray, encodepropertyvalue and moveproperties', async () => {
    for (const id of ['stringtoarray', 'encodepropertyvalue', 'moveproperties'])
      expect(handlesResponse({ templateId: id, parameters: { 'x-ms-apimTemplate-policySection': 'Response' } }), id).toBe(true);
    const r = await call('StringsAnswer');
    expect(JSON.parse(r.res.body.toString())).toEqual({ tags: [{ tag: 'a' }, { tag: 'b' }], link: 'a%20b', new: 1 });
  });
});

describe('setvaluefromurl', () => {
  it('its own call carries a query-string credential', async () => {
    const before = server.seen.length;
    await call('Fetch', {});
    const [lookup, etag] = server.seen.slice(before);
    expect(lookup.url).toBe(`/lookup?code=${KEY}`);
    expect(etag.url).toBe(`/lookup?code=${KEY}`);
  });

  it('a fetched value is masked unless its name is a harmless one', async () => {
    const before = server.seen.length;
    const r = await call('Fetch', {});
    const [, , main] = server.seen.slice(before);
    expect(main.headers['x-lookup']).toBe(LOOKED_UP);
    expect(main.headers['if-match']).toBe('W/"e-1"');
    expect(r.stderr).not.toContain(LOOKED_UP);
    expect(r.stderr).not.toContain(START);
    expect(r.stderr).toContain('header If-Match set: W/"e-1"');
  });
});

describe('one table', () => {
  it('no template the response pipeline applies has a "not reproducible" text', () => {
    for (const id of Object.keys(NOT_REPRODUCIBLE)) expect(handlesResponse({ templateId: id, parameters: {} }), id).toBe(false);
    expect(policyStatus({ templateId: 'UpdateNextLink', parameters: {} })).toMatchObject({ applied: true, side: 'response' });
  });
});
