import { describe, it, expect } from 'vitest';
import { existsSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { cliEnv, runCli } from '../helpers/cli.js';
import { makeIO } from '../../src/io/iostreams.js';
import { runDemo, probeKeychain, shellQuote, type DemoRun } from '../../src/commands/demo.action.js';
import { headlessBrowser, testContext } from '../helpers/context.js';
import { HttpClient } from '../../src/http/client.js';
import { systemClock } from '../../src/io/clock.js';
import { CliError } from '../../src/errors.js';
import { SERVICE, MemoryStore, secretAccount, type SecretStore } from '../../src/secrets/store.js';
import { KeychainStore } from '../../src/secrets/keychain.js';

const SRC = join(import.meta.dirname, '..', '..', 'src', 'commands');
// The demo drives other helpers' commands; until all exist it cannot run end to end.
const NEEDED = ['connector/import.action.ts', 'connector/operations.action.ts', 'connection/create.action.ts', 'connection/delete.action.ts', 'run.action.ts'];
const missing = NEEDED.filter((f) => !existsSync(join(SRC, f)));
if (missing.length) console.warn(`test/demo: end-to-end demo tests skipped, commands not written yet: ${missing.join(', ')}`);

/** True when something accepts TCP connections on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

async function keychainHas(account: string): Promise<boolean> {
  const { AsyncEntry } = await import('@napi-rs/keyring');
  return (await new AsyncEntry(SERVICE, account).getPassword()) !== null;
}

/** What the transcript says about where things were. */
function facts(out: string) {
  const port = Number(/sample API:\s+http:\/\/127\.0\.0\.1:(\d+)\/api/.exec(out)?.[1]);
  const home = /registry:\s+(\S+) \(throw-away\)/.exec(out)?.[1] ?? '';
  const keychain = /secrets:\s+OS keychain/.test(out);
  return { port, home, root: join(home, '..'), keychain };
}

/** The output printed under one `$ connector ...` line. */
function section(out: string, command: string): string {
  const start = out.indexOf(`$ ${command}\n`);
  if (start < 0) return '';
  const rest = out.slice(start + command.length + 3);
  return rest.slice(0, rest.indexOf('\n\n'));
}

describe.skipIf(missing.length > 0)('connector demo (end to end)', () => {
  it('imports, connects, runs operations, and leaves nothing behind', async () => {
    // The demo never touches the user's registry: no --home is needed. It uses the real keychain when one answers.
    const r = await runCli(['demo'], { env: { CONNECTOR_SECRET_STORE: 'keychain' } });
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const f = facts(r.stdout);
    expect(f.port).toBeGreaterThan(0);
    expect(r.stdout).toMatch(/\$ connector import \S+sample-api\n/);
    expect(r.stdout).toContain('$ connector connection create sample-notes --param-env api_key=SAMPLE_API_KEY --no-input');
    expect(section(r.stdout, 'connector operations sample-notes')).toMatch(/listNotes[\s\S]*searchNotes/);
    expect(section(r.stdout, 'connector run sample-notes listNotes -p limit=2')).toContain('Welcome');
    expect(section(r.stdout, 'connector run sample-notes getNote -p id=2')).toContain('Groceries');
    expect(r.stdout).toContain('Hello from connector demo');
    expect(r.stdout).toContain('To do the same by hand:');
    // remove asks on a terminal and needs --yes in a script: the recipe works pasted as it is.
    expect(r.stdout).toContain('$ connector remove sample-notes --yes && kill %1');
    // Nothing left behind: no temp dir, no server, no keychain item.
    expect(existsSync(f.root)).toBe(false);
    expect(await listening(f.port)).toBe(false);
    if (f.keychain) expect(await keychainHas(secretAccount('sample-notes', 'default', 'api_key'))).toBe(false);
    // The generated key never reaches the output.
    expect(r.stdout + r.stderr).not.toMatch(/X-Api-Key: [A-Za-z0-9_-]{20,}/);
  });

  it('says it uses the in-memory store when told to (or when no keychain answers)', async () => {
    const r = await runCli(['demo'], { env: { CONNECTOR_SECRET_STORE: 'memory' } });
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toMatch(/secrets:\s+in-memory store/);
  });

  it('--keep keeps the registry and prints its path', async () => {
    const r = await runCli(['demo', '--keep'], { env: { CONNECTOR_SECRET_STORE: 'memory' } });
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const f = facts(r.stdout);
    expect(r.stdout).toContain(`CONNECTOR_HOME=${f.home} connector operations sample-notes`);
    expect(existsSync(join(f.home, 'index.json'))).toBe(true);
    expect(await listening(f.port)).toBe(false);
    const { rm } = await import('node:fs/promises');
    await rm(f.root, { recursive: true, force: true });
  });

  it('--json prints exactly one JSON document', async () => {
    const r = await runCli(['demo', '--json'], { env: { CONNECTOR_SECRET_STORE: 'memory' } });
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.ok).toBe(true);
    expect(doc.secretStore).toBe('memory');
    expect(doc.steps.map((s: { command: string }) => s.command.split(' ')[1])).toEqual([
      'import',
      'connection',
      'operations',
      'run',
      'run',
      'run',
      'test',
      'test',
    ]);
  });
});

describe('connector demo clean-up on failure', () => {
  it('closes the server and removes the temp dir when a step fails', async () => {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    stdout.on('data', (d) => (out += d));
    stderr.on('data', () => {});
    const stdin = new PassThrough();
    stdin.end();
    const io = makeIO(stdin, stdout, stderr, { NO_COLOR: '1' }, { noInput: true });
    // The demo keeps its own throw-away registry and store: no registry or secrets here.
    const signal = new AbortController().signal;
    const ctx = testContext({
      io,
      secretStoreKind: 'memory',
      noInput: true,
      http: new HttpClient({ env: io.env, signal }),
      clock: systemClock,
      signal,
      browser: headlessBrowser(),
    });
    let run: Partial<DemoRun> = {};
    const failing = runDemo(
      ctx,
      {},
      {
        afterStep(step) {
          if (step === 'import') throw new CliError('boom after import');
        },
        finished(r) {
          run = { ...r };
        },
      },
    );
    // Fails at the import step itself until `import` exists, else in the hook after it.
    await expect(failing).rejects.toThrow(/boom after import|demo step failed: `connector import/);
    expect(run.port).toBeGreaterThan(0);
    expect(run.root).toBeTruthy();
    expect(existsSync(run.root!)).toBe(false);
    expect(await listening(run.port!)).toBe(false);
    expect(out).toMatch(/\$ connector import /);
  });
});

describe('demo helpers', () => {
  it('probeKeychain answers within its timeout and never throws', async () => {
    const p = await probeKeychain(new KeychainStore(), 3000);
    expect(typeof p.ok).toBe('boolean');
    if (!p.ok) expect(p.reason).toBeTruthy();
  });

  it('probeKeychain goes through the SecretStore it is given: writes, reads back, deletes', async () => {
    const store = new MemoryStore();
    const seen: string[] = [];
    const spy: SecretStore = {
      kind: 'keychain',
      describe: () => 'spy',
      get: (a) => (seen.push(`get ${a}`), store.get(a)),
      set: (a, v) => (seen.push(`set ${a}`), store.set(a, v)),
      delete: (a) => (seen.push(`delete ${a}`), store.delete(a)),
    };
    expect(await probeKeychain(spy)).toEqual({ ok: true });
    expect(seen.map((s) => s.split(' ')[0])).toEqual(['set', 'get', 'delete']);
    expect(store.items.size).toBe(0);
  });

  it('probeKeychain says why when the store fails or does not answer in time', async () => {
    const failing: SecretStore = {
      ...new MemoryStore(),
      kind: 'keychain',
      describe: () => '',
      get: async () => undefined,
      delete: async () => false,
      set: async () => Promise.reject(new Error('connector: no OS keychain is reachable\nhint')),
    };
    expect(await probeKeychain(failing)).toEqual({ ok: false, reason: 'no OS keychain is reachable' });
    const hanging: SecretStore = { ...failing, set: () => new Promise(() => {}) };
    expect(await probeKeychain(hanging, 50)).toEqual({ ok: false, reason: 'no answer within 0.05 s' });
  });

  it('the demo is a command like the others: it neither imports the program nor touches process', async () => {
    const { readFileSync } = await import('node:fs');
    const source = readFileSync(join(SRC, 'demo.action.ts'), 'utf8');
    expect(source).not.toMatch(/from '\.\.\/main\.js'|import\('\.\.\/main\.js'\)/);
    expect(source).not.toMatch(/\bprocess\.(exit|on|once|off|exitCode|env)\b/);
    expect(source).not.toContain('@napi-rs/keyring');
    expect(source).toContain("from './index.js'"); // control: it does import the command table
  });

  it('shellQuote quotes only what a shell would split or expand', () => {
    expect(shellQuote('api_key=SAMPLE_API_KEY')).toBe('api_key=SAMPLE_API_KEY');
    expect(shellQuote('{"title":"a b"}')).toBe(`'{"title":"a b"}'`);
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
  });
});

const DIST = join(import.meta.dirname, '..', '..', 'dist');
const built = existsSync(join(DIST, 'commands', 'demo.action.js'));
if (!built) console.warn('test/demo: Ctrl-C test skipped, dist/ is not built (npm test builds it first)');

describe.skipIf(!built)('connector demo on Ctrl-C (child process, built dist/)', () => {
  it('cleans up and exits 3 when interrupted mid-way', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'connector-demo-sigint-'));
    // Parks the demo after `operations` (a step that never ends), then waits for SIGINT.
    const script = join(dir, 'pause.mjs');
    writeFileSync(
      script,
      `
      const { runDemo } = await import(${JSON.stringify(join(DIST, 'commands', 'demo.action.js'))});
      const { createContext } = await import(${JSON.stringify(join(DIST, 'context.js'))});
      const { systemIO } = await import(${JSON.stringify(join(DIST, 'io', 'iostreams.js'))});
      const { interruptSignal } = await import(${JSON.stringify(join(DIST, 'io', 'signal.js'))});
      const { reportError } = await import(${JSON.stringify(join(DIST, 'main.js'))});
      // As main() does: Ctrl-C aborts the context's signal; the demo's error becomes the exit code.
      const interrupt = interruptSignal();
      const io = systemIO({ noInput: true });
      const ctx = createContext(io, ${JSON.stringify(dir)}, { secretStore: 'memory' }, { signal: interrupt.signal });
      process.exitCode = await runDemo(ctx, {}, { async afterStep(step, run) {
        if (step === 'operations') { process.stderr.write('PAUSED ' + JSON.stringify(run) + '\\n'); await new Promise(() => {}); }
      } }).catch((e) => reportError(io, e, false));
      interrupt.dispose();
      await ctx.close();`,
    );
    const child = spawn(process.execPath, [script], { stdio: ['ignore', 'ignore', 'pipe'], env: cliEnv(dir) });
    try {
      let err = '';
      const paused = new Promise<DemoRun>((resolve) =>
        child.stderr!.on('data', (d) => {
          err += d;
          const m = /PAUSED (\{.*\})/.exec(err);
          if (m) resolve(JSON.parse(m[1]));
        }),
      );
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      const run = await paused;
      expect(existsSync(run.root)).toBe(true);
      expect(await listening(run.port)).toBe(true);
      child.kill('SIGINT');
      expect(await exited).toBe(3);
      expect(err).toContain('interrupted, cleaning up');
      expect(err).toContain('connector: demo interrupted'); // a CancelError reached the error mapping: no process.exit
      expect(existsSync(run.root)).toBe(false);
      expect(await listening(run.port)).toBe(false);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
