import { describe, it, expect } from 'vitest';
import { join } from 'node:path';
import { prepareImport } from '../../src/spec/import.js';
import { capabilities, operations, policies, publisher, scriptOperations, summarize } from '../../src/spec/normalize.js';
import { derivedOperationId } from '../../src/operation/walk.js';
import { diffOperations, formatDiff } from '../../src/spec/diff.js';

const SPECS = join(import.meta.dirname, '..', '..', 'fixtures', 'specs');
const NOW = new Date('2024-01-02T03:04:05.000Z');
const rec = async (f: string, name?: string) => (await prepareImport(join(SPECS, f), { now: NOW, name })).record;

describe('operations()', () => {
  it('Swagger 2.0: document order, derived ids, global auth applied, op-level security: [] means none', async () => {
    expect(operations(await rec('petstore.swagger.json'))).toEqual([
      { operationId: 'listPets', method: 'GET', path: '/pets', summary: 'List pets', visibility: 'important', auth: ['api_key'] },
      { operationId: 'addPet', method: 'POST', path: '/pets', summary: 'Add a pet', auth: ['api_key'] },
      { operationId: 'getPetById', method: 'GET', path: '/pets/{petId}', summary: 'Get a pet', auth: ['api_key'] },
      { operationId: 'delete_pets_petid', method: 'DELETE', path: '/pets/{petId}', summary: 'Delete a pet', auth: ['api_key'] },
      { operationId: 'ping', method: 'GET', path: '/internal/ping', summary: 'Health check', visibility: 'internal', auth: [] },
    ]);
  });

  it('OpenAPI 3.0: global security, op-level override, path-level parameters, patch', async () => {
    expect(operations(await rec('petstore.openapi30.yaml'))).toEqual([
      { operationId: 'listPets', method: 'GET', path: '/pets', summary: 'List pets', visibility: 'important', auth: ['oauth'] },
      { operationId: 'addPet', method: 'POST', path: '/pets', auth: ['bearer'] },
      { operationId: 'getPetById', method: 'GET', path: '/pets/{petId}', auth: ['oauth'] },
      { operationId: 'patch_pets_petid', method: 'PATCH', path: '/pets/{petId}', auth: ['oauth'] },
    ]);
  });

  it('OpenAPI 3.1: triggers, and all schemes when no security is declared', async () => {
    expect(operations(await rec('petstore.openapi31.json'))).toEqual([
      { operationId: 'listPets', method: 'GET', path: '/pets', summary: 'List pets', trigger: 'batch', auth: ['key'] },
      { operationId: 'getPetById', method: 'GET', path: '/pets/{petId}', auth: ['key'] },
    ]);
  });

  it('no security schemes → auth []', async () => {
    expect(operations(await rec('external/main.yaml')).map((o) => o.auth)).toEqual([[]]);
  });

  it('derived ids are method_path slugs', () => {
    expect(derivedOperationId('GET', '/')).toBe('get_root');
    expect(derivedOperationId('post', '/v1/{tenant}/Items.json')).toBe('post_v1_tenant_items_json');
  });
});

describe('summary, policies, capabilities, publisher, script', () => {
  it('summarizes a paconn connector', async () => {
    const r = await rec('paconn-weather');
    expect(summarize(r)).toEqual({
      name: 'weather-tiny',
      title: 'Weather Tiny',
      version: '1.0',
      specFormat: 'swagger2',
      description: 'A small paconn-style connector.',
      host: 'weather.example.com',
      basePath: '/',
      publisher: 'Connector Tests',
      operationCount: 2,
      authKinds: ['apiKey'],
      source: { kind: 'paconn', location: join(SPECS, 'paconn-weather') },
      importedAt: NOW.toISOString(),
      hasScript: true,
    });
    expect(policies(r)).toEqual([
      {
        templateId: 'setheader',
        title: 'Set the API version',
        parameters: {
          'x-ms-apimTemplateParameter.name': 'X-Api-Version',
          'x-ms-apimTemplateParameter.value': '2024-01-01',
          'x-ms-apimTemplateParameter.existsAction': 'override',
          'x-ms-apimTemplate-policySection': 'Request',
        },
      },
    ]);
    expect(capabilities(r)).toEqual(['actions', 'triggers']);
    expect(publisher(r)).toEqual({ publisher: 'Connector Tests', stackOwner: 'Example Weather Ltd' });
    expect(scriptOperations(r)).toEqual(['GetForecast']);
  });

  it('OpenAPI 3 host/basePath come from servers[0]; no auth is "none"', async () => {
    expect(summarize(await rec('petstore.openapi30.yaml'))).toMatchObject({ host: 'petstore.example.com', basePath: '/api/v2', authKinds: ['oauth2'] });
    expect(summarize(await rec('external/main.yaml'))).toMatchObject({ authKinds: ['none'], hasScript: false });
  });

  it('a connector with script.csx is flagged with the documented warning', async () => {
    const { warnings } = await prepareImport(join(SPECS, 'paconn-weather'));
    expect(warnings).toContain('custom code cannot run locally; operations listed in scriptOperations will be sent to the API as-is');
  });
});

describe('diffOperations', () => {
  it('reports added, removed and changed (method/path/params/summary)', async () => {
    const before = await rec('petstore.swagger.json');
    const after = structuredClone(before);
    const paths = after.definition.paths as any;
    delete paths['/internal/ping'];
    paths['/pets'].get.summary = 'List all pets';
    paths['/pets'].get.parameters.push({ name: 'tag', in: 'query', type: 'string' });
    paths['/pets/{petId}'].put = { operationId: 'updatePet', responses: { 200: { description: 'ok' } } };
    paths['/pets/{petId}'].parameters[0] = { name: 'petId', in: 'path', required: true, type: 'string' };
    const d = diffOperations(before, after);
    expect(d).toEqual({
      added: ['updatePet'],
      removed: ['ping'],
      changed: [
        { operationId: 'listPets', what: ['params', 'summary'] },
        { operationId: 'getPetById', what: ['params'] },
        { operationId: 'delete_pets_petid', what: ['params'] },
      ],
    });
    expect(formatDiff('petstore', d)[0]).toBe("Changes to 'petstore': 1 added, 1 removed, 3 changed");
    expect(formatDiff('petstore', diffOperations(before, before))).toEqual(["Changes to 'petstore': operations unchanged"]);
  });
});
