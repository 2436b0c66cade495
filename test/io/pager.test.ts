import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { PassThrough } from 'node:stream';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/main.js';
import { makeIO } from '../../src/io/iostreams.js';
import { fills, page, pagerCommand, systemPager } from '../../src/io/pager.js';
import { runCli, tempHome } from '../helpers/cli.js';
import { headlessBrowser, strictPager, type StrictPager } from '../helpers/context.js';
// @ts-expect-error plain JS fixture without type declarations
import { start } from '../../fixtures/sample-api/server.mjs';

/** A terminal: stdout (and stdin) are TTYs `columns` × `rows`. */
function terminalIO(env: NodeJS.ProcessEnv, size = { columns: 80, rows: 24 }) {
  const stdin = Object.assign(new PassThrough(), { isTTY: true });
  const stdout = Object.assign(new PassThrough(), { isTTY: true, ...size });
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  return { io: makeIO(stdin, stdout, stderr, { NO_COLOR: '1', ...env }), out: () => out, err: () => err };
}

let home: string;
let api: { url: string; close(): Promise<void> };
afterAll(() => api?.close());
beforeAll(async () => {
  api = await start({ apiKey: 'pager-key' });
  home = tempHome();
  const r = await runCli(['import', join(import.meta.dirname, '..', '..', 'fixtures', 'sample-api'), '--name', 'sample'], { home });
  expect(r.code, r.stderr).toBe(0);
});

/** `connector <args>` on a terminal `rows` high, with `pager` standing in for the pager program. */
async function onTerminal(args: string[], opts: { env?: NodeJS.ProcessEnv; rows?: number; pager?: StrictPager } = {}) {
  const t = terminalIO({ CONNECTOR_HOME: home, ...opts.env }, { columns: 80, rows: opts.rows ?? 3 });
  const code = await main(['node', 'connector', ...args], t.io, { browser: headlessBrowser(), pager: opts.pager ?? strictPager() });
  return { code, stdout: t.out(), stderr: t.err() };
}

const paging = () => strictPager({ exit: () => ({ code: 0, signal: null }) });

describe('the pager on a terminal', () => {
  it('takes output taller than the screen (less -FRX, LESS=FRX), and stdout gets none of it', async () => {
    const pager = paging();
    const r = await onTerminal(['operations', 'sample'], { pager });
    expect([r.code, r.stdout, r.stderr]).toEqual([0, '', '']);
    expect(pager.started).toHaveLength(1);
    expect(pager.started[0].command).toBe('less -FRX');
    expect(pager.started[0].env.LESS).toBe('FRX');
    const text = await pager.started[0].text;
    expect(text.split('\n')[0]).toMatch(/^OPERATION +METHOD +PATH/);
    expect(text.split('\n')).toHaveLength(6); // heading, 4 operations, final newline
  });

  it('list and show page too (connection list and run: the same spec field)', async () => {
    for (const args of [['list'], ['show', 'sample']]) {
      const pager = paging();
      const r = await onTerminal(args, { pager, rows: 2 });
      expect([r.code, r.stdout], args.join(' ')).toEqual([0, '']);
      expect(await pager.started[0].text).toMatch(/sample/);
    }
  });

  it("run: the body (coloured for the terminal) is paged, the status stays on stderr; --query's matches too", async () => {
    const env = { CONNECTOR_SAMPLE_DEFAULT_API_KEY: 'pager-key', FORCE_COLOR: '1', NO_COLOR: '' };
    const pager = paging();
    const r = await onTerminal(['run', 'sample', 'listNotes', '--base-url', api.url], { pager, env, rows: 10 });
    expect([r.code, r.stdout]).toEqual([0, '']);
    expect(r.stderr).toMatch(/HTTP 200 OK/);
    const body = await pager.started[0].text;
    expect(body).toContain('\x1b['); // colour codes: less -R shows them
    expect(body.replace(/\x1b\[[0-9;]*m/g, '')).toContain('"title": "Welcome"');
    const q = paging();
    const t = await onTerminal(['run', 'sample', 'listNotes', '--base-url', api.url, '--query', '$[*].title'], { pager: q, env, rows: 3 });
    expect([t.code, t.stdout]).toEqual([0, '']);
    expect(await q.started[0].text).toBe('Welcome\nGroceries\nRelease checklist\n');
  });

  it('leaves output that fits on the screen alone (the strict pager would fail the test)', async () => {
    const r = await onTerminal(['operations', 'sample'], { rows: 40 });
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[1]).toMatch(/^listNotes +GET +\/notes/);
  });

  it('is off with --no-pager, PAGER= or cat, under CI, and CONNECTOR_PAGER beats PAGER', async () => {
    for (const [args, env] of [
      [['--no-pager'], {}],
      [[], { PAGER: '' }],
      [[], { PAGER: 'cat' }],
      [[], { CI: 'true' }],
      [[], { CONNECTOR_PAGER: '', PAGER: 'more' }],
    ] as const) {
      const r = await onTerminal([...args, 'operations', 'sample'], { env });
      expect(r.stdout, JSON.stringify(env)).toMatch(/^OPERATION/);
    }
    const pager = paging();
    await onTerminal(['operations', 'sample'], { env: { CONNECTOR_PAGER: 'most -s', PAGER: 'more' }, pager });
    expect(pager.started[0].command).toBe('most -s');
    expect(pager.started[0].env.LESS).toBe('FRX');
    const own = paging();
    await onTerminal(['operations', 'sample'], { env: { LESS: 'S' }, pager: own });
    expect(own.started[0].env.LESS).toBe('S'); // the user's LESS stays theirs
  });

  it('pages --json and --query output too, and never a failure', async () => {
    const pager = paging();
    await onTerminal(['operations', 'sample', '--json'], { pager });
    expect(JSON.parse(await pager.started[0].text)).toHaveLength(4);
    const q = paging();
    await onTerminal(['operations', 'sample', '--query', '$[*].operationId'], { pager: q });
    expect(await q.started[0].text).toBe('listNotes\ncreateNote\nsearchNotes\ngetNote\n');
    const bad = await onTerminal(['operations', 'nope']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^connector: /);
  });

  it('a pager that cannot start: the text goes to stdout, with a line saying so', async () => {
    const pager = strictPager({ exit: () => ({ code: 127, signal: null, missing: true }) });
    const r = await onTerminal(['operations', 'sample'], { pager });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^OPERATION/);
    expect(r.stderr).toMatch(/^connector: the pager 'less -FRX' could not be started/);
  });

  it('pagerCommand: only for a terminal', () => {
    const pipe = makeIO(new PassThrough(), new PassThrough(), new PassThrough(), { PAGER: 'less' });
    expect(pagerCommand(pipe, { enabled: true })).toBeUndefined();
    expect(pagerCommand(terminalIO({ CI: '0' }).io, { enabled: true })).toBe('less -FRX');
    expect(pagerCommand(terminalIO({ CI: '1' }).io, { enabled: true })).toBeUndefined();
    // The spinner's rule (progress.ts isCI): "false" in any case is no CI; set but empty is CI.
    expect(pagerCommand(terminalIO({ CI: 'FALSE' }).io, { enabled: true })).toBe('less -FRX');
    expect(pagerCommand(terminalIO({ CI: '' }).io, { enabled: true })).toBeUndefined();
  });

  it('fills: wrapped lines count as the rows they take', () => {
    expect(fills('a\nb\n', 80, 3)).toBe(false);
    expect(fills('a\nb\nc\n', 80, 3)).toBe(true);
    expect(fills(`${'x'.repeat(100)}\nb\n`, 80, 3)).toBe(true);
    expect(fills(`${'日'.repeat(30)}\n`, 80, 2)).toBe(false);
    expect(fills(`${'日'.repeat(41)}\n`, 80, 2)).toBe(true);
  });
});

describe('the system pager (a real program through the shell)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'connector-pager-'));
  const io = () => terminalIO({});

  it('gets all of the text on its stdin', async () => {
    const file = join(dir, 'all.txt');
    const text = 'line\n'.repeat(50_000);
    const t = io();
    await page(t.io, text, `sh -c "cat > '${file}'"`, systemPager);
    expect(readFileSync(file, 'utf8')).toBe(text);
    expect([t.out(), t.err()]).toEqual(['', '']);
  });

  it('quitting before the end (EPIPE) is no error', async () => {
    const file = join(dir, 'head.txt');
    const t = io();
    await page(t.io, 'x'.repeat(2_000_000), `head -c 10 > '${file}'`, systemPager);
    expect(readFileSync(file, 'utf8')).toBe('x'.repeat(10));
    expect([t.out(), t.err()]).toEqual(['', '']);
  });

  it('a pager that is not there: the text on stdout', async () => {
    const t = io();
    await page(t.io, 'hello\n', '/nonexistent/pager-program', systemPager);
    expect(t.out()).toBe('hello\n');
    expect(t.err()).toMatch(/could not be started/);
  });
});
