import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { finished } from '../helpers/spawn.js';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The artifact users run: bin/connector.js -> dist/cli/*.cjs (npm test builds it first) with
// its V8 code cache. These tests spawn it as a user would; the in-process tests cover src/.
const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'connector.js');
const DIST = join(ROOT, 'dist', 'cli');
const SAMPLE = join(ROOT, 'fixtures', 'sample-api');
const HEAVY = [
  'undici',
  '@apidevtools/swagger-parser',
  '@inquirer/prompts',
  'yaml',
  'ajv',
  'open',
  '@napi-rs/keyring',
  'oauth4webapi',
  'jsonc-parser',
  '@stoplight/spectral-core',
];

let work: string;
let server: { url: string; close(): Promise<void> };
const KEY = 'bundle-test-key';

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'connector-bundle-'));
  // Records every require() (all our lazy loads go through require, see src/util/load.ts).
  writeFileSync(
    join(work, 'record.cjs'),
    `const Module = require('node:module'); const { appendFileSync } = require('node:fs');
     const seen = new Set(); const load = Module._load;
     Module._load = function (request, parent, isMain) { seen.add(request); return load.apply(this, arguments); };
     const builtins = () => process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => 'builtin:' + m.slice(13));
     process.on('exit', () => appendFileSync(process.env.RECORD_TO, [...seen, ...Object.keys(require.cache), ...builtins()].join('\\n') + '\\n'));`,
  );
  const mod = (await import(join(SAMPLE, 'server.mjs'))) as { start(o: { apiKey: string }): Promise<typeof server> };
  server = await mod.start({ apiKey: KEY });
  const r = await cli(['import', SAMPLE, '--name', 'sample']);
  expect(r.status, r.stderr).toBe(0);
});

afterAll(async () => {
  await server?.close();
  rmSync(work, { recursive: true, force: true });
});

/** Spawned asynchronously: the sample server runs in this process and must go on answering. */
function cli(args: string[], env: NodeJS.ProcessEnv = {}, node: string[] = []): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [...node, BIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      CONNECTOR_HOME: join(work, 'home'),
      CONNECTOR_CACHE_DIR: join(work, 'cache'),
      CONNECTOR_SAMPLE_DEFAULT_API_KEY: KEY,
      NO_COLOR: '1',
      ...env,
    },
  });
  return finished(child);
}

/** Run and return what it loaded: module ids and files. */
async function loads(args: string[], env: NodeJS.ProcessEnv = {}) {
  const log = join(work, `loaded-${Math.random().toString(36).slice(2)}.txt`);
  const r = await cli(args, { ...env, RECORD_TO: log }, ['--require', join(work, 'record.cjs')]);
  expect(r.status, r.stderr).toBe(0);
  const mods = readFileSync(log, 'utf8').split('\n').filter(Boolean);
  return { r, mods, heavy: HEAVY.filter((h) => mods.some((m) => m === h || m.includes(`/node_modules/${h}/`))) };
}

const runArgs = (...more: string[]) => ['run', 'sample', 'listNotes', '--base-url', `${server.url}`, ...more];

describe('the built bundle', () => {
  it('runs an operation (the control for the checks below)', async () => {
    const r = await cli(runArgs());
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)[0].title).toBe('Welcome');
  });

  for (const args of [['--help'], ['--version'], ['run', '--help'], ['connection', 'create', '--help'], ['validate', '--help']]) {
    it(`connector ${args.join(' ')} loads no package at all`, async () => {
      const { mods, heavy } = await loads(args);
      expect(mods.some((m) => m.endsWith('/dist/cli/main.cjs'))).toBe(true);
      expect(heavy).toEqual([]);
      expect(mods.filter((m) => m.includes('/node_modules/'))).toEqual([]);
    });
  }

  it('the run hot path (key from the environment) loads only the bundle and Node built-ins', async () => {
    const { mods, heavy } = await loads(runArgs());
    expect(heavy).toEqual([]);
    expect(mods).toContain('builtin:http'); // control: the recorder sees built-ins
    // commander's child_process is a lazy stand-in (compile-cache.ts); fs.promises is never reached
    expect(mods.filter((m) => /^builtin:(child_process|fs\/promises|https|zlib)$/.test(m))).toEqual([]);
    expect(mods.filter((m) => m.includes('/node_modules/'))).toEqual([]);
    expect(mods.filter((m) => m.startsWith('/') && !m.startsWith(DIST) && !m.endsWith('record.cjs') && m !== BIN)).toEqual([]);
  });

  for (const words of [
    ['run', 'sample', ''],
    ['run', 'sample', 'listNotes', '-p', ''],
  ]) {
    it(`a completion call (complete -- ${words.join(' ')}) loads only the bundle and Node built-ins`, async () => {
      const { r, mods, heavy } = await loads(['complete', '--', ...words]);
      expect(r.stdout).toMatch(words.length === 3 ? /^listNotes\t/ : /^limit=\t/);
      expect(heavy).toEqual([]);
      expect(mods.filter((m) => /^builtin:(child_process|fs\/promises|http|https|tls|zlib|crypto)$/.test(m))).toEqual([]);
      expect(mods.filter((m) => m.includes('/node_modules/'))).toEqual([]);
    });
  }

  it('loads a heavy package when it is needed (control: the recorder sees lazy loads)', async () => {
    const { r, heavy } = await loads(runArgs('--output', 'yaml'));
    expect(r.stdout).toMatch(/^- id: 1\n/);
    expect(heavy).toEqual(['yaml']);
  });

  it('describing an operation (operations K OP, run K OP --help) loads no package', async () => {
    for (const args of [
      ['operations', 'sample', 'createNote'],
      ['run', 'sample', 'createNote', '--help'],
    ]) {
      const { r, mods } = await loads(args);
      expect(r.stdout).toContain('POST '); // control: the description was printed
      expect(mods.filter((m) => m.includes('/node_modules/'))).toEqual([]);
    }
  });

  it('has no import() left: on Node 20, import() cannot run from code-cached scripts', async () => {
    for (const f of readdirSync(DIST).filter((f) => f.endsWith('.cjs'))) {
      const code = readFileSync(join(DIST, f), 'utf8')
        .split('\n')
        .filter((l) => !/^\s*(\*|\/\/)/.test(l))
        .join('\n');
      expect(code.match(/\bimport\s*\(/g), f).toBeNull();
    }
  });
});

describe('the V8 code cache', () => {
  const cacheDir = (base: string) => join(base, readdirSync(base).find((d) => d.startsWith(`v8-${process.version}-`))!);

  it('is written on the first run, used as it is by the next, and has private modes', async () => {
    const base = join(work, 'cache-a');
    const first = await cli(runArgs('--output', 'yaml'), { CONNECTOR_CACHE_DIR: base });
    expect(first.status, first.stderr).toBe(0);
    const dir = cacheDir(base);
    const files = readdirSync(dir);
    expect(files.some((f) => f.startsWith('main.cjs-'))).toBe(true);
    expect(files.some((f) => f.startsWith('call-'))).toBe(true);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const f of files) expect(statSync(join(dir, f)).mode & 0o777).toBe(0o600);
    const before = Object.fromEntries(files.map((f) => [f, readFileSync(join(dir, f)).toString('base64')]));

    const second = await cli(runArgs('--output', 'yaml'), { CONNECTOR_CACHE_DIR: base });
    expect(second.status, second.stderr).toBe(0);
    expect(second.stdout).toBe(first.stdout);
    expect(second.stderr).toBe(first.stderr);
    const after = Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f)).toString('base64')]));
    expect(after).toEqual(before); // all hits: nothing rejected, nothing rewritten
  });

  it('a corrupt cache file is rejected by V8, the run is right, and the file is rewritten', async () => {
    const base = join(work, 'cache-b');
    expect((await cli(runArgs(), { CONNECTOR_CACHE_DIR: base })).status).toBe(0);
    const dir = cacheDir(base);
    const main = readdirSync(dir).find((f) => f.startsWith('main.cjs-'))!;
    writeFileSync(join(dir, main), Buffer.alloc(4096, 7));
    const r = await cli(runArgs(), { CONNECTOR_CACHE_DIR: base });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)[0].title).toBe('Welcome');
    expect(readFileSync(join(dir, main)).equals(Buffer.alloc(4096, 7))).toBe(false);
  });

  it('is neither read nor written in a folder others can write to', async () => {
    const base = join(work, 'cache-c');
    const dir = join(base, `v8-${process.version}-${process.arch}`);
    expect((await cli(runArgs(), { CONNECTOR_CACHE_DIR: base })).status).toBe(0);
    const main = readdirSync(dir).find((f) => f.startsWith('main.cjs-'))!;
    writeFileSync(join(dir, main), Buffer.alloc(4096, 7)); // would be rewritten if the folder were used
    chmodSync(dir, 0o777);
    const r = await cli(runArgs(), { CONNECTOR_CACHE_DIR: base });
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(join(dir, main)).equals(Buffer.alloc(4096, 7))).toBe(true);
  });

  it('CONNECTOR_COMPILE_CACHE=0 turns it off; an unwritable cache folder is no error', async () => {
    const off = join(work, 'cache-d');
    expect((await cli(runArgs(), { CONNECTOR_CACHE_DIR: off, CONNECTOR_COMPILE_CACHE: '0' })).status).toBe(0);
    expect(existsSync(off)).toBe(false);
    const file = join(work, 'a-file');
    writeFileSync(file, 'x');
    const r = await cli(runArgs(), { CONNECTOR_CACHE_DIR: join(file, 'cache') });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
  });
});

describe('lazy built-ins in the bundle', () => {
  it('the stand-in behaves as the module once used', async () => {
    const { lazyBuiltin } = await import('../../src/boot/compile-cache.js');
    const cp = lazyBuiltin('node:child_process') as typeof import('node:child_process');
    expect(typeof cp.spawn).toBe('function');
    expect('execFileSync' in cp).toBe(true);
    expect(Object.keys(cp)).toContain('spawn');
    expect(cp.execFileSync(process.execPath, ['-e', 'process.stdout.write("ok")'], { encoding: 'utf8' })).toBe('ok');
  });
});

describe('the code cache never serves stale code', () => {
  it('a file rewritten with the same length and the same mtime (as npm unpacks releases) is compiled afresh', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'connector-cc-'));
    const bundle = join(dir, 'bundle');
    const file = join(bundle, 'a.cjs');
    const main = join(dir, 'main.cjs');
    try {
      mkdirSync(bundle, { recursive: true });
      writeFileSync(
        main,
        `require(${JSON.stringify(join(DIST, 'compile-cache.cjs'))}).enableCompileCache(${JSON.stringify(bundle)}, module.constructor);\nprocess.stdout.write(String(require(${JSON.stringify(file)})()));\n`,
      );
      writeFileSync(file, 'module.exports = () => 1;\n');
      const fixed = new Date('1985-10-26T08:15:00Z');
      utimesSync(file, fixed, fixed);
      const env = { CONNECTOR_CACHE_DIR: join(dir, 'cache') };
      expect(spawnSyncOk(process.execPath, [main], env)).toBe('1');
      expect(spawnSyncOk(process.execPath, [main], env)).toBe('1'); // from the cache
      writeFileSync(file, 'module.exports = () => 2;\n'); // same length
      utimesSync(file, fixed, fixed); // same mtime
      expect(spawnSyncOk(process.execPath, [main], env)).toBe('2');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

function spawnSyncOk(cmd: string, args: string[], env: NodeJS.ProcessEnv): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}
