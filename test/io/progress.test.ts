import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { main } from '../../src/main.js';
import { CancelError } from '../../src/errors.js';
import type { Clock } from '../../src/io/clock.js';
import { makeIO } from '../../src/io/iostreams.js';
import { displayWidth } from '../../src/io/output.js';
import { createProgress, isCI, meter, PROGRESS_DELAY_MS, type ProgressHost } from '../../src/io/progress.js';
import { timeLeft } from '../../src/auth/oauth2/signin.js';
import { recordingProgress } from '../helpers/context.js';
import { FakeTTY, manualClock } from '../helpers/terminal.js';

/** A deferred piece of work the test finishes when it wants. */
function work<T = string>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((a, b) => ((resolve = a), (reject = b)));
  return { promise, resolve, reject, fn: () => promise };
}

function terminal(opts: { env?: NodeJS.ProcessEnv; stdoutTTY?: boolean; stderrTTY?: boolean; json?: boolean } = {}) {
  const err = new FakeTTY();
  const outRaw: string[] = [];
  const stdout = Object.assign(new PassThrough(), { isTTY: opts.stdoutTTY ?? true });
  stdout.on('data', (d) => outRaw.push(String(d)));
  const stderr = opts.stderrTTY === false ? Object.assign(err, { isTTY: false }) : err;
  const io = makeIO(new PassThrough(), stdout, stderr as never, { ...opts.env });
  const clock = manualClock();
  const ac = new AbortController();
  const host: ProgressHost = { io, clock, signal: ac.signal, json: opts.json ?? false };
  return { io, err, clock, ac, progress: createProgress(host), stdout: () => outRaw.join('') };
}

// The spinner's own frame (one of yocto-spinner's braille frames, or its ASCII ones on Windows).
const FRAME = /^[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏\-\\|/] /;

describe('a spinner on a terminal', () => {
  it('appears only after 300 ms, counts seconds, and is erased when the work ends (nothing on stdout)', async () => {
    const t = terminal();
    const w = work();
    const result = t.progress.spin('Waiting for listNotes (GET /notes)', w.fn);
    await t.clock.advance(PROGRESS_DELAY_MS - 1);
    expect(t.err.raw).toBe('');
    await t.clock.advance(1);
    let rows = t.err.screen().rows;
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatch(FRAME);
    expect(rows[0].slice(2)).toBe('Waiting for listNotes (GET /notes)');
    expect(t.err.screen().cursor).toBe(false);
    await t.clock.advance(1000 - PROGRESS_DELAY_MS);
    expect(t.err.screen().rows[0].slice(2)).toBe('Waiting for listNotes (GET /notes) 1s');
    await t.clock.advance(2000);
    expect(t.err.screen().rows[0].slice(2)).toBe('Waiting for listNotes (GET /notes) 3s');
    w.resolve('answer');
    expect(await result).toBe('answer');
    rows = t.err.screen().rows;
    expect(rows).toEqual([]);
    expect(t.err.screen().cursor).toBe(true);
    expect(t.clock.pending).toBe(0); // no timer left to keep the process alive
    expect(t.stdout()).toBe('');
  });

  it('a wait shorter than 300 ms writes nothing at all', async () => {
    const t = terminal();
    const w = work();
    const result = t.progress.spin('quick', w.fn);
    await t.clock.advance(PROGRESS_DELAY_MS - 1);
    w.resolve('ok');
    await result;
    await t.clock.advance(5000);
    expect(t.err.raw).toBe('');
    expect(t.clock.pending).toBe(0);
  });

  it('is erased when the work fails, and the error goes on', async () => {
    const t = terminal();
    const w = work();
    const result = t.progress.spin('failing', w.fn);
    await t.clock.advance(500);
    expect(t.err.screen().rows).toHaveLength(1);
    w.reject(new Error('boom'));
    await expect(result).rejects.toThrow('boom');
    expect(t.err.screen()).toEqual({ rows: [], cursor: true });
  });

  it('Ctrl-C erases the line at once, before the work has even noticed', async () => {
    const t = terminal();
    const w = work();
    const result = t.progress.spin('slow', w.fn);
    await t.clock.advance(400);
    expect(t.err.screen().rows).toHaveLength(1);
    t.ac.abort(new CancelError('cancelled (Ctrl-C)'));
    expect(t.err.screen()).toEqual({ rows: [], cursor: true });
    w.reject(new CancelError('cancelled (Ctrl-C)'));
    await expect(result).rejects.toBeInstanceOf(CancelError);
    expect(t.err.screen().rows).toEqual([]);
    expect(t.clock.pending).toBe(0);
  });

  it('lines written while it spins stay above it; at the end only they remain', async () => {
    const t = terminal();
    const w = work();
    const result = t.progress.spin('signing in', w.fn);
    await t.clock.advance(400);
    t.io.err('warning: something worth saying');
    let rows = t.err.screen().rows;
    expect(rows[0]).toBe('warning: something worth saying');
    expect(rows[1]).toMatch(FRAME);
    expect(rows).toHaveLength(2);
    w.resolve('');
    await result;
    rows = t.err.screen().rows;
    expect(rows).toEqual(['warning: something worth saying']);
  });

  it('a label function is read again each second (the device code and its time left)', async () => {
    const t = terminal();
    const w = work();
    const expiresAt = t.clock.now() + 15 * 60_000;
    const result = t.progress.spin(() => `Waiting for the sign-in with the code WDJB-MJHT (${timeLeft(expiresAt - t.clock.now())})`, w.fn);
    await t.clock.advance(400);
    expect(t.err.screen().rows[0].slice(2)).toBe('Waiting for the sign-in with the code WDJB-MJHT (15:00 left)');
    await t.clock.advance(600 + 61_000); // 62 s in
    expect(t.err.screen().rows[0].slice(2)).toBe('Waiting for the sign-in with the code WDJB-MJHT (13:58 left)');
    w.resolve('');
    await result;
    expect(t.err.screen().rows).toEqual([]);
  });

  it('keeps to one row: a long label is cut, and control characters in it are shown, not obeyed', async () => {
    const t = terminal();
    t.err.columns = 40;
    const w = work();
    const result = t.progress.spin(`Waiting for \x1b]0;title\x07 ${'x'.repeat(100)}`, w.fn);
    await t.clock.advance(400);
    const [row] = t.err.screen().rows;
    expect(row.length).toBeLessThanOrEqual(40);
    expect(row).toContain('\\x1b]0;title\\x07');
    expect(row.endsWith('…')).toBe(true);
    w.resolve('');
    await result;
    expect(t.err.screen().rows).toEqual([]);
  });

  it('keeps to one row by display width: a label of wide characters is cut to the columns it takes', async () => {
    const t = terminal();
    t.err.columns = 40;
    const w = work();
    const result = t.progress.spin(`Waiting for ${'接続'.repeat(40)}`, w.fn);
    await t.clock.advance(400);
    const [row] = t.err.screen().rows;
    expect(displayWidth(row)).toBeLessThanOrEqual(40);
    expect(row.endsWith('…')).toBe(true);
    w.resolve('');
    await result;
    expect(t.err.screen().rows).toEqual([]);
  });

  it('a wait inside another adds no second line', async () => {
    const t = terminal();
    const inner = work();
    const result = t.progress.spin('outer', () => t.progress.spin('inner', inner.fn));
    await t.clock.advance(2000);
    expect(t.err.screen().rows).toHaveLength(1);
    expect(t.err.screen().rows[0]).toMatch(/ outer 2s$/);
    inner.resolve('');
    await result;
    expect(t.err.screen().rows).toEqual([]);
  });
});

describe('no spinner', () => {
  const cases: [string, Parameters<typeof terminal>[0]][] = [
    ['stderr is not a terminal', { stderrTTY: false }],
    ['stdout is piped', { stdoutTTY: false }],
    ['CI=true', { env: { CI: 'true' } }],
    ['CI=1', { env: { CI: '1' } }],
    ['CI set but empty', { env: { CI: '' } }],
    ['TERM=dumb', { env: { TERM: 'dumb' } }],
    ['--json', { json: true }],
  ];
  for (const [why, opts] of cases) {
    it(`when ${why}`, async () => {
      const t = terminal(opts);
      const w = work();
      const result = t.progress.spin('slow', w.fn);
      const bar = t.progress.bar(3, 'Importing');
      bar.step('a');
      bar.tick();
      await t.clock.advance(5000);
      w.resolve('');
      await result;
      bar.done();
      expect(t.err.raw).toBe('');
      expect(t.stdout()).toBe('');
      expect(t.clock.pending).toBe(0); // not even a timer was started
    });
  }

  it('isCI: set to anything but "false" (any case) or "0"; empty is CI', () => {
    expect([undefined, 'false', '0', 'FALSE', 'False', '', 'true', '1', 'woodpecker'].map((v) => isCI(v === undefined ? {} : { CI: v }))).toEqual([
      false,
      false,
      false,
      false,
      false,
      true,
      true,
      true,
      true,
    ]);
  });
});

describe('spinner, where it is shown anyway', () => {
  const saved = process.env.CI;
  afterEach(() => {
    if (saved === undefined) delete process.env.CI;
    else process.env.CI = saved;
  });

  for (const ci of ['false', '0', 'FALSE']) {
    it(`CI=${ci} is no CI`, async () => {
      const t = terminal({ env: { CI: ci } });
      const w = work();
      const result = t.progress.spin('slow', w.fn);
      await t.clock.advance(400);
      expect(t.err.screen().rows).toHaveLength(1);
      w.resolve('');
      await result;
      expect(t.err.screen()).toEqual({ rows: [], cursor: true });
    });
  }

  it('NO_COLOR takes only the colour away', async () => {
    const t = terminal({ env: { NO_COLOR: '1' } });
    const w = work();
    const result = t.progress.spin('slow', w.fn);
    await t.clock.advance(400);
    expect(t.err.screen().rows).toHaveLength(1);
    w.resolve('');
    await result;
    expect(t.err.screen()).toEqual({ rows: [], cursor: true });
  });

  it("the library's own CI check (process.env, any value) does not overrule ctx.io's environment", async () => {
    process.env.CI = 'false'; // yocto-spinner would draw a line per frame and never erase it
    const t = terminal({ env: { CI: 'false' } });
    const w = work();
    const result = t.progress.spin('slow', w.fn);
    await t.clock.advance(400);
    expect(t.err.screen().rows).toHaveLength(1);
    expect(process.env.CI).toBe('false'); // restored after the spinner was made
    w.resolve('');
    await result;
    expect(t.err.screen()).toEqual({ rows: [], cursor: true });
  });
});

describe('a progress bar', () => {
  it('appears after 300 ms, fills as steps finish, leaves the lines printed meanwhile and nothing else', async () => {
    const t = terminal();
    const bar = t.progress.bar(4, 'Importing');
    bar.step('AzureAD');
    await t.clock.advance(400);
    expect(t.err.screen().rows).toEqual([expect.stringMatching(FRAME)]);
    expect(t.err.screen().rows[0].slice(2)).toBe(`Importing ${meter(0, 4)} 0/4 AzureAD`);
    t.io.err("Imported 'azuread' (Swagger 2.0, 3 operations, auth: oauth2) from /x/AzureAD");
    bar.tick();
    bar.step('Clockify');
    let rows = t.err.screen().rows;
    expect(rows[0]).toBe("Imported 'azuread' (Swagger 2.0, 3 operations, auth: oauth2) from /x/AzureAD");
    expect(rows[1].slice(2)).toBe(`Importing ${'█'.repeat(5)}${'░'.repeat(15)} 1/4 Clockify`);
    bar.tick();
    bar.tick();
    bar.tick();
    expect(t.err.screen().rows[1].slice(2)).toBe(`Importing ${'█'.repeat(20)} 4/4 Clockify`);
    bar.done();
    bar.done();
    rows = t.err.screen().rows;
    expect(rows).toEqual(["Imported 'azuread' (Swagger 2.0, 3 operations, auth: oauth2) from /x/AzureAD"]);
    expect(t.err.screen().cursor).toBe(true);
    expect(t.clock.pending).toBe(0);
  });

  it('a quick one never shows', async () => {
    const t = terminal();
    const bar = t.progress.bar(2, 'Importing');
    bar.tick();
    bar.tick();
    bar.done();
    await t.clock.advance(1000);
    expect(t.err.raw).toBe('');
  });
});

describe("testContext's recordingProgress", () => {
  it('runs the work and records what would have been shown', async () => {
    const p = recordingProgress();
    expect(await p.spin('Waiting for x', async () => 42)).toBe(42);
    expect(
      await p.spin(
        () => 'computed',
        async () => 'y',
      ),
    ).toBe('y');
    const bar = p.bar(2, 'Importing');
    bar.step('a');
    bar.tick();
    bar.done();
    expect(p.shown).toEqual(['spin: Waiting for x', 'spin: computed', 'bar: Importing 1/2 a']);
  });

  it.fails('a bar never done() fails the test', () => {
    recordingProgress().bar(1, 'Importing');
  });
});

describe('timeLeft', () => {
  it('minutes and seconds, rounded up; then expired', () => {
    expect([900_000, 61_000, 59_001, 1, 0, -5].map(timeLeft)).toEqual(['15:00 left', '1:01 left', '1:00 left', '0:01 left', 'expired', 'expired']);
  });
});

describe('where the commands wait (on a terminal, the delay made instant)', () => {
  let server: Server;
  let dir: string;
  let spec: string;
  beforeAll(async () => {
    server = createServer((_req, res) => res.setHeader('content-type', 'application/json').end('{"pong":true}'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    dir = mkdtempSync(join(tmpdir(), 'connector-progress-'));
    spec = join(dir, 'ping.swagger.json');
    const host = `127.0.0.1:${(server.address() as { port: number }).port}`;
    const paths = { '/ping': { get: { operationId: 'ping', responses: { 200: { description: 'ok' } } } } };
    writeFileSync(spec, JSON.stringify({ swagger: '2.0', info: { title: 'Ping', version: '1' }, host, schemes: ['http'], paths }));
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  /** `connector <args>` with stdout and stderr on a (fake) terminal; the spinner's 300 ms pass at once, its 1 s redraws never come. */
  async function onTerminal(args: string[]) {
    const err = new FakeTTY();
    const stdout = Object.assign(new PassThrough(), { isTTY: true });
    const io = makeIO(Object.assign(new PassThrough(), { isTTY: true }), stdout, err as never, { NO_COLOR: '1', CONNECTOR_HOME: join(dir, 'home') });
    const clock: Clock = {
      now: () => 0,
      sleep: (ms, signal) =>
        ms === PROGRESS_DELAY_MS ? Promise.resolve() : new Promise((_, reject) => signal?.addEventListener('abort', () => reject(new CancelError()))),
    };
    const code = await main(['node', 'connector', ...args], io, { clock, signal: new AbortController().signal });
    return { code, raw: err.raw, rows: err.screen().rows };
  }

  it('import, connection create (its verification) and run each show their line, and leave only their own output', async () => {
    const imported = await onTerminal(['import', spec]);
    expect(imported.code).toBe(0);
    expect(imported.raw).toContain(`Importing ${spec}`);
    expect(imported.rows).toEqual([`Imported 'ping' (Swagger 2.0, 1 operation, auth: none) from ${spec}`]);

    const created = await onTerminal(['--secret-store', 'memory', 'connection', 'create', 'ping', '--no-input']);
    expect(created.code, created.raw).toBe(0);
    expect(created.raw).toContain('Testing the connection with ping');
    expect(created.rows.some((r) => r.includes('Testing the connection'))).toBe(false);
    expect(created.rows).toContain('Verified: ping answered HTTP 200.');

    const ran = await onTerminal(['run', 'ping', 'ping']);
    expect(ran.code).toBe(0);
    expect(ran.raw).toContain('Waiting for ping (GET /ping)');
    expect(ran.rows).toEqual([expect.stringMatching(/^HTTP 200 OK \(\d+ ms\)$/)]);
  });
});
