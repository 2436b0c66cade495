import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, tempHome, failure } from '../helpers/cli.js';
import { HttpClient } from '../../src/http/client.js';
import { validateDefinition } from '../../src/spec/validate.js';

/**
 * Issue 15, finding 1: a spec's $refs may inline files from the spec's own folder only (real
 * paths, no symlink out), http(s) $refs only with --allow-remote-refs and never from a loopback,
 * private, link-local, unique-local or IPv4-mapped address (checked on the address actually
 * connected to), and import lists what it bundled. Finding 10 (last part): `import <url>` says
 * on stderr where a redirect took it and carries no credential to another origin.
 */
const SPECS = join(import.meta.dirname, '..', '..', 'fixtures', 'specs');
const SECRET = 'AWS-SECRET-KEY-7c1e';
const petstore = () => JSON.parse(readFileSync(join(SPECS, 'petstore.swagger.json'), 'utf8'));
const schema = { type: 'object', 'x-ms-summary': 'Common', properties: { id: { type: 'string' } } };

let scratch: string;
let secretFile: string;

/** A server on 127.0.0.1 that records what it was asked. */
interface Api {
  server: Server;
  port: number;
  url: string;
  seen: { url: string; headers: IncomingHttpHeaders }[];
}
const apis: Api[] = [];
async function serve(routes: Record<string, (res: import('node:http').ServerResponse) => void>): Promise<Api> {
  const seen: Api['seen'] = [];
  const server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    const route = routes[req.url ?? ''];
    if (route) route(res);
    else res.writeHead(404, 'Not Found').end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const api = { server, port, url: `http://127.0.0.1:${port}`, seen };
  apis.push(api);
  return api;
}
const json = (v: unknown) => (res: import('node:http').ServerResponse) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(v));

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'connector-refs-'));
  const outside = mkdtempSync(join(tmpdir(), 'connector-refs-outside-'));
  secretFile = join(outside, 'credentials.json');
  writeFileSync(secretFile, JSON.stringify({ aws_secret_access_key: SECRET }));
});
afterAll(async () => {
  rmSync(scratch, { recursive: true, force: true });
  for (const a of apis) {
    a.server.closeAllConnections();
    await new Promise<void>((r) => a.server.close(() => r()));
  }
});

/** A spec folder whose definition has `x-data: { $ref }`, plus schemas/common.json. */
function specWithRef(ref: string): { dir: string; file: string } {
  const dir = mkdtempSync(join(scratch, 'spec-'));
  mkdirSync(join(dir, 'schemas'));
  writeFileSync(join(dir, 'schemas', 'common.json'), JSON.stringify(schema));
  const file = join(dir, 'api.swagger.json');
  writeFileSync(file, JSON.stringify({ ...petstore(), 'x-data': { $ref: ref } }));
  return { dir, file };
}

async function expectRefused(args: string[], pattern: RegExp) {
  const home = tempHome();
  const r = await runCli(args, { home });
  expect(r.stdout).toBe('');
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines[0]).toMatch(/^connector: /);
  expect(lines[0]).toMatch(pattern);
  expect(lines.length).toBeLessThanOrEqual(2);
  expect(r.stderr).not.toContain(SECRET);
  expect(r.code).toBe(2);
  expect(JSON.parse((await runCli(['list', '--json'], { home })).stdout)).toEqual([]);
  return r;
}

describe('file $refs stay inside the spec folder', () => {
  it('an absolute path, a file:// URL and ../ out of the folder are refused', async () => {
    await expectRefused(['import', specWithRef(secretFile).file], /external \$ref '.*credentials\.json' at #\/x-data is outside the spec's folder .*; refused/);
    await expectRefused(['import', specWithRef(`file://${secretFile}`).file], /external \$ref '.*credentials\.json' at #\/x-data is outside the spec's folder/);
    await expectRefused(['import', specWithRef('/etc/passwd').file], /external \$ref '\/etc\/passwd' at #\/x-data is outside the spec's folder/);
    const rel = join('..', '..', '..', '..', '..', '..', '..', '..', secretFile);
    await expectRefused(['import', specWithRef(rel).file], /external \$ref '.*credentials\.json' at #\/x-data is outside the spec's folder/);
  });

  it('a path outside the folder by its name is refused before it is touched (a missing one is not "no such file")', async () => {
    await expectRefused(
      ['import', specWithRef('/nonexistent-connector-dir/x.json').file],
      /external \$ref '\/nonexistent-connector-dir\/x\.json' at #\/x-data is outside the spec's folder/,
    );
  });

  it('a symlink inside the folder that leads out of it is refused', async () => {
    const { dir, file } = specWithRef('./schemas/link.json');
    symlinkSync(secretFile, join(dir, 'schemas', 'link.json'));
    await expectRefused(['import', file], /external \$ref '.*schemas\/link\.json' at #\/x-data is outside the spec's folder/);
  });

  it('a spec saved in a home folder cannot reach its hidden files, nor any file that is not JSON or YAML', async () => {
    const { dir, file } = specWithRef('./.ssh/id_rsa.json');
    mkdirSync(join(dir, '.ssh'));
    writeFileSync(join(dir, '.ssh', 'id_rsa.json'), JSON.stringify({ key: SECRET }));
    await expectRefused(['import', file], /external \$ref '.*\.ssh\/id_rsa\.json' at #\/x-data is a hidden file or in a hidden folder; refused/);
    const other = specWithRef('./notes.txt');
    writeFileSync(join(other.dir, 'notes.txt'), SECRET);
    await expectRefused(['import', other.file], /external \$ref '.*notes\.txt' at #\/x-data is not a \.json, \.yaml or \.yml file; refused/);
  });

  it('a file a $ref reads is parsed by ours: a YAML alias bomb in it is refused at once, deep JSON in it is a depth error', async () => {
    const { dir, file } = specWithRef('./schemas/bomb.yaml');
    const bomb = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++)
      bomb.push(
        `a${i}: &a${i} [${Array(10)
          .fill(`*a${i - 1}`)
          .join(', ')}]`,
      );
    writeFileSync(join(dir, 'schemas', 'bomb.yaml'), `${bomb.join('\n')}\ntype: string\n`);
    const home = tempHome();
    const started = Date.now();
    const r = await runCli(['import', file], { home });
    expect(Date.now() - started).toBeLessThan(10_000); // it ran for minutes, past SIGTERM
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n')[0]).toMatch(/schemas\/bomb\.yaml: YAML uses too many aliases .*alias bomb$/);
    const deep = specWithRef('./schemas/deep.json');
    writeFileSync(join(deep.dir, 'schemas', 'deep.json'), `${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`);
    await expectRefused(['import', deep.file], /schemas\/deep\.json: nested more than 256 levels deep/);
  });

  it('a FIFO or a device is refused at once', async () => {
    const { dir, file } = specWithRef('./schemas/pipe.json');
    execFileSync('mkfifo', [join(dir, 'schemas', 'pipe.json')]);
    await expectRefused(['import', file], /schemas\/pipe\.json: is not a regular file \(a FIFO\)/);
  });

  it('a file in the folder is bundled, and import lists it on stderr', async () => {
    const home = tempHome();
    const r = await runCli(['import', specWithRef('./schemas/common.json').file], { home });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^Bundled external \$ref schemas\/common\.json$/m);
    const doc = await runCli(['export', 'petstore'], { home });
    expect(doc.stdout).toContain('x-ms-summary: Common');
  });
});

describe('http(s) $refs: only with --allow-remote-refs, never from a private address', () => {
  let api: Api;
  beforeAll(async () => {
    api = await serve({ '/common.json': json(schema), '/spec.json': json({ ...petstore(), 'x-data': { $ref: './common.json' } }) });
  });

  it('without the flag an http $ref is refused, and nothing is fetched', async () => {
    const before = api.seen.length;
    const r = await expectRefused(
      ['import', specWithRef(`${api.url}/common.json`).file],
      /external \$ref 'http:\/\/127\.0\.0\.1:\d+\/common\.json' at #\/x-data is a remote URL/,
    );
    expect(r.stderr).toMatch(/--allow-remote-refs/);
    expect(api.seen.length).toBe(before);
  });

  it.each([
    [
      'localhost (a name that resolves to loopback)',
      (p: number) => `http://localhost:${p}/common.json`,
      /external \$ref 'http:\/\/localhost:\d+\/common\.json' at #\/x-data: localhost resolves to (127\.0\.0\.1|::1), a loopback address/,
    ],
    ['the literal 127.0.0.1', (p: number) => `http://127.0.0.1:${p}/common.json`, /127\.0\.0\.1 is a loopback address/],
    [
      'an IPv4-mapped IPv6 address',
      (p: number) => `http://[::ffff:127.0.0.1]:${p}/common.json`,
      /::ffff:7f00:1 is an IPv4-mapped address|::ffff:127\.0\.0\.1 is an IPv4-mapped address/,
    ],
    ['IPv6 loopback', (p: number) => `http://[::1]:${p}/common.json`, /::1 is a loopback address/],
  ])('with the flag, %s is refused before connecting', async (_what, ref, pattern) => {
    const before = api.seen.length;
    await expectRefused(['import', specWithRef(ref(api.port)).file, '--allow-remote-refs'], pattern);
    expect(api.seen.length).toBe(before);
  });

  it('a spec fetched from the loopback address the user named may $ref that same host; the URL is listed', async () => {
    const home = tempHome();
    const r = await runCli(['import', `${api.url}/spec.json`, '--allow-remote-refs'], { home });
    expect(r.stderr).toMatch(new RegExp(`^Bundled external \\$ref ${api.url}/common\\.json$`, 'm'));
    expect(r.code).toBe(0);
  });

  it('but a redirect from there to another host is checked again, and refused', async () => {
    const other = await serve({});
    const hop = await serve({
      '/spec.json': json({ ...petstore(), 'x-data': { $ref: './hop.json' } }),
      '/hop.json': (res) => res.writeHead(302, { location: `http://localhost:${other.port}/common.json` }).end(),
    });
    const r = await runCli(['import', `${hop.url}/spec.json`, '--allow-remote-refs'], { home: tempHome() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^connector: followed redirect to http://localhost:${other.port}\n`));
    expect(r.stderr).toMatch(/^connector: .*localhost resolves to (127\.0\.0\.1|::1), a loopback address/m);
    expect(other.seen).toEqual([]);
  });
});

describe('remote $refs through the DNS seam: the address checked is the address connected to', () => {
  const withRefs = (...refs: string[]) => ({ ...petstore(), 'x-data': Object.fromEntries(refs.map((r, i) => [`r${i}`, { $ref: r }])) });
  /** Tests only: 127.0.0.1 stands for a public address; every other answer is checked as usual. */
  const blockedUnless127 = (address: string, real: (a: string) => string | undefined) => (address === '127.0.0.1' ? undefined : real(address));

  it('a name resolving to an allowed address is fetched from that address and listed', async () => {
    const api = await serve({ '/common.json': json(schema) });
    const { defaultRefNet } = await import('../../src/spec/refs-net.js');
    const http = new HttpClient({ env: {} });
    const asked: string[] = [];
    const net = {
      resolve: async (host: string) => (asked.push(host), [{ address: '127.0.0.1', family: 4 }]),
      blocked: (a: string) => blockedUnless127(a, defaultRefNet.blocked),
    };
    try {
      const v = await validateDefinition(withRefs(`http://api.example.test:${api.port}/common.json`), {
        file: 'spec.json',
        refBase: join(scratch, 'spec.json'),
        http,
        allowRemoteRefs: true,
        refNet: net,
      });
      expect(JSON.stringify(v.definition)).toContain('"x-ms-summary":"Common"');
      expect(v.bundled).toEqual([`http://api.example.test:${api.port}/common.json`]);
      expect(asked).toEqual(['api.example.test']);
      expect(api.seen[0].headers.host).toBe(`api.example.test:${api.port}`);
    } finally {
      await http.close();
    }
  });

  it('DNS rebinding: every connection is resolved and checked once, so a second answer of 169.254.169.254 is refused', async () => {
    const api = await serve({ '/a.json': json(schema), '/b.json': json(schema) });
    const { defaultRefNet } = await import('../../src/spec/refs-net.js');
    const http = new HttpClient({ env: {} });
    const answers = ['127.0.0.1', '169.254.169.254'];
    let calls = 0;
    const net = {
      resolve: async () => [{ address: answers[Math.min(calls++, 1)], family: 4 }],
      blocked: (a: string) => blockedUnless127(a, defaultRefNet.blocked),
    };
    try {
      const msg = await failure(
        validateDefinition(withRefs(`http://rebind.example.test:${api.port}/a.json`, `http://rebind.example.test:${api.port}/b.json`), {
          file: 'spec.json',
          refBase: join(scratch, 'spec.json'),
          http,
          allowRemoteRefs: true,
          refNet: net,
        }),
      );
      expect(msg).toMatch(/rebind\.example\.test resolves to 169\.254\.169\.254, a link-local address/);
      expect(calls).toBe(2);
      expect(api.seen.map((s) => s.url)).not.toContain('/b.json');
    } finally {
      await http.close();
    }
  });

  it('through a proxy the name is checked before the request: localhost never reaches the proxy', async () => {
    const proxy = await serve({});
    const http = new HttpClient({ env: { HTTP_PROXY: proxy.url } });
    try {
      const msg = await failure(
        validateDefinition(withRefs('http://localhost:8/common.json'), { file: 'spec.json', refBase: join(scratch, 'spec.json'), http, allowRemoteRefs: true }),
      );
      expect(msg).toMatch(/localhost resolves to (127\.0\.0\.1|::1), a loopback address/);
      expect(proxy.seen).toEqual([]);
    } finally {
      await http.close();
    }
  });

  it.each([
    ['10.1.2.3', 'private'],
    ['192.168.0.7', 'private'],
    ['172.16.4.4', 'private'],
    ['100.64.0.1', 'private'],
    ['0.0.0.0', 'unspecified'],
    ['fd00::1', 'unique-local'],
    ['fe80::1', 'link-local'],
    ['::ffff:10.0.0.1', 'IPv4-mapped'],
    ['::', 'unspecified'],
  ])('%s is refused (%s)', async (address, kind) => {
    const { defaultRefNet } = await import('../../src/spec/refs-net.js');
    expect(defaultRefNet.blocked(address)).toBe(kind);
  });

  it.each(['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'])('the public address %s is allowed', async (address) => {
    const { defaultRefNet } = await import('../../src/spec/refs-net.js');
    expect(defaultRefNet.blocked(address)).toBeUndefined();
  });
});

describe('import <url>: redirects are told, credentials stay with their origin', () => {
  it('a redirect to another origin is said on stderr; cookies set by the first origin are not sent to the second', async () => {
    const target = await serve({ '/spec.json': json(petstore()) });
    const first = await serve({
      '/spec.json': (res) => res.writeHead(302, { location: `http://localhost:${target.port}/spec.json`, 'set-cookie': 'session=COOKIE-SECRET; Path=/' }).end(),
    });
    const r = await runCli(['import', `${first.url}/spec.json`], { home: tempHome() });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`^connector: followed redirect to http://localhost:${target.port}$`, 'm'));
    expect(target.seen).toHaveLength(1);
    expect(target.seen[0].headers.cookie).toBeUndefined();
    expect(target.seen[0].headers.authorization).toBeUndefined();
  });
});
