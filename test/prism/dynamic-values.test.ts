import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connection, memoryCtx, recordFrom } from '../run/helpers.js';
import { findOperation } from '../../src/operation/find.js';
import { callable, dynamicTargets } from '../../src/operation/dynamic-targets.js';
import { resolveDynamicValues, resolveTree } from '../../src/operation/dynamic-values.js';
import { FIXTURE } from '../values/example-server.js';
import { startPrism } from './prism.js';

/**
 * The fixture's dynamic values answered by `prism mock` of the fixture itself: Prism checks each
 * source request against the spec (a missing path or query parameter is 422, a missing key 401)
 * and answers the declared example, so a resolved list means the request built from the
 * extension's `parameters` is one the source operation accepts.
 */
const record = recordFrom('dyn', FIXTURE);
const conn = connection('apiKey', { api_key: 'key-12345' }, ['api_key'], { apiKey: { name: 'X-Key', in: 'header', parameter: 'api_key' } });
let prism: Awaited<ReturnType<typeof startPrism>>;

beforeAll(async () => {
  prism = await startPrism(FIXTURE);
}, 40_000);
afterAll(() => prism?.stop());

const resolve = async (operation: string, name: string, given: Record<string, string> = {}, parent?: string, withConnection = true) => {
  const op = findOperation(record, operation);
  const target = dynamicTargets(op).find((t) => t.name === name)!;
  const { source, tree } = callable(op, target);
  const opts = { connection: withConnection ? conn : connection('none', {}, []), given, baseUrl: prism.url, timeoutMs: 10_000, parent };
  const { ctx } = memoryCtx();
  return tree ? resolveTree(ctx, record, tree, opts) : resolveDynamicValues(ctx, record, source!, opts);
};

describe('dynamic values against prism mock of the fixture', () => {
  it('x-ms-dynamic-values: value-collection, value-path, value-title', async () => {
    expect(await resolve('GetItems', 'site')).toEqual([
      { value: 'hr', title: 'Human resources' },
      { value: 'it', title: 'IT' },
    ]);
  });

  it('a { "parameter": "site" } reference fills the source’s path parameter', async () => {
    expect(await resolve('GetItems', 'list', { site: 'hr' })).toEqual([
      { value: 'l1', title: 'Holidays' },
      { value: 'l2', title: 'Payroll' },
    ]);
  });

  it('x-ms-dynamic-list: itemsPath, a parameterReference and a fixed value (Prism requires both query parameters)', async () => {
    expect((await resolve('GetItems', 'tag', { site: 'hr' })).map((v) => v.value)).toEqual(['urgent', 'later']);
  });

  it('x-ms-dynamic-tree: open, then browse with selectedItemValuePath', async () => {
    expect(await resolve('GetItems', 'folder')).toEqual([
      { value: '/Documents', title: 'Documents', isParent: true, parent: 'f-docs' },
      { value: '/README.md', title: 'README.md' },
    ]);
    expect((await resolve('GetItems', 'folder', {}, 'f-docs')).map((v) => v.value)).toEqual(['/Documents/2026', '/Documents/plan.docx']);
  });

  it('a body property’s dynamic values', async () => {
    expect((await resolve('CreateItem', 'body.owner.list', { site: 'it' })).map((v) => v.value)).toEqual(['l1', 'l2']);
  });

  it('the connection’s key is what Prism checks (without it: 401), and failures say which source', async () => {
    await expect(resolve('GetItems', 'site', {}, undefined, false)).rejects.toThrow('ListSites answered HTTP 401');
    await expect(resolve('GetItems', 'broken')).rejects.toThrow('Broken answered HTTP 500');
    await expect(resolve('GetItems', 'text')).rejects.toThrow('PlainText did not answer JSON');
    await expect(resolve('GetItems', 'nolist')).rejects.toThrow("NoList: no list at 'value' in the response");
  });
});
