import { Registry } from '../../src/registry/registry.js';
import type { ConnectorRecord } from '../../src/model.js';

/** A minimal Swagger 2.0 connector record (no corpus files copied). */
export function makeRecord(name: string, parts: { definition?: Record<string, unknown>; apiProperties?: Record<string, unknown> } = {}): ConnectorRecord {
  return {
    name,
    title: name,
    specFormat: 'swagger2',
    source: { kind: 'file', location: `${name}.json` },
    importedAt: new Date(0).toISOString(),
    definition: {
      swagger: '2.0',
      info: { title: name, version: '1.0' },
      host: 'api.example.invalid',
      basePath: '/',
      schemes: ['https'],
      paths: {},
      ...parts.definition,
    },
    ...(parts.apiProperties ? { apiProperties: parts.apiProperties } : {}),
  };
}

export async function register(home: string, ...records: ConnectorRecord[]) {
  const reg = new Registry(home);
  for (const r of records) {
    await reg.put(r, {
      name: r.name,
      title: r.title,
      specFormat: r.specFormat,
      operationCount: 0,
      authKinds: [],
      source: r.source,
      importedAt: r.importedAt,
      hasScript: false,
    });
  }
}

const ui = (displayName: string, extra: Record<string, unknown> = {}) => ({ uiDefinition: { displayName, constraints: { required: 'true' }, ...extra } });

/** JIRA-like: basic definition + connectionParameters (instance, username, password). */
export const basicRecord = (host = 'api.example.invalid', scheme = 'https') =>
  makeRecord('basicco', {
    definition: {
      host,
      schemes: [scheme],
      securityDefinitions: { basic_auth: { type: 'basic' } },
      paths: { '/me': { get: { operationId: 'GetMe', responses: { 200: { description: 'ok' } } } } },
    },
    apiProperties: {
      properties: {
        connectionParameters: {
          instance: { type: 'string', ...ui('Instance host') },
          username: { type: 'string', ...ui('Username or Email') },
          password: { type: 'securestring', ...ui('API token', { tooltip: 'Provide your API token' }) },
        },
      },
    },
  });

/** API key in a header named X-Key, connection parameter api_key. */
export const apiKeyRecord = (host = 'api.example.invalid', scheme = 'https') =>
  makeRecord('keyco', {
    definition: {
      host,
      schemes: [scheme],
      securityDefinitions: { 'API Key': { type: 'apiKey', in: 'header', name: 'X-Key' } },
      paths: {
        '/items/{id}': {
          get: { operationId: 'GetItem', parameters: [{ name: 'id', in: 'path', required: true, type: 'string' }], responses: { 200: { description: 'ok' } } },
        },
        '/items': {
          get: {
            operationId: 'ListItems',
            parameters: [{ name: 'top', in: 'query', required: true, type: 'integer', default: 5 }],
            responses: { 200: { description: 'ok' } },
          },
        },
      },
    },
    apiProperties: { properties: { connectionParameters: { api_key: { type: 'securestring', ...ui('API Key') } } } },
  });

/** No auth at all. */
export const noneRecord = () =>
  makeRecord('openco', { definition: { paths: { '/x': { get: { operationId: 'X', responses: { 200: { description: 'ok' } } } } } } });

/** Two parameter sets: API key (with an allowedValues region) and basic. */
export const setsRecord = () =>
  makeRecord('setsco', {
    definition: {
      securityDefinitions: { 'basic-auth': { type: 'basic' }, 'api-auth': { type: 'apiKey', in: 'header', name: 'X-App-Token' } },
    },
    apiProperties: {
      properties: {
        connectionParameterSets: {
          uiDefinition: { displayName: 'Authentication Type' },
          values: [
            {
              name: 'api-auth',
              uiDefinition: { displayName: 'App Token' },
              parameters: {
                api_key: { type: 'securestring', ...ui('App Token') },
                region: {
                  type: 'string',
                  defaultValue: 'us',
                  uiDefinition: {
                    displayName: 'Region',
                    constraints: {
                      required: 'true',
                      allowedValues: [
                        { text: 'North America', value: 'us' },
                        { text: 'EU', value: 'eu' },
                      ],
                    },
                  },
                },
              },
            },
            {
              name: 'basic-auth',
              uiDefinition: { displayName: 'Key ID and secret' },
              parameters: { username: { type: 'string', ...ui('Key ID') }, password: { type: 'securestring', ...ui('Key secret') } },
            },
          ],
        },
      },
    },
  });
