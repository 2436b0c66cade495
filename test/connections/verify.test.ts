import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempHome } from '../helpers/cli.js';
import { MemoryStore } from '../../src/secrets/store.js';
import { apiKeyRecord, basicRecord, makeRecord, register } from './helpers.js';
import { chooseTestOperation } from '../../src/connections/verify.js';
import type { HttpClient } from '../../src/http/client.js';
import type { PreparedRequest, RawResponse } from '../../src/http/types.js';
import { requestUrl } from '../../src/http/headers.js';

interface Call {
  operationId: string;
  /** Query and path values as sent. */
  params: Record<string, string>;
  /** The credential on the wire: the X-Key header or the Authorization header. */
  auth: string | undefined;
}

/**
 * A strict fake of the context's HttpClient (after gh's httpmock registry): each stub
 * answers exactly one matching request; verify() fails the test on any request no stub
 * answered and on any stub left unused. Anything but `send` (raw requests, sessions) is
 * unexpected here.
 */
function strictHttp() {
  const stubs: { method: string; url: string; status: number; used: boolean }[] = [];
  const unexpected: string[] = [];
  const calls: Call[] = [];
  const refuse = (what: string): never => {
    unexpected.push(what);
    throw new Error(`strict HTTP fake: unexpected ${what}`);
  };
  const header = (h: Record<string, string>, name: string) => Object.entries(h).find(([k]) => k.toLowerCase() === name)?.[1];
  const fake: Pick<HttpClient, 'send' | 'request' | 'session' | 'close'> = {
    async send(req: PreparedRequest): Promise<RawResponse> {
      const url = requestUrl(req);
      const stub = stubs.find((s) => !s.used && s.method === req.method && s.url === url) ?? refuse(`${req.method} ${url}`);
      stub.used = true;
      calls.push({
        operationId: req.operationId,
        params: { ...Object.fromEntries(req.query), ...req.pathValues },
        auth: header(req.headers, 'x-key') ?? header(req.headers, 'authorization'),
      });
      return { status: stub.status, statusText: '', headers: {}, body: Buffer.alloc(0) };
    },
    request: async (wire) => refuse(`${wire.method} ${String(wire.url)} (raw request)`),
    session: (protocol) => refuse(`${protocol} session`),
    close: async () => {},
  };
  return {
    client: fake as HttpClient,
    calls,
    /** The next request for `method url` answers `status`. */
    stub(method: string, url: string, status: number) {
      stubs.push({ method, url, status, used: false });
    },
    verify() {
      expect(unexpected, 'requests no stub answered').toEqual([]);
      expect(
        stubs.filter((s) => !s.used).map((s) => `${s.method} ${s.url}`),
        'stubs never used',
      ).toEqual([]);
    },
  };
}

const API = 'https://api.example.invalid';
const basic = (user: string, pw: string) => 'Basic ' + Buffer.from(`${user}:${pw}`).toString('base64');

let home: string;
let store: MemoryStore;
let http: ReturnType<typeof strictHttp>;
const run = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli(args, { home, env, overrides: { secrets: async () => store, http: http.client } });

beforeEach(async () => {
  home = tempHome();
  store = new MemoryStore();
  http = strictHttp();
  await register(home, basicRecord(), apiKeyRecord());
});
afterEach(() => http.verify());

describe('create verifies through the test operation', () => {
  it('2xx → saved; the call saw the secret', async () => {
    http.stub('GET', `${API}/items?top=5`, 200);
    const r = await run(['connection', 'create', 'keyco', '--param-env', 'api_key=K'], { K: 'good' });
    expect(r.code).toBe(0);
    expect(http.calls).toEqual([{ operationId: 'ListItems', params: { top: '5' }, auth: 'good' }]);
    expect(store.items.get('keyco/default/api_key')).toBe('good');
  });

  it.each([401, 403])('%i → exit 4, nothing saved', async (s) => {
    http.stub('GET', `${API}/items?top=5`, s);
    const r = await run(['connection', 'create', 'keyco', '--param-env', 'api_key=K'], { K: 'bad' });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(`HTTP ${s}`);
    expect(store.items.size).toBe(0);
    expect(JSON.parse((await run(['connection', 'list', '--json'])).stdout)).toEqual([]);
  });

  it('--no-verify skips the call', async () => {
    const r = await run(['connection', 'create', 'keyco', '--no-verify', '--param-env', 'api_key=K'], { K: 'bad' });
    expect(r.code).toBe(0);
    expect(http.calls).toHaveLength(0); // and verify() fails on any request at all
  });

  it('--test-operation wins and is remembered for `connection test`', async () => {
    for (const status of [200, 200, 401, 500]) http.stub('GET', `${API}/me`, status);
    const r = await run(
      ['connection', 'create', 'basicco', '--test-operation', 'getme', '--param', 'instance=i', '--param', 'username=u', '--param-env', 'password=P'],
      { P: 'pw' },
    );
    expect(r.code).toBe(0);
    expect(http.calls[0].operationId).toBe('GetMe');
    const t = await run(['connection', 'test', 'basicco/default']);
    expect(t.code).toBe(0);
    expect(http.calls[1]).toEqual({ operationId: 'GetMe', params: {}, auth: basic('u', 'pw') });
    // the values `connection test` resolved: instance is not on the wire, so from the stored connection
    const saved = JSON.parse(readFileSync(join(home, 'connections.json'), 'utf8')).connections;
    expect(saved).toMatchObject([{ connector: 'basicco', name: 'default', testOperation: 'GetMe', values: { instance: 'i' } }]);
    expect((await run(['connection', 'test', 'basicco/default'])).code).toBe(4);
    expect((await run(['connection', 'test', 'basicco/default'])).code).toBe(1);
  });

  it('no test operation → says so and saves', async () => {
    await register(home, makeRecord('bare', { definition: { securityDefinitions: { k: { type: 'apiKey', in: 'query', name: 'key' } } } }));
    const r = await run(['connection', 'create', 'bare', '--param-env', 'k=K'], { K: 'v' });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('No test operation found');
    expect(store.items.get('bare/default/k')).toBe('v');
  });
});

describe('chooseTestOperation', () => {
  it('prefers the declared x-ms-capabilities testConnection', () => {
    const rec = apiKeyRecord();
    rec.definition['x-ms-capabilities'] = { testConnection: { operationId: 'GetItem', parameters: { id: { value: '7' } } } };
    expect(chooseTestOperation(rec)).toEqual({ operationId: 'GetItem', params: { id: '7' }, source: 'declared' });
  });
  it('skips GETs whose required parameters have no example/default/enum', () => {
    expect(chooseTestOperation(apiKeyRecord())).toMatchObject({ operationId: 'ListItems', params: { top: '5' }, source: 'first GET' });
  });
  it('resolves $ref parameters and enum values', () => {
    const rec = makeRecord('r', {
      definition: {
        parameters: { region: { name: 'region', in: 'query', required: true, type: 'string', enum: ['eu', 'us'] } },
        paths: { '/a': { get: { operationId: 'A', parameters: [{ $ref: '#/parameters/region' }] } } },
      },
    });
    expect(chooseTestOperation(rec)).toMatchObject({ operationId: 'A', params: { region: 'eu' } });
  });
});
