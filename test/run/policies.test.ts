import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { callOperation } from '../../src/http/call.js';
import { policyInstances, unsupportedPolicies } from '../../src/policies/index.js';
import { handlesResponse } from '../../src/policies/response.js';
import { connection, FIXTURES, memoryCtx, recordFrom, recordingServer } from './helpers.js';

const record = recordFrom('pol', join(FIXTURES, 'wire.swagger.json'), join(FIXTURES, 'policies.apiProperties.json'));
/** The same, plus a template no version of connector run knows (what stays unapplied whatever the response side handles). */
const props = record.apiProperties as { properties: { policyTemplateInstances: unknown[] } };
const withUnknown = {
  ...record,
  apiProperties: {
    properties: {
      ...props.properties,
      policyTemplateInstances: [
        ...props.properties.policyTemplateInstances,
        { templateId: 'futureTemplate', title: 'later', parameters: { 'x-ms-apimTemplate-operationName': ['Search'] } },
      ],
    },
  },
};

let server: Awaited<ReturnType<typeof recordingServer>>;
beforeAll(async () => {
  server = await recordingServer();
});
afterAll(() => server.close());

const conn = () => connection('custom', { host: server.url, token: 's3cr3t-tok' }, ['token']);

describe('policy templates', () => {
  it('dynamichosturl, setheader with @connectionParameters, routerequesttoendpoint with a path parameter', async () => {
    const { ctx, stderr } = memoryCtx({ verbose: true });
    const res = await callOperation(ctx, record, 'GetItem', { params: { itemId: 'a/b' }, connection: conn(), retries: 0 });
    const seen = server.seen.at(-1)!;
    expect(seen.url).toBe('/v1/v2/things/a%2Fb');
    expect(seen.headers['x-token']).toBe('Token s3cr3t-tok');
    expect(res.request.headers['X-Token']).toBe('***');
    expect(stderr()).not.toContain('s3cr3t-tok');
    expect(stderr()).toContain('> X-Token: ***');
  });

  it('setqueryparameter with @queryParameters/@headers/defaults, filtered by operation; unsupported warned once', async () => {
    const { ctx, stderr } = memoryCtx();
    await callOperation(ctx, withUnknown, 'Search', { params: { q: 'hi' }, headers: { 'X-Trace': 'tr' }, connection: conn(), retries: 0 });
    await callOperation(ctx, withUnknown, 'Search', { params: { q: 'hi' }, headers: { 'X-Trace': 'tr' }, connection: conn(), retries: 0 });
    const url = new URL(server.seen.at(-1)!.url, 'http://x');
    expect(url.searchParams.get('format')).toBe('json');
    expect(url.searchParams.get('copy')).toBe('hi-tr-dflt');
    const warnings = stderr()
      .split('\n')
      .filter((l) => l.includes('policy futureTemplate (later) is not applied'));
    expect(warnings).toEqual(['warning: policy futureTemplate (later) is not applied: not a template connector run knows; it sends the request without it']);
  });

  it('setproperty edits the JSON body only for its operations', async () => {
    await callOperation(memoryCtx().ctx, record, 'CreateItem', { body: '{"id":1,"name":"n"}', params: {}, connection: conn(), retries: 0 });
    expect(JSON.parse(server.seen.at(-1)!.body.toString())).toEqual({ id: 1, name: 'n', '@odata.type': 'item' });
    await callOperation(memoryCtx().ctx, record, 'PutItem', { body: '{"id":1,"name":"n"}', params: {}, connection: conn(), retries: 0 });
    expect(JSON.parse(server.seen.at(-1)!.body.toString())).toEqual({ id: 1, name: 'n' });
  });

  it('--base-url wins over dynamichosturl', async () => {
    const res = await callOperation(memoryCtx().ctx, record, 'DeleteItem', {
      params: { itemId: '1' },
      connection: conn(),
      baseUrl: 'https://other.example/x',
      dryRun: true,
    });
    expect(res.request.url).toBe('https://other.example/x/items/1');
  });

  it('lists unsupported templates for `show`, each with why', () => {
    // updatenextlink is response-side: policies/response.ts's once it handles it, named until then
    const paging = policyInstances(record).find((t) => t.templateId === 'updatenextlink')!;
    expect(unsupportedPolicies(withUnknown)).toEqual([
      ...(handlesResponse(paging)
        ? []
        : [
            {
              templateId: 'updatenextlink',
              title: 'paging',
              operations: ['Search'],
              reason: 'rewrites the next-page link in the answer; connector run shows the answer as the API sent it',
            },
          ]),
      { templateId: 'futureTemplate', title: 'later', operations: ['Search'], reason: 'not a template connector run knows; it sends the request without it' },
    ]);
  });
});

describe('dynamichosturl with a scheme given twice', () => {
  const jiraLike = {
    ...record,
    apiProperties: {
      properties: {
        connectionParameters: { instance: { type: 'string', uiDefinition: { displayName: 'Instance' } } },
        policyTemplateInstances: [
          {
            templateId: 'dynamichosturl',
            title: 'host',
            parameters: { 'x-ms-apimTemplateParameter.urlTemplate': "https://@connectionParameters('instance').example.net/api/" },
          },
        ],
      },
    },
  };
  it('names the value and says how to give it, before anything is sent', async () => {
    const before = server.seen.length;
    const err = await callOperation(memoryCtx().ctx, jiraLike as any, 'DeleteItem', {
      params: { itemId: '1' },
      connection: connection('custom', { instance: 'https://acme' }, []),
      retries: 0,
    }).catch((e) => e);
    expect(err.message).toBe(
      "connection value 'instance' does not fit this connector's URL template https://@connectionParameters('instance').example.net/api/",
    );
    expect(err.hint).toBe("Give it as 'acme'.");
    expect(err.exitCode).toBe(2);
    expect(server.seen.length).toBe(before);
  });
  it('control: without the scheme the URL is built', async () => {
    const res = await callOperation(memoryCtx().ctx, jiraLike as any, 'DeleteItem', {
      params: { itemId: '1' },
      connection: connection('custom', { instance: 'acme' }, []),
      dryRun: true,
    });
    expect(res.request.url).toBe('https://acme.example.net/api/items/1');
  });
});

describe('dynamichosturl: a value that repeats what the template adds', () => {
  it("https://acme.example.net for https://@connectionParameters('instance').example.net/api/ → 'acme'", async () => {
    const jiraLike = {
      ...record,
      apiProperties: {
        properties: {
          policyTemplateInstances: [
            {
              templateId: 'dynamichosturl',
              parameters: { 'x-ms-apimTemplateParameter.urlTemplate': "https://@connectionParameters('instance').example.net/api/" },
            },
          ],
        },
      },
    };
    const err = await callOperation(memoryCtx().ctx, jiraLike as any, 'DeleteItem', {
      params: { itemId: '1' },
      connection: connection('custom', { instance: 'https://acme.example.net/' }, []),
      dryRun: true,
    }).catch((e) => e);
    expect(err.hint).toBe("Give it as 'acme'.");
    const suffixOnly = await callOperation(memoryCtx().ctx, jiraLike as any, 'DeleteItem', {
      params: { itemId: '1' },
      connection: connection('custom', { instance: 'acme.example.net' }, []),
      dryRun: true,
    }).catch((e) => e);
    expect([suffixOnly.message, suffixOnly.hint]).toEqual([
      "connection value 'instance' does not fit this connector's URL template https://@connectionParameters('instance').example.net/api/",
      "Give it as 'acme'.",
    ]);
  });
});
