import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { callOperation } from '../../src/http/call.js';
import { policyStatus, unsupportedPolicies } from '../../src/policies/index.js';
import { handlesResponse } from '../../src/policies/response.js';
import { connection, memoryCtx, recordFrom, recordingServer } from '../run/helpers.js';

/**
 * Request-side policy templates on the wire: our own Planner/AzureAD/Almabase-like connector
 * (test/fixtures/policies/tasks), mixed-case template ids, operation filters, a loopback
 * server recording what arrives.
 */
const DIR = join(import.meta.dirname, '..', 'fixtures', 'policies', 'tasks');
const record = recordFrom('tasks', join(DIR, 'apiDefinition.swagger.json'), join(DIR, 'apiProperties.json'));

let server: Awaited<ReturnType<typeof recordingServer>>;
beforeAll(async () => {
  server = await recordingServer((req) =>
    req.method === 'GET' && req.url === '/v1/tasks/t1/details'
      ? { body: JSON.stringify({ '@odata.etag': 'W/"etag-1"', id: 't1' }) }
      : req.url === '/v1/gone'
        ? { status: 404, body: '{"error":"gone"}' }
        : {},
  );
});
afterAll(() => server.close());

const conn = () => connection('custom', { host: server.url, token: 's3cr3t-tok' }, ['token']);
const call = (
  op: string,
  o: { params?: Record<string, string>; body?: unknown; verbose?: boolean; dryRun?: boolean; headers?: Record<string, string> } = {},
) => {
  const m = memoryCtx({ verbose: o.verbose });
  const res = callOperation(m.ctx, record, op, {
    params: o.params ?? {},
    ...(o.body !== undefined ? { body: JSON.stringify(o.body) } : {}),
    ...(o.headers ? { headers: o.headers } : {}),
    connection: conn(),
    retries: 0,
    dryRun: o.dryRun,
  });
  return { res, stderr: m.stderr };
};
const lastBody = () => JSON.parse(server.seen.at(-1)!.body.toString());

describe('request-side templates on the wire', () => {
  it('setheader / SetQueryParameter / RouteRequestToEndpoint / dynamicHostUrl, mixed case, filtered by operation', async () => {
    await call('GetItem', { params: { id: '7' } }).res;
    const seen = server.seen.at(-1)!;
    expect(seen.url).toBe('/v1/v2/items/7?api-version=2024-01');
    expect(seen.headers['x-api-token']).toBe('Key s3cr3t-tok');
    expect(seen.headers['x-client']).toBe('connector-cli');
    // skip: the caller's own header stays
    await call('GetItem', { params: { id: '7' }, headers: { 'X-Client': 'mine' } }).res;
    expect(server.seen.at(-1)!.headers['x-client']).toBe('mine');
    // the filters keep GetItem's policies off other operations
    await call('UpdateUser', { params: { id: 'u1' }, body: { displayName: 'A' } }).res;
    expect(server.seen.at(-1)!.url).toBe('/v1/users/u1');
    expect(server.seen.at(-1)!.headers['x-client']).toBeUndefined();
  });

  it('Planner-like UpdateTaskDetails: SetValueFromUrl (If-Match from a GET), SetProperty, StringReplace ×3, ConvertArrayToObject ×2', async () => {
    const before = server.seen.length;
    await call('UpdateTaskDetails', {
      params: { id: 't1' },
      body: {
        references: [{ alias: 'spec', resourceLink: 'https://example.com/a%b' }],
        checklist: [
          { id: 'c1', title: 'one', isChecked: false },
          { id: 'c2', title: 'two', isChecked: true },
        ],
      },
    }).res;
    const [etag, patch] = server.seen.slice(before);
    expect([etag.method, etag.url, etag.headers['x-api-token']]).toEqual(['GET', '/v1/tasks/t1/details', 'Key s3cr3t-tok']);
    expect([patch.method, patch.url, patch.headers['if-match']]).toEqual(['PATCH', '/v1/tasks/t1/details', 'W/"etag-1"']);
    expect(JSON.parse(patch.body.toString())).toEqual({
      references: { 'https%3A//example%2Ecom/a%25b': { alias: 'spec', previewPriority: ' !' } },
      checklist: { c1: { title: 'one', isChecked: false }, c2: { title: 'two', isChecked: true } },
    });
  });

  it('Planner-like CreateTask: StringToArray → SetProperty → EncodePropertyValue → StringReplace → ConvertArrayToObject', async () => {
    await call('CreateTask', { body: { title: 'T', assignments: 'ann@example.org; bob smith' } }).res;
    expect(lastBody()).toEqual({
      title: 'T',
      assignments: { 'ann%40example%2Eorg': { orderHint: ' !' }, 'bob%20smith': { orderHint: ' !' } },
    });
  });

  it('AzureAD-like MoveProperties: the sub-properties of customProperties become properties of the body', async () => {
    await call('UpdateUser', { params: { id: 'u1' }, body: { displayName: 'A', customProperties: { department: 'R&D', site: 'Oslo' } } }).res;
    expect(lastBody()).toEqual({ displayName: 'A', department: 'R&D', site: 'Oslo' });
  });

  it('Almabase-like ConvertObjectToArray on the request: { id: value } → [{ field_id, value }]', async () => {
    await call('CreateFormEntry', { params: { id: 'f' }, body: { field_entries: { 11: 'Ann', 12: 'Oslo' } } }).res;
    expect(lastBody()).toEqual({
      field_entries: [
        { field_id: '11', value: 'Ann' },
        { field_id: '12', value: 'Oslo' },
      ],
    });
  });

  it('--dry-run: SetValueFromUrl calls nothing and says so; the other templates still show in the request', async () => {
    const before = server.seen.length;
    const { res, stderr } = call('UpdateTaskDetails', { params: { id: 't1' }, body: { references: [] }, dryRun: true });
    const r = await res;
    expect(server.seen.length).toBe(before);
    expect(r.request.headers['If-Match']).toBeUndefined();
    expect(stderr()).toContain('policy setvaluefromurl (etag) is not run under --dry-run: it would call GET http://127.0.0.1:');
  });
});

describe('setvaluefromurl: only the API itself, and said when it finds nothing', () => {
  const variant = (url: string) => {
    const props = structuredClone(record.apiProperties) as {
      properties: { policyTemplateInstances: { title: string; parameters: Record<string, unknown> }[] };
    };
    const t = props.properties.policyTemplateInstances.find((p) => p.title === 'etag')!;
    t.parameters['x-ms-apimTemplateParameter.parameterValueUrl'] = url;
    return { ...record, apiProperties: props };
  };
  const run = async (url: string) => {
    const m = memoryCtx({ verbose: true });
    const before = server.seen.length;
    await callOperation(m.ctx, variant(url), 'UpdateTaskDetails', { params: { id: 't1' }, body: '{}', connection: conn(), retries: 0 });
    return { sent: server.seen.slice(before), stderr: m.stderr() };
  };

  it('an absolute URL on another origin is not called (the credentials stay with the API)', async () => {
    const { sent, stderr } = await run('https://elsewhere.example/etag');
    expect(sent.map((s) => s.method)).toEqual(['PATCH']);
    expect(sent[0].headers['if-match']).toBeUndefined();
    expect(stderr).toContain(
      "* policy SetValueFromUrl (etag): not applied: https://elsewhere.example is not the API's origin; the credentials are sent only there",
    );
  });

  it('an answer without the value, or not 2xx: the header is not set, and stderr says why', async () => {
    const missing = await run('/items/1'); // answers {"ok":true}: no @odata.etag
    expect(missing.sent.map((s) => [s.method, s.url])).toEqual([
      ['GET', '/v1/items/1'],
      ['PATCH', '/v1/tasks/t1/details'],
    ]);
    expect(missing.sent[1].headers['if-match']).toBeUndefined();
    expect(missing.stderr).toMatch(
      /\* policy SetValueFromUrl \(etag\): GET http:\/\/127\.0\.0\.1:\d+\/v1\/items\/1 has no @body\(\)\['@odata\.etag'\]: If-Match not set/,
    );
    const gone = await run('/gone');
    expect(gone.sent[1].headers['if-match']).toBeUndefined();
    expect(gone.stderr).toMatch(/warning: policy setvaluefromurl: GET http:\/\/127\.0\.0\.1:\d+\/v1\/gone answered HTTP 404; If-Match is not set/);
  });
});

describe('templates not reproduced locally are named, with why', () => {
  it('pollingtrigger and setconnectionstatustounauthenticated: show/run say exactly which and why', async () => {
    const names = unsupportedPolicies(record).map((p) => [p.templateId, p.reason]);
    expect(names).toContainEqual([
      'PollingTrigger',
      expect.stringMatching(/^applies to polling triggers only .*; connector run sends the request without it$/),
    ]);
    // setconnectionstatustounauthenticated is the response pipeline's (policies/response.ts): applied, with its limitation said
    expect(names.map(([id]) => id)).not.toContain('setconnectionstatustounauthenticated');
    const unauth = (record.apiProperties!.properties as any).policyTemplateInstances.find((p: any) => p.templateId === 'setconnectionstatustounauthenticated');
    expect(policyStatus(unauth)).toMatchObject({ applied: true, side: 'response', limitation: expect.stringContaining('exits 4') });
    const { res, stderr } = call('OnNewItem');
    await res;
    expect(stderr()).toContain('warning: policy PollingTrigger (new items) is not applied: applies to polling triggers only');
  });

  it('a response-section instance is the response pipeline’s: applied when it handles it, else named', () => {
    const t = record.apiProperties!.properties as any;
    const back = t.policyTemplateInstances.find((p: any) => p.title === 'references back');
    const s = policyStatus(back);
    if (handlesResponse(back)) expect(s).toMatchObject({ applied: true, side: 'response' });
    else expect(s).toEqual({ applied: false, reason: expect.stringContaining('runs on the answer (policySection Response)') });
    // the request-side instances of the same templates are applied either way
    const req = t.policyTemplateInstances.find((p: any) => p.title === 'field entries');
    expect(policyStatus(req)).toEqual({ applied: true, side: 'request' });
  });
});

describe('run --verbose: one line per policy that fired, redacted', () => {
  it('says what each changed, the secret masked', async () => {
    const { res, stderr } = call('GetItem', { params: { id: '7' }, verbose: true });
    await res;
    const lines = stderr()
      .split('\n')
      .filter((l) => l.startsWith('* policy '));
    expect(lines).toEqual([
      expect.stringMatching(/^\* policy dynamicHostUrl \(host\): base URL set to http:\/\/127\.0\.0\.1:\d+\/v1$/),
      '* policy setheader (token): header X-Api-Token set: ***',
      '* policy setheader (client): header X-Client set: connector-cli',
      '* policy SetQueryParameter (version): query api-version=2024-01 set',
      '* policy RouteRequestToEndpoint (route): routed GET /items/7 → GET /v2/items/7',
      '* policy setheader (cache): response header Cache-Control set to "no-store"',
    ]);
    expect(stderr()).not.toContain('s3cr3t-tok');
  });

  it('body templates say what they set, moved and converted', async () => {
    const { res, stderr } = call('UpdateTaskDetails', {
      params: { id: 't1' },
      body: { references: [{ alias: 'a', resourceLink: 'https://x.y/z' }], checklist: [] },
      verbose: true,
    });
    await res;
    const lines = stderr()
      .split('\n')
      .filter((l) => l.startsWith('* policy '));
    expect(lines).toEqual([
      expect.stringMatching(/^\* policy dynamicHostUrl \(host\): base URL set to /),
      '* policy setheader (token): header X-Api-Token set: ***',
      expect.stringMatching(
        /^\* policy SetValueFromUrl \(etag\): header If-Match set: W\/"etag-1" \(from @body\(\)\['@odata\.etag'\] of GET http:\/\/127\.0\.0\.1:\d+\/v1\/tasks\/t1\/details, HTTP 200\)$/,
      ),
      '* policy SetProperty (priority): property @body().references.previewPriority set to " !"',
      '* policy StringReplace (percent): @body().references.resourceLink: "%" → "%25" in 0 of 1 value',
      '* policy stringreplace (dots): @body().references.resourceLink: "." → "%2E" in 1 of 1 value',
      '* policy STRINGREPLACE (colons): @body().references.resourceLink: ":" → "%3A" in 1 of 1 value',
      '* policy ConvertArrayToObject (references): @body().references: array → object of 1 keyed by resourceLink (key removed from each), written to @body().references',
      '* policy convertArrayToObject (checklist): @body().checklist: array → object of 0 keyed by id (key removed from each), written to @body().checklist',
    ]);
  });
});
