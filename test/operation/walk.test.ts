import { describe, it, expect } from 'vitest';
import { join } from 'node:path';
import { prepareImport } from '../../src/spec/import.js';
import { operations } from '../../src/spec/normalize.js';
import { diffOperations } from '../../src/spec/diff.js';
import { allOperations, findOperation } from '../../src/operation/find.js';
import { operationAt, walkOperations } from '../../src/operation/walk.js';
import { chooseTestOperation } from '../../src/connections/verify.js';
import { runCli, tempHome } from '../helpers/cli.js';

const FIXTURE = join(import.meta.dirname, '..', '..', 'fixtures', 'specs', 'path-item-refs.swagger.json');
const record = async () => (await prepareImport(FIXTURE, { now: new Date(0) })).record;
type Obj = Record<string, any>;

describe('one walk over operations: path items that are $refs', () => {
  it('the walker follows path-item refs and merges path-level $ref parameters', async () => {
    const def = (await record()).definition;
    expect((def.paths as Obj)['/things']).toEqual({ $ref: '#/x-paths/things' }); // import keeps the ref as written
    const all = [...walkOperations(def)];
    expect(all.map((o) => [o.method, o.path, o.operationId])).toEqual([
      ['get', '/things', 'ListThings'],
      ['post', '/things', 'post_things'],
      ['get', '/things/{id}', 'GetThing'],
    ]);
    expect(all[0].parameters.map((p) => `${p.in}:${p.name}`)).toEqual(['query:region', 'query:top']);
    expect(all[0].parameters[0].enum).toEqual(['eu', 'us']);
    expect(operationAt(def, '/things/{id}', 'GET')?.operationId).toBe('GetThing');
    expect(operationAt(def, '/things/{id}', 'delete')).toBeUndefined();
  });

  it('operations() (import, list, `connector operations`) sees them', async () => {
    expect(operations(await record())).toEqual([
      { operationId: 'ListThings', method: 'GET', path: '/things', summary: 'List things', auth: ['key'] },
      { operationId: 'post_things', method: 'POST', path: '/things', summary: 'Add a thing', auth: ['key'] },
      { operationId: 'GetThing', method: 'GET', path: '/things/{id}', auth: ['key'] },
    ]);
  });

  it('findOperation (run) resolves them, parameters from the referenced path item included', async () => {
    const rec = await record();
    const op = findOperation(rec, 'listthings');
    expect(op).toMatchObject({ operationId: 'ListThings', method: 'GET', path: '/things' });
    expect(op.params.map((p) => [p.name, p.in, p.required])).toEqual([
      ['region', 'query', true],
      ['top', 'query', false],
    ]);
    expect(op.params[0].schema.enum).toEqual(['eu', 'us']);
    expect(op.responses['200'].schema).toEqual({ type: 'array', items: { type: 'string' } });
    expect(findOperation(rec, 'add-a-thing').operationId).toBe('post_things');
    expect(allOperations(rec).map((o) => o.operationId)).toEqual(['ListThings', 'post_things', 'GetThing']);
  });

  it('the verification chooser sees them: first GET with values, and ids spelled as in the definition', async () => {
    const rec = await record();
    expect(chooseTestOperation(rec)).toEqual({ operationId: 'ListThings', params: { region: 'eu' }, source: 'first GET' });
    expect(chooseTestOperation(rec, 'getthing')).toEqual({ operationId: 'GetThing', params: {}, source: 'flag' });
    expect(chooseTestOperation(rec, undefined, 'LISTTHINGS')).toMatchObject({ operationId: 'ListThings', source: 'stored' });
  });

  it('a change inside a referenced path-level parameter shows in the re-import diff of every operation under it', async () => {
    const prev = await record();
    const next = structuredClone(prev);
    (next.definition.parameters as Obj).region.enum = ['eu', 'us', 'apac'];
    expect(diffOperations(prev, next)).toEqual({
      added: [],
      removed: [],
      changed: [
        { operationId: 'ListThings', what: ['params'] },
        { operationId: 'post_things', what: ['params'] },
      ],
    });
    expect(diffOperations(prev, structuredClone(prev)).changed).toEqual([]);
  });

  it('`connector operations` lists them after an import', async () => {
    const home = tempHome();
    expect((await runCli(['import', FIXTURE, '--name', 'refs'], { home })).code).toBe(0);
    const r = await runCli(['operations', 'refs', '--json'], { home });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).map((o: { operationId: string }) => o.operationId)).toEqual(['ListThings', 'post_things', 'GetThing']);
  });
});
