import { describe, it, expect } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CORPUS_DIR } from '../helpers/cli.js';
import { deriveConnectionModel } from '../../src/spec/connection-model.js';
import type { AuthOption, ConnectorRecord } from '../../src/model.js';
import { makeRecord } from './helpers.js';

const hasCorpus = existsSync(CORPUS_DIR);
if (!hasCorpus) console.warn(`[connection-model] corpus not found at ${CORPUS_DIR}: corpus tests skipped`);

function readJson(dir: string, pattern: RegExp) {
  const f = readdirSync(dir).find((n) => pattern.test(n));
  return f ? JSON.parse(readFileSync(join(dir, f), 'utf8').replace(/^\uFEFF/, '')) : undefined;
}
function corpus(name: string): ConnectorRecord {
  const dir = join(CORPUS_DIR, name);
  const rec = makeRecord(name.toLowerCase().replace(/[^a-z0-9]+/g, '-'));
  rec.definition = readJson(dir, /^apidefinition.*\.json$/i);
  rec.apiProperties = readJson(dir, /^apiproperties\.json$/i);
  return rec;
}
const summary = (o: AuthOption) => ({
  id: o.id,
  kind: o.kind,
  params: o.parameters.map((p) => `${p.name}:${p.type}${p.secret ? '!' : ''}${p.required ? '*' : ''}${p.hidden ? '~' : ''}`),
});

describe.skipIf(!hasCorpus)('deriveConnectionModel over the corpus', () => {
  const names = hasCorpus ? readdirSync(CORPUS_DIR).filter((n) => existsSync(join(CORPUS_DIR, n, 'apiProperties.json'))) : [];

  it('derives a model for every connector without throwing, consistent with INDEX.tsv', () => {
    expect(names.length).toBeGreaterThanOrEqual(60);
    const index = new Map(
      readFileSync(join(CORPUS_DIR, 'INDEX.tsv'), 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.split('\t'))
        .map(([dir, , kind]) => [dir, kind]),
    );
    for (const n of names) {
      const model = deriveConnectionModel(corpus(n));
      const kinds = model.options.map((o) => o.kind);
      const expected = index.get(n) ?? '';
      if (expected === 'none') expect(kinds, n).toEqual([]);
      else if (expected === 'basic') expect(kinds, n).toEqual(['basic']);
      else if (expected.startsWith('apiKey')) expect(kinds, n).toEqual(['apiKey']);
      else if (expected.startsWith('oauth2')) expect(kinds, n).toEqual(['oauth2']);
      for (const o of model.options) {
        for (const p of o.parameters) {
          expect(p.secret, `${n}/${p.name}`).toBe(p.type === 'securestring' || p.type === 'oauthSetting' || p.type === 'clientCertificate');
          expect(p.label, `${n}/${p.name}`).toBeTruthy();
        }
        if (o.apiKey)
          expect(
            o.parameters.some((p) => p.name === o.apiKey!.parameter && p.secret),
            n,
          ).toBe(true);
      }
    }
  });

  it('JIRA: basic with labels from apiProperties', () => {
    const [o] = deriveConnectionModel(corpus('JIRA')).options;
    expect(summary(o)).toEqual({ id: 'Authorization', kind: 'basic', params: ['jirainstance:string*', 'username:string*', 'password:securestring!*'] });
    expect(o.basic).toEqual({ username: 'username', password: 'password' });
    expect(o.parameters[2].label).toBe('API token');
    expect(o.parameters[2].tooltip).toBe('Provide your API token');
  });

  it('AlisQI: apiKey definition "API Key" in header Authorization, parameter api_key', () => {
    const [o] = deriveConnectionModel(corpus('AlisQI')).options;
    expect(o.kind).toBe('apiKey');
    expect(o.apiKey).toEqual({ name: 'Authorization', in: 'header', parameter: 'api_key' });
  });

  it('Google Books: apiKey in query "key"; GlobalGiving: parameter named after the definition', () => {
    expect(deriveConnectionModel(corpus('Google Books')).options[0].apiKey).toEqual({ name: 'key', in: 'query', parameter: 'api_key' });
    expect(deriveConnectionModel(corpus('GlobalGiving Project')).options[0].apiKey).toEqual({ name: 'api_key', in: 'query', parameter: 'API Key' });
  });

  it('Open Data Network: two sets matched to their definitions by name', () => {
    const m = deriveConnectionModel(corpus('Open Data Network'));
    expect(m.options.map(summary)).toEqual([
      { id: 'api-auth', kind: 'apiKey', params: ['api_key:securestring!*', 'environment:string*'] },
      { id: 'basic-auth', kind: 'basic', params: ['username:string*', 'password:securestring!*', 'environment:string*'] },
    ]);
    expect(m.options.map((o) => o.label)).toEqual(['App Token', 'API Key']);
    const env = m.options[0].parameters[1];
    expect(env.default).toBe('api.us.socrata.com');
    expect(env.allowedValues).toEqual([
      { text: 'North America', value: 'api.us.socrata.com' },
      { text: 'EU', value: 'api.eu.socrata.com' },
    ]);
  });

  it('AvePoint: an OAuth set and a basic set', () => {
    const m = deriveConnectionModel(corpus('AvePoint Cloud Governance'));
    expect(m.options.map((o) => [o.id, o.kind, o.label])).toEqual([
      ['oauth', 'oauth2', 'Microsoft Entra ID'],
      ['basic', 'basic', 'Client Secret'],
    ]);
    expect(m.options[0].parameters[0].oauth).toMatchObject({ identityProvider: 'aad', scopes: ['User.Read'], customParameters: { tenantId: 'common' } });
    expect(m.options[1].parameters.map((p) => [p.name, p.clearText, p.tabIndex])).toEqual([
      ['username', true, 2],
      ['password', false, 3],
    ]);
  });

  it('LawVu: seven oauth sets with flattened customParameters', () => {
    const m = deriveConnectionModel(corpus('LawVu'));
    expect(m.options).toHaveLength(7);
    expect(new Set(m.options.map((o) => o.kind))).toEqual(new Set(['oauth2']));
    const custom = m.options.find((o) => o.id === 'oauthCustom')!;
    expect(custom.parameters.map((p) => p.name)).toEqual(['token:customAuth', 'token:customHost', 'token']);
    expect(custom.parameters[2].oauth?.customParameters.tokenUrlTemplate).toBe('https://{customHost}/account-apis/v1/auth/token');
  });

  it('Connect Bridge: gateway; ConsenSys: custom secrets; Delinea: custom without secrets', () => {
    const cb = deriveConnectionModel(corpus('Connect Bridge')).options[0];
    expect(cb.kind).toBe('gateway');
    expect(cb.parameters[0].allowedValues).toEqual([{ text: 'none', value: 'anonymous' }]);
    const cs = deriveConnectionModel(corpus('ConsenSys')).options[0];
    expect(summary(cs)).toEqual({
      id: 'default',
      kind: 'custom',
      params: ['rpc_endpoint:securestring!*', 'private_key:securestring!*', 'chain_id:securestring!*', 'api_key:securestring!*'],
    });
    expect(summary(deriveConnectionModel(corpus('Delinea Secret Server')).options[0])).toEqual({ id: 'default', kind: 'custom', params: ['baseurl:string*'] });
  });

  it('Azure Machine Learning: hidden tenant parameter, aadcertificate provider', () => {
    const [o] = deriveConnectionModel(corpus('Azure Machine Learning')).options;
    expect(summary(o).params).toEqual(['region:string*', 'token:oauthSetting!', 'token:TenantId:string~']);
    expect(o.parameters[1].oauth?.identityProvider).toBe('aadcertificate');
  });

  it('xkcd: no auth, no options', () => {
    expect(deriveConnectionModel(corpus('xkcd')).options).toEqual([]);
  });
});

describe('deriveConnectionModel from definitions alone', () => {
  it('Swagger basic → username + password(secret); apiKey → one secret named after the definition', () => {
    const m = deriveConnectionModel(
      makeRecord('s', { definition: { securityDefinitions: { b: { type: 'basic' }, myKey: { type: 'apiKey', in: 'query', name: 'code' } } } }),
    );
    expect(m.options.map(summary)).toEqual([
      { id: 'b', kind: 'basic', params: ['username:string*', 'password:securestring!*'] },
      { id: 'myKey', kind: 'apiKey', params: ['myKey:securestring!*'] },
    ]);
    expect(m.options[1].apiKey).toEqual({ name: 'code', in: 'query', parameter: 'myKey' });
  });

  it('Swagger oauth2 → OAuthSetting from the definition', () => {
    const m = deriveConnectionModel(
      makeRecord('o', {
        definition: {
          securityDefinitions: {
            oa: { type: 'oauth2', flow: 'accessCode', authorizationUrl: 'https://a/authorize', tokenUrl: 'https://a/token', scopes: { read: 'r', write: 'w' } },
          },
        },
      }),
    );
    expect(m.options[0].kind).toBe('oauth2');
    expect(m.options[0].parameters[0].oauth).toEqual({
      identityProvider: 'oauth2',
      flow: 'accessCode',
      authorizationUrl: 'https://a/authorize',
      tokenUrl: 'https://a/token',
      refreshUrl: undefined,
      scopes: ['read', 'write'],
      customParameters: {},
    });
  });

  it('OpenAPI 3 securitySchemes: http basic, apiKey header, oauth2 client credentials; cookie keys dropped', () => {
    const rec = makeRecord('o3');
    rec.specFormat = 'openapi3.0';
    rec.definition = {
      openapi: '3.0.3',
      paths: {},
      components: {
        securitySchemes: {
          b: { type: 'http', scheme: 'Basic' },
          k: { type: 'apiKey', in: 'header', name: 'X-Key' },
          c: { type: 'apiKey', in: 'cookie', name: 'sid' },
          o: { type: 'oauth2', flows: { clientCredentials: { tokenUrl: 'https://t', scopes: {} } } },
        },
      },
    };
    const m = deriveConnectionModel(rec);
    expect(m.options.map((o) => [o.id, o.kind])).toEqual([
      ['b', 'basic'],
      ['k', 'apiKey'],
      ['o', 'oauth2'],
    ]);
    expect(m.options[2].parameters[0].oauth).toMatchObject({ flow: 'application', tokenUrl: 'https://t' });
  });

  it('connectionParameters with a basic definition but other names gets username/password added', () => {
    const m = deriveConnectionModel(
      makeRecord('x', {
        definition: { securityDefinitions: { b: { type: 'basic' } } },
        apiProperties: {
          properties: {
            connectionParameters: { host: { type: 'string', uiDefinition: { displayName: 'Host', constraints: { required: 'false', tabIndex: 1 } } } },
          },
        },
      }),
    );
    expect(summary(m.options[0])).toEqual({ id: 'b', kind: 'basic', params: ['host:string', 'username:string*', 'password:securestring!*'] });
  });

  it('the API key / basic credentials are required even when uiDefinition says nothing', () => {
    const m = deriveConnectionModel(
      makeRecord('r', {
        definition: { securityDefinitions: { k: { type: 'apiKey', in: 'header', name: 'X' } } },
        apiProperties: { properties: { connectionParameters: { key: { type: 'securestring' }, note: { type: 'string' } } } },
      }),
    );
    expect(summary(m.options[0]).params).toEqual(['key:securestring!*', 'note:string']);
    expect(m.options[0].apiKey?.parameter).toBe('key');
  });

  it('the API key and the basic password are secrets even when apiProperties types them "string"', () => {
    const k = deriveConnectionModel(
      makeRecord('r', {
        definition: { securityDefinitions: { api_key: { type: 'apiKey', in: 'header', name: 'X-Key' } } },
        apiProperties: { properties: { connectionParameters: { api_key: { type: 'string' } } } },
      }),
    );
    expect(summary(k.options[0]).params).toEqual(['api_key:string!*']);
    const b = deriveConnectionModel(
      makeRecord('b', {
        definition: { securityDefinitions: { b: { type: 'basic' } } },
        apiProperties: { properties: { connectionParameters: { username: { type: 'string' }, password: { type: 'string' } } } },
      }),
    );
    expect(summary(b.options[0]).params).toEqual(['username:string*', 'password:string!*']);
  });

  it('garbage in apiProperties degrades instead of throwing', () => {
    const m = deriveConnectionModel(
      makeRecord('g', { apiProperties: { properties: { connectionParameters: { a: null, b: { type: 'weird', uiDefinition: 5 } } } } }),
    );
    expect(summary(m.options[0])).toEqual({ id: 'default', kind: 'custom', params: ['a:string', 'b:string'] });
  });
});
