import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, tempHome } from '../helpers/cli.js';
import { recordingServer, type Seen } from './helpers.js';

// `connector run --paginate` against two loopback servers of our own: `api` (the connection's
// origin) and `other` (another port, so another origin). Each test sets the pages it serves.

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'paginate');
const KEY = 'page-secret-key-7';
const PASSWORD = 'basic-pass-word-3';
type Reply = { status?: number; headers?: Record<string, string>; body?: string };
let routes: Record<string, Reply | ((s: Seen) => Reply)> = {};
const answer = (s: Seen): Reply => {
  const r = routes[s.url];
  if (!r) return { status: 404, body: `{"error":"no page at ${s.url}"}` };
  return typeof r === 'function' ? r(s) : r;
};
let api: Awaited<ReturnType<typeof recordingServer>>;
let other: Awaited<ReturnType<typeof recordingServer>>;
let home: string;
const env = {
  CONNECTOR_HK_DEFAULT_API_KEY: KEY,
  CONNECTOR_QK_DEFAULT_API_KEY: KEY,
  CONNECTOR_BA_DEFAULT_USERNAME: 'alice',
  CONNECTOR_BA_DEFAULT_PASSWORD: PASSWORD,
};
const page = (o: unknown, headers?: Record<string, string>): Reply => ({ body: JSON.stringify(o), headers });

beforeAll(async () => {
  api = await recordingServer(answer);
  other = await recordingServer(answer);
  home = tempHome();
  for (const [file, name] of [
    ['header-key.swagger.json', 'hk'],
    ['query-key.swagger.json', 'qk'],
    ['basic.swagger.json', 'ba'],
  ]) {
    const r = await runCli(['import', join(FIXTURES, file), '--name', name], { home });
    expect(r.code, r.stderr).toBe(0);
  }
});
afterAll(async () => {
  await api.close();
  await other.close();
});
beforeEach(() => {
  api.seen.length = 0;
  other.seen.length = 0;
  routes = {};
});

const run = (args: string[], connector = 'hk') => runCli(['run', connector, ...args, '--base-url', api.url], { home, env });

/** Three pages: an absolute next link, then a relative one, then none. */
function threePages() {
  routes = {
    '/items': page({ value: [{ id: 1 }, { id: 2 }], nextLink: `${api.url}/items?page=2` }),
    '/items?page=2': page({ value: [{ id: 3 }], nextLink: 'items?page=3' }),
    '/items?page=3': page({ value: [{ id: 4 }], nextLink: null }),
  };
}

describe('run --paginate', () => {
  it('follows absolute and relative next links and prints the items of every page as one array (--json)', async () => {
    threePages();
    const r = await runCli(['--json', 'run', 'hk', 'ListItems', '--paginate', '--base-url', api.url], { home, env });
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(JSON.parse(r.stdout)).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }, { id: 4 }]);
    expect(api.seen.map((s) => [s.method, s.url, s.headers['x-key']])).toEqual([
      ['GET', '/items', KEY],
      ['GET', '/items?page=2', KEY],
      ['GET', '/items?page=3', KEY],
    ]);
  });

  it('@odata.nextLink and itemName; the link goes back byte for byte (an opaque $skiptoken)', async () => {
    routes = {
      '/odata': page({ records: [{ id: 1 }], '@odata.nextLink': '/odata?$skiptoken=a%2Bb+c&$top=1' }),
      '/odata?$skiptoken=a%2Bb+c&$top=1': page({ records: [{ id: 2 }] }),
    };
    const r = await run(['ListOdata', '--paginate', '--format', 'json']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(JSON.parse(r.stdout)).toEqual([{ id: 1 }, { id: 2 }]);
    expect(api.seen.map((s) => s.url)).toEqual(['/odata', '/odata?$skiptoken=a%2Bb+c&$top=1']);
  });

  it('--format ndjson: one item a line; yaml and auto (piped: indented JSON) the whole array', async () => {
    threePages();
    const nd = await run(['ListItems', '--paginate', '--format', 'ndjson']);
    expect([nd.code, nd.stdout]).toEqual([0, '{"id":1}\n{"id":2}\n{"id":3}\n{"id":4}\n']);
    const y = await run(['ListItems', '--paginate', '--format', 'yaml']);
    expect(y.stdout).toBe('- id: 1\n- id: 2\n- id: 3\n- id: 4\n');
    const auto = await run(['ListItems', '--paginate']);
    expect(auto.stdout).toBe(`${JSON.stringify([{ id: 1 }, { id: 2 }, { id: 3 }, { id: 4 }], null, 2)}\n`);
  });

  it('--query selects from the concatenated array; -o writes it (as ndjson too)', async () => {
    threePages();
    const q = await runCli(['run', 'hk', 'ListItems', '--paginate', '--base-url', api.url, '--query', '$[*].id'], { home, env });
    expect([q.code, q.stdout]).toEqual([0, '1\n2\n3\n4\n']);
    const dir = mkdtempSync(join(tmpdir(), 'paginate-'));
    const o = await run(['ListItems', '--paginate', '-o', join(dir, 'items.json')]);
    expect(o.code, o.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'items.json'), 'utf8'))).toHaveLength(4);
    expect(o.stderr).toContain('4 items from 3 pages');
    await run(['ListItems', '--paginate', '--format', 'ndjson', '-o', join(dir, 'items.ndjson')]);
    expect(readFileSync(join(dir, 'items.ndjson'), 'utf8')).toBe('{"id":1}\n{"id":2}\n{"id":3}\n{"id":4}\n');
  });

  it('--max-pages N stops there, saying more pages exist; N must be a whole number ≥ 1 (exit 2, nothing sent)', async () => {
    threePages();
    const r = await run(['ListItems', '--paginate', '--max-pages', '2', '--format', 'ndjson']);
    expect([r.code, r.stdout, r.stderr]).toEqual([0, '{"id":1}\n{"id":2}\n{"id":3}\n', 'stopped after 2 pages (--max-pages 2): more pages exist\n']);
    expect(api.seen).toHaveLength(2);
    api.seen.length = 0;
    for (const bad of ['0', '-1', '1.5', 'ten', '']) {
      const b = await run(['ListItems', '--paginate', '--max-pages', bad]);
      expect([b.code, b.stderr.split('\n')[0]]).toEqual([2, `connector: --max-pages must be a whole number of at least 1, got '${bad}'`]);
    }
    expect(api.seen).toHaveLength(0);
  });

  it('a next link already fetched is a loop: stops with a warning, exit 0', async () => {
    routes = {
      '/items': page({ value: [{ id: 1 }], nextLink: '/items?page=2' }),
      '/items?page=2': page({ value: [{ id: 2 }], nextLink: `${api.url}/items` }),
    };
    const r = await run(['ListItems', '--paginate', '--format', 'ndjson']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('{"id":1}\n{"id":2}\n');
    expect(r.stderr).toBe(`warning: the next link of page 2 repeats a page already fetched (${api.url}/items): stopped after 2 pages\n`);
    expect(api.seen).toHaveLength(2);
  });

  it('a failing later page: what was gathered is printed, then its status; exit as run (1; 4 for 401; --no-fail 0); -o not written', async () => {
    routes = {
      '/items': page({ value: [{ id: 1 }], nextLink: '/items?page=2' }),
      '/items?page=2': { status: 500, body: '{"error":"boom"}' },
    };
    const r = await run(['ListItems', '--paginate', '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual([{ id: 1 }]);
    expect(r.stderr).toMatch(/^page 2: HTTP 500 Internal Server Error \(\d+ ms\); stopped after 1 page\n\{"error":"boom"\}\n$/);
    const nofail = await run(['ListItems', '--paginate', '--no-fail']);
    expect(nofail.code).toBe(0);
    routes['/items?page=2'] = { status: 401, body: '{}' };
    expect((await run(['ListItems', '--paginate'])).code).toBe(4);
    const file = join(mkdtempSync(join(tmpdir(), 'paginate-')), 'items.json');
    const o = await run(['ListItems', '--paginate', '-o', file]);
    expect([o.code, existsSync(file)]).toEqual([4, false]);
  });

  it('a failing first page is printed as any run prints its response', async () => {
    routes = { '/items': { status: 404, body: '{"error":"missing"}' } };
    const r = await run(['ListItems', '--paginate']);
    expect([r.code, r.stdout]).toEqual([1, '{"error":"missing"}']);
    expect(r.stderr).toMatch(/^HTTP 404 Not Found/);
  });

  it('a POST pageable operation: the body goes with the first request only; next pages are GETs', async () => {
    routes = {
      '/things': page({ value: [{ id: 1 }], nextLink: '/things?page=2' }),
      '/things?page=2': page({ value: [{ id: 2 }] }),
    };
    const r = await run(['SearchThings', '--paginate', '--body', '{"q":"x"}', '--format', 'ndjson']);
    expect(r.stdout).toBe('{"id":1}\n{"id":2}\n');
    expect(api.seen.map((s) => [s.method, s.url, s.body.toString(), s.headers['content-type']])).toEqual([
      ['POST', '/things', '{"q":"x"}', 'application/json'],
      ['GET', '/things?page=2', '', undefined],
    ]);
  });

  it('nextLinkName null: one page, nothing followed', async () => {
    routes = { '/single': page({ value: [{ id: 9 }], nextLink: '/elsewhere' }) };
    const r = await run(['ListSingle', '--paginate', '--format', 'ndjson']);
    expect([r.code, r.stdout, r.stderr]).toEqual([0, '{"id":9}\n', '']);
    expect(api.seen).toHaveLength(1);
  });

  it('an operation that is not x-ms-pageable: follows a Link rel="next" header (top-level arrays), with a warning', async () => {
    routes = {
      '/plain': page([{ id: 1 }], { link: `<${api.url}/plain?p=2>; rel="next", <${api.url}/plain?p=9>; rel="last"` }),
      '/plain?p=2': page([{ id: 2 }], { link: `<${api.url}/plain>; rel="prev first"` }),
    };
    const r = await run(['ListPlain', '--paginate', '--format', 'ndjson']);
    expect([r.code, r.stdout]).toEqual([0, '{"id":1}\n{"id":2}\n']);
    expect(r.stderr).toBe('warning: ListPlain is not x-ms-pageable: following nextLink or @odata.nextLink in the body, else a Link rel="next" header\n');
  });

  it('a page that is not a list stops with one line (exit 1) after printing what was gathered', async () => {
    routes = {
      '/items': page({ value: [{ id: 1 }], nextLink: '/items?page=2' }),
      '/items?page=2': page({ items: [] }),
    };
    const r = await run(['ListItems', '--paginate', '--format', 'ndjson']);
    expect([r.code, r.stdout]).toEqual([1, '{"id":1}\n']);
    expect(r.stderr.split('\n')[0]).toBe("connector: page 2 of ListItems has no 'value' array (x-ms-pageable itemName)");
  });

  it('--validate checks every page against the response schema', async () => {
    routes = {
      '/items': page({ value: [{ id: 1 }], nextLink: '/items?page=2' }),
      '/items?page=2': page({ value: [{ name: 'no id' }] }),
    };
    const r = await run(['ListItems', '--paginate', '--validate', '--format', 'ndjson']);
    expect([r.code, r.stdout]).toEqual([1, '{"id":1}\n{"name":"no id"}\n']);
    expect(r.stderr).toBe('page 2 does not match the ListItems response schema:\n  /value/0/id: is required, but missing\n');
    routes['/items?page=2'] = page({ value: [{ id: 2 }] });
    const ok = await run(['ListItems', '--paginate', '--validate']);
    expect([ok.code, ok.stderr]).toEqual([0, 'every page matches the schema\n']);
  });

  it('items that echo the credential are masked on stdout unless --show-secrets', async () => {
    routes = { '/items': page({ value: [{ id: 1, note: `key ${KEY}` }] }) };
    expect((await run(['ListItems', '--paginate', '--format', 'ndjson'])).stdout).toBe('{"id":1,"note":"key ***"}\n');
    expect((await run(['ListItems', '--paginate', '--format', 'ndjson', '--show-secrets'])).stdout).toBe(`{"id":1,"note":"key ${KEY}"}\n`);
  });
});

describe('run --paginate: credentials only to the first origin', () => {
  function crossPages() {
    routes = {
      '/items': page({ value: [{ id: 1 }], nextLink: `${other.url}/items?page=2&code=${KEY}&keep=1` }),
      '/items?page=2&code=page-secret-key-7&keep=1': page({ value: [{ id: 2 }] }),
      '/items?page=2&keep=1': page({ value: [{ id: 2 }] }),
    };
  }

  it('a next link to another origin is refused (exit 1, one line naming it) unless --allow-cross-origin; nothing reaches it', async () => {
    crossPages();
    const r = await run(['ListItems', '--paginate', '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual([{ id: 1 }]);
    expect(r.stderr.split('\n')[0]).toBe(`connector: refusing to follow the next link of page 1 to another origin, ${other.url}`);
    expect(other.seen).toHaveLength(0);
  });

  it('with --allow-cross-origin it is fetched without the API key header, -H headers or cookies', async () => {
    crossPages();
    const r = await run([
      'ListItems',
      '--paginate',
      '--allow-cross-origin',
      '--format',
      'ndjson',
      '-H',
      'Cookie: session=s3cr3t-cookie',
      '-H',
      'Accept-Language: fr',
    ]);
    expect([r.code, r.stdout]).toEqual([0, '{"id":1}\n{"id":2}\n']);
    expect(r.stderr).toContain(`warning: following the next link to ${other.url} without the connection's credentials (--allow-cross-origin)`);
    expect(api.seen[0].headers['x-key']).toBe(KEY);
    expect(api.seen[0].headers.cookie).toBe('session=s3cr3t-cookie');
    const there = other.seen[0];
    // The link's own query, minus the parameter named like the API key and any secret value.
    expect(there.url).toBe('/items?page=2&keep=1');
    expect(there.headers['x-key']).toBeUndefined();
    expect(there.headers.cookie).toBeUndefined();
    expect(there.headers['accept-language']).toBe('fr');
    expect(JSON.stringify(there.headers)).not.toContain(KEY);
  });

  it('basic auth: Authorization goes to the first origin only', async () => {
    crossPages();
    const r = await run(['ListItems', '--paginate', '--allow-cross-origin'], 'ba');
    expect(r.code, r.stderr).toBe(0);
    expect(api.seen[0].headers.authorization).toBe(`Basic ${Buffer.from(`alice:${PASSWORD}`).toString('base64')}`);
    expect(other.seen[0].headers.authorization).toBeUndefined();
  });

  it('a query API key: added to a same-origin link that lacks it, stripped from another origin', async () => {
    routes = {
      [`/items?code=${KEY}`]: page({ value: [{ id: 1 }], nextLink: '/items?page=2' }),
      [`/items?page=2&code=${KEY}`]: page({ value: [{ id: 2 }], nextLink: `${other.url}/items?page=3&code=${KEY}` }),
      '/items?page=3': page({ value: [{ id: 3 }] }),
    };
    const r = await run(['ListItems', '--paginate', '--allow-cross-origin', '--format', 'ndjson'], 'qk');
    expect([r.code, r.stdout], r.stderr).toEqual([0, '{"id":1}\n{"id":2}\n{"id":3}\n']);
    expect(api.seen.map((s) => s.url)).toEqual([`/items?code=${KEY}`, `/items?page=2&code=${KEY}`]);
    expect(other.seen.map((s) => s.url)).toEqual(['/items?page=3']);
  });
});

describe('run without --paginate, and what goes with it', () => {
  it('a pageable response with a next link says so on stderr in one line', async () => {
    threePages();
    const r = await run(['ListItems']);
    expect([r.code, r.stderr]).toEqual([0, 'more pages exist: add --paginate (x-ms-pageable nextLink)\n']);
    expect(JSON.parse(r.stdout).value).toHaveLength(2);
    routes['/odata'] = page({ records: [], '@odata.nextLink': '/odata?p=2' });
    expect((await run(['ListOdata', '--json'])).stderr).toBe('more pages exist: add --paginate (x-ms-pageable @odata.nextLink)\n');
  });

  it('no hint on the last page, for a non-pageable operation, or for nextLinkName null', async () => {
    routes = {
      '/items': page({ value: [], nextLink: '' }),
      '/plain': page({ value: [], nextLink: '/plain?p=2' }),
      '/single': page({ value: [], nextLink: '/single?p=2' }),
    };
    for (const op of ['ListItems', 'ListPlain', 'ListSingle']) expect((await run([op])).stderr).toBe('');
  });

  it('--dry-run --paginate prints the first request only, saying so', async () => {
    const r = await run(['ListItems', '--paginate', '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`curl '${api.url}/items'`);
    expect(r.stderr).toBe('--paginate: this is the first request only; the next ones are GETs of the links the pages give\n');
    expect(api.seen).toHaveLength(0);
  });

  it('usage mistakes are exit 2 before anything is sent', async () => {
    const cases: [string[], string][] = [
      [['--max-pages', '3'], 'connector: --max-pages goes with --paginate'],
      [['--allow-cross-origin'], 'connector: --allow-cross-origin goes with --paginate'],
      [['--format', 'ndjson'], 'connector: --format ndjson goes with --paginate'],
      [['--paginate', '-i'], 'connector: --paginate and -i/--include do not go together'],
      [['--paginate', '--format', 'raw'], 'connector: --paginate and --format raw do not go together'],
      [['--paginate', '--format', 'ndjson', '--query', '$[0]'], 'connector: --query and --format ndjson do not go together'],
    ];
    for (const [args, line] of cases) {
      const r = await run(['ListItems', ...args]);
      expect([r.code, r.stderr.split('\n')[0]]).toEqual([2, line]);
    }
    expect(api.seen).toHaveLength(0);
  });
});
