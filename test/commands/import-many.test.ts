import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/main.js';
import { makeIO } from '../../src/io/iostreams.js';
import { PROGRESS_DELAY_MS } from '../../src/io/progress.js';
import { CORPUS_DIR, runCli, tempHome } from '../helpers/cli.js';
import { FakeTTY } from '../helpers/terminal.js';

// `connector import <folder of connectors>`: every connector folder and spec file inside, one line each.

const SPECS = join(import.meta.dirname, '..', '..', 'fixtures', 'specs');
const swagger = (title: string, ops = 1) => ({
  swagger: '2.0',
  info: { title, version: '1' },
  host: 'api.example.com',
  paths: Object.fromEntries(Array.from({ length: ops }, (_, i) => [`/r${i}`, { get: { operationId: `get${i}`, responses: { 200: { description: 'ok' } } } }])),
});

let scratch: string;
/** Four good connectors only. */
let good: string;
/** The good ones, plus what cannot be imported and what is not a connector at all. */
let mixed: string;

function paconn(dir: string, title: string, file = 'apiDefinition.swagger.json', ops = 1) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, file), JSON.stringify(swagger(title, ops)));
  writeFileSync(join(dir, 'apiProperties.json'), JSON.stringify({ properties: { connectionParameters: {} } }));
}

function goodOnes(dir: string) {
  paconn(join(dir, 'Alpha'), 'Alpha', 'apiDefinition.swagger.json', 3);
  paconn(join(dir, 'Beta Connector'), 'Beta', 'apidefinition.swagger.json'); // paconn's name in any case
  copyFileSync(join(SPECS, 'petstore.openapi30.yaml'), join(dir, 'pets.openapi.yaml'));
  copyFileSync(join(SPECS, 'petstore.swagger.json'), join(dir, 'petstore.swagger.json'));
  writeFileSync(join(dir, 'README.md'), 'not a connector\n');
  writeFileSync(join(dir, 'INDEX.tsv'), 'dir\ttitle\n');
  paconn(join(dir, '.hidden'), 'Hidden');
}

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'connector-import-many-'));
  good = join(scratch, 'good');
  goodOnes(good);
  mixed = join(scratch, 'mixed');
  goodOnes(mixed);
  mkdirSync(join(mixed, 'Broken'));
  writeFileSync(join(mixed, 'Broken', 'apiDefinition.swagger.json'), '{ "swagger": "2.0", ');
  mkdirSync(join(mixed, 'Empty'));
  paconn(join(mixed, 'Alpha copy'), 'Alpha'); // the same name as Alpha
  symlinkSync(join(good, 'petstore.swagger.json'), join(mixed, 'linked.json'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const lines = (s: string) => s.split('\n').filter(Boolean);

describe('connector import <folder of connectors>', () => {
  it('imports every connector folder and spec file in it, one line each in name order, then a count', async () => {
    const home = tempHome();
    const r = await runCli(['import', good], { home });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    expect(lines(r.stderr)).toEqual([
      `Imported 'alpha' (Swagger 2.0, 3 operations, auth: none) from ${join(good, 'Alpha')}`,
      `Imported 'beta' (Swagger 2.0, 1 operation, auth: none) from ${join(good, 'Beta Connector')}`,
      expect.stringMatching(
        new RegExp(`^Imported 'petstore-oas-3-0' \\(OpenAPI 3\\.0, \\d+ operations, auth: [^)]+\\) from ${join(good, 'pets.openapi.yaml')}$`),
      ),
      expect.stringMatching(new RegExp(`^Imported 'petstore' \\(Swagger 2\\.0, \\d+ operations, auth: [^)]+\\) from ${join(good, 'petstore.swagger.json')}$`)),
      `Imported all 4 connectors in ${good}.`,
    ]);
    const list = await runCli(['list', '--json'], { home });
    expect((JSON.parse(list.stdout) as { name: string }[]).map((c) => c.name).sort()).toEqual(['alpha', 'beta', 'petstore', 'petstore-oas-3-0']);
  });

  it('reports each failure in one line, imports the rest, and exits 1 with one error line', async () => {
    const home = tempHome();
    const r = await runCli(['import', mixed], { home });
    expect(r.code).toBe(1);
    const out = lines(r.stderr);
    expect(out.filter((l) => l.startsWith('Imported '))).toHaveLength(4);
    expect(out.filter((l) => l.startsWith('Failed '))).toEqual([
      `Failed 'Alpha copy': its name 'alpha' is that of Alpha, imported just before`,
      expect.stringMatching(/^Failed 'Broken': .*Broken\/apiDefinition\.swagger\.json:1:\d+: invalid JSON/),
      `Failed 'Empty': ${join(mixed, 'Empty')}: no apiDefinition.swagger.json in this folder`,
      `Failed 'linked.json': ${join(mixed, 'linked.json')}: a symbolic link; import what it points to by its own path`,
    ]);
    expect(out.at(-2)).toBe(`connector: 4 of the 8 connectors in ${mixed} could not be imported (each is listed above); 4 were imported`);
    expect(out.at(-1)).toMatch(/^Fix those and import them again/);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    const list = await runCli(['list', '--json'], { home });
    expect(JSON.parse(list.stdout)).toHaveLength(4);
  });

  it('--query keeps the document a failed folder import printed (the exit code stays 1); "1 was imported"', async () => {
    const r = await runCli(['--query', '$.failed[*].source', 'import', mixed], { home: tempHome() });
    expect(r.code).toBe(1);
    expect(lines(r.stdout).sort()).toEqual(['Alpha copy', 'Broken', 'Empty', 'linked.json'].map((n) => join(mixed, n)));
    const one = join(scratch, 'one-good');
    paconn(join(one, 'Alpha'), 'Alpha');
    mkdirSync(join(one, 'Empty'));
    const o = await runCli(['import', one], { home: tempHome() });
    expect(lines(o.stderr).at(-2)).toBe(`connector: 1 of the 2 connectors in ${one} could not be imported (each is listed above); 1 was imported`);
  });

  it('--force semantics are those of one import: refused without it (each one line), replaced with it', async () => {
    const home = tempHome();
    expect((await runCli(['import', good], { home })).code).toBe(0);
    const again = await runCli(['import', good], { home });
    expect(again.code).toBe(1);
    expect(lines(again.stderr).filter((l) => l.startsWith('Failed '))).toEqual(
      ['alpha', 'beta', 'petstore-oas-3-0', 'petstore'].map((n) => expect.stringContaining(`: connector '${n}' exists; use --force to replace it`)),
    );
    expect(again.stderr).toContain('connector: 4 of the 4 connectors');
    const forced = await runCli(['import', good, '--force'], { home });
    expect(forced.code, forced.stderr).toBe(0);
    expect(lines(forced.stderr).filter((l) => l.startsWith('Replaced '))).toHaveLength(4);
    expect(forced.stderr).toContain("Changes to 'alpha': operations unchanged");
    expect(lines(forced.stderr).at(-1)).toBe(`Imported all 4 connectors in ${good} (4 replaced).`);
  });

  it('--json prints one document: what was imported and what failed', async () => {
    const r = await runCli(['import', mixed, '--json']);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout) as { imported: { name: string }[]; failed: { source: string; message: string }[] };
    expect(doc.imported.map((s) => s.name)).toEqual(['alpha', 'beta', 'petstore-oas-3-0', 'petstore']);
    expect(doc.failed.map((f) => f.source)).toEqual(['Alpha copy', 'Broken', 'Empty', 'linked.json'].map((n) => join(mixed, n)));
  });

  it('--name is refused for a folder of many (exit 2), before anything is imported', async () => {
    const home = tempHome();
    const r = await runCli(['import', good, '--name', 'x'], { home });
    expect(r.code).toBe(2);
    expect(lines(r.stderr)[0]).toBe(`connector: --name names one connector, and ${good} holds 4 (each takes the name in its own spec)`);
    expect(existsSync(join(home, 'connectors'))).toBe(false);
  });

  it('a paconn folder is still one connector, even with subfolders beside its definition', async () => {
    const dir = join(scratch, 'one');
    paconn(dir, 'Solo');
    paconn(join(dir, 'nested'), 'Nested');
    const r = await runCli(['import', dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(lines(r.stderr)).toEqual([`Imported 'solo' (Swagger 2.0, 1 operation, auth: none) from ${dir}`]);
  });
});

/** The command with stderr and stdout on a (fake) terminal. */
async function onTerminal(args: string[], env: NodeJS.ProcessEnv = {}) {
  const err = new FakeTTY();
  const stdout = Object.assign(new PassThrough(), { isTTY: true });
  let out = '';
  stdout.on('data', (d) => (out += d));
  const io = makeIO(Object.assign(new PassThrough(), { isTTY: true }), stdout, err as never, { NO_COLOR: '1', CONNECTOR_HOME: tempHome(), ...env });
  // The bar's delay ends at once (no waiting in a test); its once-a-second redraw never comes.
  const clock = {
    now: () => 0,
    sleep: (ms: number, signal?: AbortSignal) =>
      ms === PROGRESS_DELAY_MS ? Promise.resolve() : new Promise<void>((_, reject) => signal?.addEventListener('abort', () => reject(new Error('aborted')))),
  };
  const code = await main(['node', 'connector', ...args], io, { clock, signal: new AbortController().signal });
  return { code, err, stdout: out };
}

describe('the bar', () => {
  it('on a terminal: drawn while the folder imports, erased at the end; the lines stay', async () => {
    const r = await onTerminal(['import', good]);
    expect(r.code).toBe(0);
    expect(r.err.raw).toMatch(/Importing [█░]{20} 0\/4 Alpha/);
    expect(r.err.raw).toMatch(/Importing [█░]{20} 3\/4 petstore\.swagger\.json/);
    const screen = r.err.screen();
    expect(screen.cursor).toBe(true);
    expect(screen.rows).toHaveLength(5);
    expect(screen.rows.every((l) => l.startsWith('Imported '))).toBe(true);
    expect(r.stdout).toBe('');
  });

  it('in CI: plain lines only, not one control sequence', async () => {
    const r = await onTerminal(['import', good], { CI: 'true' });
    expect(r.code).toBe(0);
    expect(r.err.raw).not.toContain('\x1b');
    expect(lines(r.err.raw)).toHaveLength(5);
  });
});

const corpus = existsSync(join(CORPUS_DIR, 'INDEX.tsv'));
if (!corpus) console.warn(`[corpus] ${CORPUS_DIR} is absent: skipping the folder import of the real-connector corpus`);

describe.skipIf(!corpus)('connector import ../shared/corpus', () => {
  it('imports every connector folder in it', { timeout: 120_000 }, async () => {
    const folders = readdirSync(CORPUS_DIR, { withFileTypes: true }).filter((e) => e.isDirectory() && !e.name.startsWith('.'));
    const r = await runCli(['import', CORPUS_DIR, '--json']);
    const doc = JSON.parse(r.stdout) as { imported: unknown[]; failed: { source: string; message: string }[] };
    console.info(`[corpus] connector import ${CORPUS_DIR}: ${doc.imported.length} of ${folders.length} connectors imported, ${doc.failed.length} failed`);
    expect(doc.failed).toEqual([]);
    expect(r.code, r.stderr).toBe(0);
    expect(doc.imported).toHaveLength(folders.length);
    expect(lines(r.stderr).at(-1)).toBe(`Imported all ${folders.length} connectors in ${CORPUS_DIR}.`);
  });
});
