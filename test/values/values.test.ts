import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { runCli, tempHome } from '../helpers/cli.js';
import { FIXTURE, KEY, startExampleServer, type ExampleServer } from './example-server.js';

let api: ExampleServer;
let home: string;
const env = { CONNECTOR_DYN__DEFAULT__API_KEY: KEY };
const values = (...args: string[]) => runCli(['values', 'dyn', ...args, '--base-url', api.url], { home, env });

beforeAll(async () => {
  api = await startExampleServer();
  home = tempHome('connector-values-');
  const r = await runCli(['import', FIXTURE, '--name', 'dyn'], { home });
  expect(r.code, r.stderr).toBe(0);
});

afterAll(async () => {
  await api?.close();
  rmSync(home, { recursive: true, force: true });
});

describe('connector values: x-ms-dynamic-values and -list', () => {
  it('prints value and title as a table, calling the source with the connection’s key', async () => {
    const r = await values('GetItems', 'site');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')).toEqual(['VALUE  TITLE', 'hr     Human resources', 'it     IT', '']);
    expect(api.requests.at(-1)).toBe('GET /sites');
  });

  it('--json: an array of { value, title }; --query selects from it', async () => {
    const r = await values('GetItems', 'site', '--json');
    expect(JSON.parse(r.stdout)).toEqual([
      { value: 'hr', title: 'Human resources' },
      { value: 'it', title: 'IT' },
    ]);
    const q = await values('GetItems', 'site', '--query', '$[*].value');
    expect(q.stdout).toBe('hr\nit\n');
  });

  it('a { "parameter": … } reference takes the -p value; the parameter is found by its x-ms-summary slug too', async () => {
    const r = await values('getitems', 'list-name', '-p', 'site=hr', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([
      { value: 'l1', title: 'Holidays' },
      { value: 'l2', title: 'Payroll' },
    ]);
    expect(api.requests.at(-1)).toBe('GET /sites/hr/lists');
  });

  it('a reference is met by -p body.<name> too; a -p no source input takes is warned about, not silently dropped', async () => {
    const r = await values('getitems', 'list-name', '-p', 'body.site=hr', '-p', 'bogus=1', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(api.requests.at(-1)).toBe('GET /sites/hr/lists');
    expect(r.stderr).toBe("warning: -p bogus is not an input of list's values (they take: site); ignored\n");
  });

  it('--json items always have a title (the value where the source gives none)', async () => {
    const r = await values('GetItems', 'folder', '--json');
    expect(r.code, r.stderr).toBe(0);
    const items = JSON.parse(r.stdout) as { value: string; title?: string }[];
    expect(items.length).toBeGreaterThan(0);
    for (const v of items) expect(typeof v.title).toBe('string');
  });

  it('x-ms-dynamic-list: itemsPath, parameterReference and a fixed value', async () => {
    const r = await values('GetItems', 'TAG', '-p', 'site=it', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([
      { value: 'urgent', title: 'Urgent' },
      { value: 'later', title: 'Later' },
    ]);
    expect(api.requests.at(-1)).toBe('GET /tags?site=it&kind=all');
  });

  it('a body property with dynamic values: body.<path>, the body parameter’s name, or the bare path', async () => {
    for (const name of ['body.owner.list', 'item.owner.list', 'owner.list', 'owner-list']) {
      const r = await values('CreateItem', name, '-p', 'site=hr', '--json');
      expect(r.code, `${name}: ${r.stderr}`).toBe(0);
      expect(JSON.parse(r.stdout).map((v: { value: string }) => v.value)).toEqual(['l1', 'l2']);
    }
  });
});

describe('connector values: x-ms-dynamic-tree, one level per call', () => {
  it('the top level, parents marked with what --parent takes (selectedItemValuePath)', async () => {
    const r = await values('GetItems', 'folder');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n')).toEqual(['VALUE       TITLE      PARENT', '/Documents  Documents  --parent f-docs', '/README.md  README.md', '']);
    const j = await values('GetItems', 'folder', '--json');
    expect(JSON.parse(j.stdout)).toEqual([
      { value: '/Documents', title: 'Documents', isParent: true, parent: 'f-docs' },
      { value: '/README.md', title: 'README.md' },
    ]);
  });

  it('--parent lists the children through the browse operation', async () => {
    const r = await values('GetItems', 'folder', '--parent', 'f-docs', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([
      { value: '/Documents/2026', title: '2026', isParent: true, parent: 'f-2026' },
      { value: '/Documents/plan.docx', title: 'plan.docx' },
    ]);
    expect(api.requests.at(-1)).toBe('GET /folders/f-docs/children');
  });

  it('--parent on a flat list is a usage error', async () => {
    const r = await values('GetItems', 'site', '--parent', 'x');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^connector: --parent is for a tree/);
  });
});

describe('connector values: mistakes and failures, one line each', () => {
  const line = (stderr: string) => stderr.split('\n')[0];

  it('a missing referenced parameter is exit 2 naming it, and nothing is called', async () => {
    const before = api.requests.length;
    const r = await values('GetItems', 'list');
    expect(r.code).toBe(2);
    expect(line(r.stderr)).toBe("connector: the values of this parameter depend on 'site'");
    expect(r.stderr).toContain('-p site=<value>');
    expect(api.requests.length).toBe(before);
  });

  it('a parameter without dynamic values, and an unknown one: exit 2, listing those that have them', async () => {
    const r = await values('GetItems', 'status');
    expect(r.code).toBe(2);
    expect(line(r.stderr)).toBe("connector: parameter 'status' of GetItems has no dynamic values (no x-ms-dynamic-values, -list or -tree)");
    expect(r.stderr).toContain('site, list, tag, folder');
    const u = await values('GetItems', 'sight');
    expect(u.code).toBe(2);
    expect(u.stderr.split('\n')[0]).toBe("connector: operation 'GetItems' has no parameter or body property 'sight' with dynamic values");
  });

  it('a built-in operation of the platform: exit 1 saying it cannot be called here', async () => {
    const r = await values('GetItems', 'user');
    expect(r.code).toBe(1);
    expect(line(r.stderr)).toBe(
      "connector: user of GetItems: its values come from the platform's built-in operation AadGraph.GetUsers, which cannot be called outside Power Platform",
    );
  });

  it.each([
    ['broken', 'connector: Broken answered HTTP 500'],
    ['text', 'connector: PlainText did not answer JSON'],
    ['nolist', "connector: NoList: no list at 'value' in the response"],
  ])('%s: exit 1, one line', async (name, message) => {
    const r = await values('GetItems', name);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(message);
    expect(r.stdout).toBe('');
  });

  it('--json: the error is the one JSON document', async () => {
    const r = await values('GetItems', 'broken', '--json');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual({ error: { message: 'Broken answered HTTP 500', code: 'failure', exitCode: 1 } });
  });
});
