import { describe, it, expect, beforeEach } from 'vitest';
import { tempHome } from '../helpers/cli.js';
import { memoryIO, testContext } from '../helpers/context.js';
import { MemoryStore } from '../../src/secrets/store.js';
import { parseAddress, resolveConnection } from '../../src/connections/store.js';
import { envVarName } from '../../src/secrets/env.js';
import { apiKeyRecord, noneRecord, register, setsRecord } from './helpers.js';
import { runCli } from '../helpers/cli.js';

let home: string;
let store: MemoryStore;
const ctxWith = (env: NodeJS.ProcessEnv = {}) =>
  testContext({ io: memoryIO({ env }).io, home, secrets: async () => store, clock: { now: () => Date.parse('2026-12-01T10:00:00Z'), sleep: async () => {} } });

beforeEach(async () => {
  home = tempHome();
  store = new MemoryStore();
  await register(home, apiKeyRecord(), noneRecord());
});

describe('resolveConnection', () => {
  it('a connector that needs no auth resolves to a synthetic empty connection', async () => {
    const r = await resolveConnection(ctxWith(), 'openco');
    expect(r).toMatchObject({ option: undefined, values: {}, secrets: [], record: { kind: 'none' } });
  });

  it('a connector that needs auth and has none → error with the create hint', async () => {
    await expect(resolveConnection(ctxWith(), 'keyco')).rejects.toMatchObject({
      message: "connector 'keyco' needs a connection and has none",
      hint: 'Create one: connector connection create keyco\nOr, in CI, set CONNECTOR_KEYCO__DEFAULT__API_KEY.',
    });
    await expect(resolveConnection(ctxWith(), 'keyco', 'prod')).rejects.toMatchObject({ message: "no connection 'keyco/prod'" });
  });

  it('default connection with secrets from the store, listed for redaction', async () => {
    const c = await runCli(['connection', 'create', 'keyco', '--no-verify', '--param-env', 'api_key=K'], {
      home,
      env: { K: 'stored' },
      overrides: { secrets: async () => store },
    });
    expect(c.code).toBe(0);
    const r = await resolveConnection(ctxWith(), 'keyco');
    expect(r.values).toEqual({ api_key: 'stored' });
    expect(r.secrets).toEqual(['stored']);
    expect(r.origins).toEqual({ api_key: 'memory' });
    expect(r.option?.apiKey).toEqual({ name: 'X-Key', in: 'header', parameter: 'api_key' });
    const e = await resolveConnection(ctxWith({ CONNECTOR_KEYCO_DEFAULT_API_KEY: 'override' }), 'keyco', 'default');
    expect(e.values.api_key).toBe('override');
    expect(e.secrets).toEqual(['override']);
    expect(e.origins.api_key).toBe('env:CONNECTOR_KEYCO_DEFAULT_API_KEY');
  });

  it('CI: no stored connection, every required value from CONNECTOR_<K>_<C>_<PARAM> → usable without a keychain', async () => {
    const failing = new MemoryStore();
    failing.get = async () => {
      throw new Error('store must not be touched');
    };
    store = failing;
    const r = await resolveConnection(ctxWith({ CONNECTOR_KEYCO_DEFAULT_API_KEY: 'ci-key' }), 'keyco');
    expect(r.values).toEqual({ api_key: 'ci-key' });
    expect(r.secrets).toEqual(['ci-key']);
  });

  it('env names: CONNECTOR_<K>__<C>__<P>, a name with more than letters, digits and inner dashes in hex', () => {
    expect(envVarName('open-data', 'my-conn', 'token:TenantId')).toBe('CONNECTOR_OPEN_DATA__MY_CONN__TOKEN_TENANTID');
    expect(envVarName('open.data', 'my conn', 'p')).toBe('CONNECTOR__6F70656E2E64617461___6D7920636F6E6E__P');
  });

  it('addresses must be <connector>/<name>', () => {
    expect(parseAddress('jira/prod')).toEqual({ connector: 'jira', name: 'prod' });
    for (const bad of ['jira', 'jira/', '/x', 'a/b/c', 'jira/../x', 'Jira/x']) expect(() => parseAddress(bad), bad).toThrow();
  });
});

describe('checkValue', () => {
  it('names a rejected plain value but never echoes a rejected secret', async () => {
    const { checkValue } = await import('../../src/connections/values.js');
    const base = { name: 'pin', label: 'PIN', required: true, hidden: false };
    expect(() => checkValue({ ...base, type: 'int', secret: false }, 'abc')).toThrow("parameter pin: expected an integer, got 'abc'");
    expect(() => checkValue({ ...base, type: 'int', secret: true }, 'abc-SECRET')).toThrow(/^parameter pin: expected an integer, got the value given$/);
    const allowed = [{ text: 'One', value: '1' }];
    expect(() => checkValue({ ...base, type: 'securestring', secret: true, allowedValues: allowed }, 'x-SECRET')).toThrow(
      /^parameter pin: the value given is not allowed$/,
    );
  });
});

describe('readAll (--param-stdin, --client-secret-stdin)', () => {
  it('decodes a character split across two chunks', async () => {
    const { Readable } = await import('node:stream');
    const { readAll } = await import('../../src/connections/values.js');
    const bytes = Buffer.from('pä$$wörd', 'utf8');
    expect(await readAll(Readable.from([bytes.subarray(0, 2), bytes.subarray(2)]))).toBe('pä$$wörd');
  });
});

describe('values from the environment are checked like typed ones', () => {
  it('an allowed value may be given by its text; anything else is exit 2 naming the variable', async () => {
    await register(home, setsRecord());
    const env = { CONNECTOR_SETSCO_DEFAULT_API_KEY: 'k', CONNECTOR_SETSCO_DEFAULT_REGION: 'EU' };
    const r = await resolveConnection(ctxWith(env), 'setsco');
    expect(r.values).toMatchObject({ api_key: 'k', region: 'eu' });
    await expect(resolveConnection(ctxWith({ ...env, CONNECTOR_SETSCO_DEFAULT_REGION: 'mars' }), 'setsco')).rejects.toMatchObject({
      message: "CONNECTOR_SETSCO_DEFAULT_REGION: parameter region: 'mars' is not allowed",
      hint: 'Allowed: us (North America), eu (EU); the text in brackets works too.',
      exitCode: 2,
    });
  });
});
