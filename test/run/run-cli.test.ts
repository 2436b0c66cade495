import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, tempHome } from '../helpers/cli.js';
import { FIXTURES, recordingServer } from './helpers.js';

const KEY = 'cli-secret-key-9';
let home: string;
let env: NodeJS.ProcessEnv;
let server: Awaited<ReturnType<typeof recordingServer>>;

beforeAll(async () => {
  server = await recordingServer((req) => {
    if (req.headers['x-key'] !== KEY) return { status: 401, body: '{"error":"no key"}' };
    if (req.url === '/things/404') return { status: 404, body: '{"error":"missing"}' };
    if (req.url === '/things/7') return { body: '{"id":7,"name":7}' };
    if (req.url === '/things/8') return { body: '' };
    if (req.url === '/image') return { headers: { 'content-type': 'image/png' }, body: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2]) };
    if (req.method === 'POST') return { status: 201, body: req.body };
    return { body: '{"id":1,"name":"one"}' };
  });
  home = tempHome();
  const imp = await runCli(['import', join(FIXTURES, 'cli.swagger.json'), '--name', 'things'], { home });
  expect(imp.code, imp.stderr).toBe(0);
  env = { CONNECTOR_THINGS_DEFAULT_API_KEY: KEY };
});
afterAll(() => server.close());

const run = (args: string[], extraEnv: NodeJS.ProcessEnv = {}, stdin?: string) =>
  runCli(['run', 'things', ...args, '--base-url', server.url], { home, env: { ...env, ...extraEnv }, stdin });

describe('connector run', () => {
  it('piped: the raw body on stdout, nothing on stderr, exit 0', async () => {
    const r = await run(['getthing', '-p', 'id=1']);
    expect([r.code, r.stdout, r.stderr]).toEqual([0, '{"id":1,"name":"one"}', '']);
    expect(server.seen.at(-1)!.headers['x-key']).toBe(KEY);
  });

  it('--json prints one document with status, headers and the parsed body', async () => {
    const r = await runCli(['--json', 'run', 'things', 'get-a-thing', '-p', 'id=1', '--base-url', server.url], { home, env });
    const doc = JSON.parse(r.stdout);
    expect(doc.status).toBe(200);
    expect(doc.body).toEqual({ id: 1, name: 'one' });
  });

  it('--format yaml and --include', async () => {
    const y = await run(['GetThing', '-p', 'id=1', '--format', 'yaml']);
    expect([y.code, y.stdout, y.stderr]).toEqual([0, 'id: 1\nname: one\n', '']);
    const i = await run(['GetThing', '-p', 'id=1', '-i']);
    expect(i.stdout).toMatch(/^HTTP 200 OK \(\d+ ms\)\ncontent-type: application\/json\n/);
    expect(i.stdout.endsWith('\n\n{"id":1,"name":"one"}')).toBe(true);
  });

  it('exit 1 on 404 (status line on stderr), 4 on 401, 0 with --no-fail', async () => {
    const nf = await run(['GetThing', '-p', 'id=404']);
    expect(nf.code).toBe(1);
    expect(nf.stderr).toMatch(/^HTTP 404 Not Found/);
    const auth = await run(['GetThing', '-p', 'id=1'], { CONNECTOR_THINGS_DEFAULT_API_KEY: 'wrong-key' });
    expect(auth.code).toBe(4);
    const nofail = await run(['GetThing', '-p', 'id=404', '--no-fail']);
    expect(nofail.code).toBe(0);
  });

  it('--body from stdin and from a file', async () => {
    const a = await run(['CreateThing', '--body', '-'], {}, '{"a":1}');
    expect([a.code, a.stdout]).toEqual([0, '{"a":1}']);
    const dir = mkdtempSync(join(tmpdir(), 'run-'));
    const file = join(dir, 'b.json');
    await import('node:fs/promises').then((fs) => fs.writeFile(file, '{"b":2}'));
    const b = await run(['CreateThing', '--body', `@${file}`]);
    expect(b.stdout).toBe('{"b":2}');
  });

  it('-o writes the (binary) body to a file', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'run-')), 'img.png');
    const r = await run(['GetImage', '-o', out]);
    expect(r.code).toBe(0);
    expect(readFileSync(out)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2]));
    expect(r.stderr).toContain(`wrote 7 bytes to ${out}`);
  });

  it('-o/--output is the file, as in curl and export; --out still works with a warning', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'run-'));
    const long = await run(['GetThing', '-p', 'id=1', '--output', join(dir, 'a.json')]);
    expect([long.code, long.stdout]).toEqual([0, '']);
    expect(readFileSync(join(dir, 'a.json'), 'utf8')).toBe('{"id":1,"name":"one"}');
    expect(long.stderr).not.toContain('warning');
    const old = await run(['GetThing', '-p', 'id=1', '--out', join(dir, 'b.json')]);
    expect(old.code).toBe(0);
    expect(readFileSync(join(dir, 'b.json'), 'utf8')).toBe('{"id":1,"name":"one"}');
    expect(old.stderr.split('\n')[0]).toBe('warning: --out is deprecated: use -o/--output <file>');
    const both = await run(['GetThing', '-p', 'id=1', '--out', join(dir, 'c'), '-o', join(dir, 'd')]);
    expect([both.code, both.stderr.split('\n')[0]]).toEqual([2, 'connector: --out and --output both name the file']);
  });

  it('--output <format name> is the old --format, with a one-line deprecation warning', async () => {
    const y = await run(['GetThing', '-p', 'id=1', '--output', 'yaml']);
    expect([y.code, y.stdout]).toEqual([0, 'id: 1\nname: one\n']);
    expect(y.stderr).toBe('warning: --output yaml is deprecated: use --format yaml (-o/--output now names a file; -o yaml writes one called yaml)\n');
    const clash = await run(['GetThing', '-p', 'id=1', '--output', 'yaml', '--format', 'json']);
    expect(clash.code).toBe(2);
    expect(clash.stderr).toMatch(/^connector: --format json and --output yaml disagree\n/);
    // Anything else is a file name, also a format name with a path: -o ./yaml.
    const dir = mkdtempSync(join(tmpdir(), 'run-'));
    const file = await run(['GetThing', '-p', 'id=1', '-o', join(dir, 'yaml')]);
    expect([file.code, file.stdout]).toEqual([0, '']);
    expect(readFileSync(join(dir, 'yaml'), 'utf8')).toBe('{"id":1,"name":"one"}');
    // --format with -o is the file's format, as export --format -o is (a newcomer got JSON in u.yaml).
    const asYaml = await run(['GetThing', '-p', 'id=1', '--format', 'yaml', '-o', join(dir, 'u.yaml')]);
    expect([asYaml.code, asYaml.stdout, readFileSync(join(dir, 'u.yaml'), 'utf8')]).toEqual([0, '', 'id: 1\nname: one\n']);
    expect(asYaml.stderr).toContain(`to ${join(dir, 'u.yaml')} (as yaml)`);
    const eq = await run(['GetThing', '-p', 'id=1', '--output=yaml']);
    expect([eq.code, eq.stdout]).toEqual([0, 'id: 1\nname: one\n']);
    const help = await runCli(['run', '--help']);
    expect(help.stdout).toMatch(/--format <format>/);
    expect(help.stdout).toMatch(/-o, --output <file>/);
    expect(help.stdout).not.toMatch(/--out </);
  });

  it('-o was always a file (the old --out): -o json, -oraw, -io auto write files so named, with no warning', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'run-'));
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      for (const [flags, name] of [
        [['-o', 'json'], 'json'],
        [['-oraw'], 'raw'],
        [['-io', 'auto'], 'auto'],
      ] as const) {
        const short = await run(['GetThing', '-p', 'id=1', ...flags]);
        expect([short.code, short.stdout, short.stderr.includes('warning')], flags.join(' ')).toEqual([
          0,
          flags[0] === '-io' ? expect.stringMatching(/^HTTP 200/) : '',
          false,
        ]);
        expect(readFileSync(join(dir, name), 'utf8')).toBe('{"id":1,"name":"one"}');
      }
    } finally {
      process.chdir(cwd);
    }
  });

  it('--json -o <file>: the body goes to the file (as curl -o), the JSON document still to stdout', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'run-')), 'img.png');
    const r = await runCli(['--json', 'run', 'things', 'GetImage', '-o', out, '--base-url', server.url], { home, env });
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(out)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2]));
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 200, body: { base64: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2]).toString('base64') } });
    expect(r.stderr).toContain(`wrote 7 bytes to ${out}`);
  });

  it('-o to a path that cannot be written: one clear line, exit 1, not a crash report', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'run-')), 'missing-dir', 'img.png');
    const r = await run(['GetImage', '-o', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`connector: cannot write the response body to ${out}: ENOENT`);
    expect(r.stderr).not.toContain('bug');
  });

  it('a header with a line break or non-Latin-1 text is a usage error naming it, never its value', async () => {
    const before = server.seen.length;
    for (const h of ['X-Inject: a\r\nX-Evil: 1', 'X-Euro: 5 €', `Authorization: Bearer ${KEY}\nX-Evil: 1`]) {
      const r = await run(['GetThing', '-p', 'id=1', '-H', h]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/^connector: header '(X-Inject|X-Euro|Authorization)' has a character HTTP does not allow/);
      expect(r.stderr).not.toContain(KEY);
      expect(r.stderr).not.toContain('bug');
    }
    expect(server.seen.length).toBe(before);
  });

  it('--validate reports each mismatch with its JSON pointer and exits 1', async () => {
    const bad = await run(['GetThing', '-p', 'id=7', '--validate']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('/name: must be string');
    const good = await run(['GetThing', '-p', 'id=1', '--validate']);
    expect([good.code, good.stderr]).toEqual([0, 'response matches the schema\n']);
    // An empty body is said as such, not `/: must be object` (newcomer).
    const empty = await run(['GetThing', '-p', 'id=8', '--validate']);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain('/: the response has no body, but the GetThing schema for HTTP 200 describes one (object)');
  });

  it('--dry-run prints curl with the key masked and sends nothing', async () => {
    const before = server.seen.length;
    const r = await run(['GetThing', '-p', 'id=3', '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`curl '${server.url}/things/3' \\\n  -H 'Accept: application/json' \\\n  -H 'X-Key: ***'\n`);
    expect(server.seen.length).toBe(before);
  });

  it('--verbose traces request and response with every secret redacted', async () => {
    const r = await run(['GetThing', '-p', 'id=1', '--verbose', '-H', 'Authorization: Bearer abc.def', '-H', `X-Echo: ${KEY}`, '-H', 'Cookie: sid=zzz']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`> GET ${server.url}/things/1`);
    expect(r.stderr).toContain('> X-Key: ***');
    expect(r.stderr).toContain('> Authorization: Bearer ***');
    expect(r.stderr).toContain('> X-Echo: ***');
    expect(r.stderr).toContain('> Cookie: ***');
    expect(r.stderr).toMatch(/< HTTP 200 OK/);
    for (const s of [KEY, 'abc.def', 'zzz']) expect(r.stderr).not.toContain(s);
  });

  it('usage mistakes exit 2 before sending', async () => {
    const before = server.seen.length;
    const unknown = await run(['GetThng']);
    expect(unknown.code).toBe(1); // not found: exit 1, as an unknown connector or connection
    expect(unknown.stderr).toContain("connector: connector 'things' has no operation 'GetThng'\nDid you mean: GetThing");
    const missing = await run(['GetThing']);
    expect([missing.code, missing.stderr.split('\n')[0]]).toEqual([2, 'connector: missing required parameter for GetThing: id (path)']);
    const bad = await run(['GetThing', '-p', 'id=0']);
    expect(bad.stderr.split('\n')[0]).toBe("connector: parameter 'id' (path) must be >= 1, got 0");
    const badP = await run(['GetThing', '-p', 'id']);
    expect(badP.code).toBe(2);
    expect(server.seen.length).toBe(before);
  });

  it('refuses the key over plain http to a non-loopback host', async () => {
    const r = await runCli(['run', 'things', 'GetThing', '-p', 'id=1', '--base-url', 'http://example.invalid'], { home, env });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'connector: refusing to send credentials over plain http to example.invalid\nUse https, or pass --allow-insecure-http if you accept that anyone on the path can read them.\n',
    );
  });
});

describe('run: the order of mistakes', () => {
  it('a wrong operation name is reported before a missing connection', async () => {
    const home = tempHome();
    expect((await runCli(['import', 'fixtures/specs/petstore.swagger.json', '--name', 'pets'], { home })).code).toBe(0);
    const typo = await runCli(['run', 'pets', 'getPetByIdd'], { home });
    expect(typo.code).toBe(1);
    expect(typo.stderr).toMatch(/^connector: connector 'pets' has no operation 'getPetByIdd'\nDid you mean: getPetById/);
    const right = await runCli(['run', 'pets', 'getPetById'], { home }); // control: then the connection
    expect(right.stderr).toContain("connector 'pets' needs a connection and has none");
  });
});
