import { describe, it, expect, vi, beforeEach } from 'vitest';
import { runCli, tempHome } from '../helpers/cli.js';
import { MemoryStore } from '../../src/secrets/store.js';
import { apiKeyRecord, basicRecord, makeRecord, register } from './helpers.js';
import { chooseTestOperation } from '../../src/connections/verify.js';

const calls: { operationId: string; params: unknown; values: Record<string, string> }[] = [];
let status = 200;
vi.mock('../../src/http/call.js', () => ({
  callOperation: async (_ctx: unknown, _record: unknown, operationId: string, opts: any) => {
    calls.push({ operationId, params: opts.params, values: opts.connection.values });
    return { status, statusText: '', headers: {}, body: Buffer.from(''), request: { method: 'GET', url: '', headers: {} }, durationMs: 1 };
  },
}));

let home: string;
let store: MemoryStore;
const run = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli(args, { home, env, overrides: { secrets: async () => store } });

beforeEach(async () => {
  home = tempHome();
  store = new MemoryStore();
  calls.length = 0;
  status = 200;
  await register(home, basicRecord(), apiKeyRecord());
});

describe('create verifies through the test operation', () => {
  it('2xx → saved; the call saw the secret', async () => {
    const r = await run(['connection', 'create', 'keyco', '--param-env', 'api_key=K'], { K: 'good' });
    expect(r.code).toBe(0);
    expect(calls).toEqual([{ operationId: 'ListItems', params: { top: '5' }, values: { api_key: 'good' } }]);
    expect(store.items.get('keyco/default/api_key')).toBe('good');
  });

  it.each([401, 403])('%i → exit 4, nothing saved', async (s) => {
    status = s;
    const r = await run(['connection', 'create', 'keyco', '--param-env', 'api_key=K'], { K: 'bad' });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(`HTTP ${s}`);
    expect(store.items.size).toBe(0);
    expect(JSON.parse((await run(['connection', 'list', '--json'])).stdout)).toEqual([]);
  });

  it('--no-verify skips the call', async () => {
    status = 401;
    const r = await run(['connection', 'create', 'keyco', '--no-verify', '--param-env', 'api_key=K'], { K: 'bad' });
    expect(r.code).toBe(0);
    expect(calls).toHaveLength(0);
  });

  it('--test-operation wins and is remembered for `connection test`', async () => {
    const r = await run(['connection', 'create', 'basicco', '--test-operation', 'getme', '--param', 'instance=i', '--param', 'username=u', '--param-env', 'password=P'], { P: 'pw' });
    expect(r.code).toBe(0);
    expect(calls[0].operationId).toBe('GetMe');
    const t = await run(['connection', 'test', 'basicco/default']);
    expect(t.code).toBe(0);
    expect(calls[1]).toEqual({ operationId: 'GetMe', params: {}, values: { instance: 'i', username: 'u', password: 'pw' } });
    status = 401;
    expect((await run(['connection', 'test', 'basicco/default'])).code).toBe(4);
    status = 500;
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
