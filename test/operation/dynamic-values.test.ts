import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { memoryIO } from '../helpers/context.js';
import { createContext, type Context } from '../../src/context.js';
import { resolveConnection } from '../../src/connections/store.js';
import { findOperation } from '../../src/operation/find.js';
import { dynamicSource, dynamicTree, isParentItem, pickValues, resolveDynamicValues } from '../../src/operation/dynamic-values.js';
import { narrow } from '../../src/io/prompter.js';
import type { ConnectorRecord } from '../../src/model.js';
import { KEY, startDynamicApi, type DynamicApi } from './dynamic-api.js';

let api: DynamicApi;
let home: string;
let ctx: Context;
let record: ConnectorRecord;

beforeAll(async () => {
  api = await startDynamicApi();
  home = mkdtempSync(join(tmpdir(), 'connector-dyn-'));
  const r = await runCli(['import', api.writeSpec(home), '--name', 'dyn'], { home });
  expect(r.code, r.stderr).toBe(0);
  // An environment-only connection: the API-key plug-in puts the key on every request.
  ctx = createContext(memoryIO({ env: { CONNECTOR_DYN__DEFAULT__API_KEY: KEY } }).io, home, { secretStore: 'memory', input: false });
  record = await (await ctx.registry()).get('dyn');
});

afterAll(async () => {
  await ctx?.close();
  await api?.close();
  rmSync(home, { recursive: true, force: true });
});

const param = (name: string) => findOperation(record, 'GetItems').params.find((p) => p.name === name)!;
const values = async (name: string, given: Record<string, string> = {}) =>
  resolveDynamicValues(ctx, record, dynamicSource(param(name))!, { connection: await resolveConnection(ctx, 'dyn'), given, timeoutMs: 2000 });

describe('dynamicSource reads both extensions', () => {
  it('x-ms-dynamic-values: operation, parameter references, collection, value and title paths', () => {
    expect(dynamicSource(param('list'))).toEqual({
      kind: 'x-ms-dynamic-values',
      operationId: 'ListLists',
      parameters: { site: { parameter: 'site', required: true } },
      collection: ['d', 'results'],
      valuePath: ['Id'],
      titlePath: ['Title'],
    });
  });

  it('x-ms-dynamic-list: parameterReference and fixed values, itemsPath / itemValuePath / itemTitlePath', () => {
    expect(dynamicSource(param('tag'))).toEqual({
      kind: 'x-ms-dynamic-list',
      operationId: 'ListTags',
      parameters: { site: { parameter: 'site', required: true }, kind: { value: 'all' } },
      collection: ['items'],
      valuePath: ['key'],
      titlePath: ['label'],
    });
  });

  it('none on a parameter without either, or with only a built-in operation', () => {
    expect(dynamicSource(param('status'))).toBeUndefined();
    expect(dynamicSource({ raw: { 'x-ms-dynamic-values': { builtInOperation: 'AadGraph.GetUsers' } }, schema: {} })).toBeUndefined();
  });

  it('OpenAPI 3 keeps it on the schema', () => {
    expect(dynamicSource({ raw: {}, schema: { 'x-ms-dynamic-values': { operationId: 'X', 'value-path': 'a/b' } } })?.valuePath).toEqual(['a', 'b']);
  });
});

describe('resolveDynamicValues calls the source operation through the run path', () => {
  it('values and titles from value-collection / value-path / value-title, with the connection’s key, duplicates and items without a value dropped', async () => {
    expect(await values('site')).toEqual([
      { value: 'hr', title: 'Human resources' },
      { value: 'it', title: 'IT' },
    ]);
    expect(api.requests.at(-1)).toBe('/sites');
  });

  it('a { parameter } reference takes the value given to the other parameter (numbers become text)', async () => {
    expect(await values('list', { site: 'hr' })).toEqual([
      { value: 'l1', title: 'Holidays' },
      { value: '2', title: 'Payroll' },
    ]);
    expect(api.requests.at(-1)).toBe('/sites/hr/lists');
  });

  it('x-ms-dynamic-list: a parameterReference and a fixed value are both sent', async () => {
    expect(await values('tag', { site: 'it' })).toEqual([{ value: 'it-all', title: 'Tag' }]);
    expect(api.requests.at(-1)).toBe('/tags?site=it&kind=all');
  });

  it('the connection’s secrets are masked as run masks them: a value that is the key is dropped, a title keeps the mask', async () => {
    const source = {
      kind: 'x-ms-dynamic-values' as const,
      operationId: 'Echo',
      parameters: { v: { value: KEY } },
      collection: ['value'],
      valuePath: ['id'],
      titlePath: ['name'],
    };
    const got = await resolveDynamicValues(ctx, record, source, { connection: await resolveConnection(ctx, 'dyn'), timeoutMs: 2000 });
    expect(got).toEqual([{ value: 'plain', title: 'named ***' }]);
    expect(JSON.stringify(got)).not.toContain(KEY);
  });

  it('a required reference not given is a usage error naming the flag, and nothing is sent', async () => {
    const before = api.requests.length;
    await expect(values('list')).rejects.toThrow(/depend on 'site'/);
    expect(api.requests.length).toBe(before);
  });

  it('an error status, a wrong credential and a timeout are errors (the caller decides what to show)', async () => {
    await expect(values('broken')).rejects.toThrow(/HTTP 500/);
    const wrong = createContext(memoryIO({ env: { CONNECTOR_DYN__DEFAULT__API_KEY: 'wrong' } }).io, home, { secretStore: 'memory', input: false });
    try {
      const conn = await resolveConnection(wrong, 'dyn');
      await expect(resolveDynamicValues(wrong, record, dynamicSource(param('site'))!, { connection: conn })).rejects.toThrow(/HTTP 401/);
      const started = Date.now();
      await expect(
        resolveDynamicValues(ctx, record, dynamicSource(param('slow'))!, { connection: await resolveConnection(ctx, 'dyn'), timeoutMs: 300 }),
      ).rejects.toThrow();
      expect(Date.now() - started).toBeLessThan(4000);
    } finally {
      await wrong.close();
    }
  });
});

describe('pickValues', () => {
  it('the body itself as the list, strings as values; no list where the source says is an error', () => {
    expect(pickValues(['a', 'b', 'a'], { operationId: 'X', collection: [], valuePath: [] })).toEqual([{ value: 'a' }, { value: 'b' }]);
    expect(() => pickValues({ value: {} }, { operationId: 'X', collection: ['value'], valuePath: [] })).toThrow(/no list at 'value'/);
    // own properties only: a path through the prototype finds nothing
    expect(pickValues({ value: [{ id: 'x' }] }, { operationId: 'X', collection: ['value'], valuePath: ['constructor'] })).toEqual([]);
  });
});

describe('x-ms-dynamic-tree and itemIsParent', () => {
  const tree = {
    settings: { canSelectParentNodes: false, canSelectLeafNodes: true },
    open: { operationId: 'Roots', itemValuePath: 'path', itemTitlePath: 'name', itemIsParent: '(is_folder eq true)' },
    browse: {
      operationId: 'Children',
      itemsPath: 'value',
      itemValuePath: 'path',
      itemIsParent: '(is_folder eq true)',
      parameters: { folderId: { selectedItemValuePath: 'id' }, site: { parameter: 'site' } },
    },
  };

  it('reads open, browse (selectedItemValuePath: the value --parent takes) and settings', () => {
    const t = dynamicTree({ raw: { 'x-ms-dynamic-tree': tree }, schema: {} })!;
    expect(t.canSelectParents).toBe(false);
    expect(t.canSelectLeaves).toBe(true);
    expect(t.open).toMatchObject({ operationId: 'Roots', collection: [], valuePath: ['path'], isParent: '(is_folder eq true)', parentPath: ['id'] });
    expect(t.browse?.parameters).toEqual({ folderId: { selected: ['id'] }, site: { parameter: 'site', required: true } });
    expect(dynamicTree({ raw: { 'x-ms-dynamic-tree': { open: { builtInOperation: 'X' } } }, schema: {} })).toBeUndefined();
  });

  it('marks parents, with what --parent takes where it is not the value', () => {
    const t = dynamicTree({ raw: { 'x-ms-dynamic-tree': tree }, schema: {} })!;
    const body = [
      { path: '/a', name: 'A', is_folder: true, id: 'id-a' },
      { path: '/b.txt', name: 'b.txt', is_folder: false, id: 'id-b' },
    ];
    expect(pickValues(body, t.open)).toEqual([
      { value: '/a', title: 'A', isParent: true, parent: 'id-a' },
      { value: '/b.txt', title: 'b.txt' },
    ]);
  });

  it.each([
    ['true', {}, true],
    ['false', {}, false],
    ['(IsFolder eq true)', { IsFolder: true }, true],
    ['(IsFolder eq true)', { IsFolder: false }, false],
    ["Type ne 'file'", { Type: 'folder' }, true],
    ["Type eq 'it''s'", { Type: "it's" }, true],
    ['Meta/Kind eq 2', { Meta: { Kind: 2 } }, true],
    ['HasChildren', { HasChildren: 1 }, true],
    ['(IsFolder eq true) or (IsDrive eq true)', { IsDrive: true }, true],
    ['IsFolder eq true and Open eq true', { IsFolder: true, Open: false }, false],
    ['substringof(x, y)', { x: 1 }, false],
  ])('itemIsParent %s on %j is %s', (expr, item, expected) => {
    expect(isParentItem(expr, item)).toBe(expected);
  });
});

describe('Prompter.search narrows as the user types', () => {
  const choices = [
    { name: 'Human resources', value: 'hr' },
    { name: 'IT', value: 'it', description: 'tickets' },
  ];
  it('by name, value or description, any case; free text offered when it is no value', () => {
    expect(narrow(choices, undefined)).toEqual(choices);
    expect(narrow(choices, 'HUMAN').map((c) => c.value)).toEqual(['hr']);
    expect(narrow(choices, 'tick').map((c) => c.value)).toEqual(['it']);
    expect(narrow(choices, 'zz', true)).toEqual([{ name: 'Use "zz"', value: 'zz' }]);
    expect(narrow(choices, 'it', true).map((c) => c.value)).toEqual(['it']);
  });
});
