import { mkdtemp, rm, readFile, writeFile, mkdir } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { Context } from '../context.js';
import { makeIO } from '../io/iostreams.js';
import { printJson } from '../io/output.js';
import { CancelError, CliError, ExitCode } from '../errors.js';
import { SERVICE, MemoryStore, secretAccount } from '../secrets/store.js';
import { packagePath } from '../util/package-root.js';
import { loadKeyring } from '../secrets/keychain.js';
import { load } from '../util/load.js';

/** The sample API shipped in fixtures/sample-api (plain JS, no types of its own). */
interface SampleServer {
  port: number;
  url: string;
  close(): Promise<void>;
}

/** Facts about one demo run, handed to test hooks. */
export interface DemoRun {
  root: string;
  home: string;
  port: number;
  store: 'keychain' | 'memory';
  connector: string;
  connection: string;
  /** The secret-store account of the connection's API key. */
  account: string;
}

/** Test seams: tests throw from afterStep to check the clean-up on failure. */
export interface DemoHooks {
  afterStep?(step: string, run: DemoRun): void | Promise<void>;
  /** Called when everything is cleaned up (or kept). */
  finished?(run: Partial<DemoRun>): void | Promise<void>;
}

interface Step {
  command: string;
  exitCode: number;
  stdout: string;
  stderr: string;
}

export const SAMPLE_DIR = packagePath('fixtures', 'sample-api') + '/';
const KEY_ENV = 'SAMPLE_API_KEY';
const PROBE_TIMEOUT_MS = 3000;

export default async function demo(ctx: Context, opts: { keep?: boolean } = {}): Promise<number> {
  return runDemo(ctx, opts);
}

/**
 * `connector demo`: the sample API on loopback, a throw-away registry, then the
 * same commands a user types (import, connection create, operations, run),
 * each driven through `main()` so it takes the users' code paths.
 */
export async function runDemo(ctx: Context, opts: { keep?: boolean }, hooks: DemoHooks = {}): Promise<number> {
  const io = ctx.io;
  const steps: Step[] = [];
  const bold = (s: string) => (io.color('stdout') ? `\x1b[1m${s}\x1b[0m` : s);
  const say = (s = '') => {
    if (!ctx.json) io.out(s);
  };
  const run: Partial<DemoRun> = { connector: 'sample-notes', connection: 'default' };
  const apiKey = randomBytes(18).toString('base64url');
  let server: SampleServer | undefined;
  let connectionCreated = false;
  let connectionConfirmed = false;
  let cleaned: Promise<void> | undefined;

  let interrupt!: (e: Error) => void;
  const interrupted = new Promise<never>((_, reject) => (interrupt = reject));
  interrupted.catch(() => {});
  let sigints = 0;
  const onSigint = () => {
    // The second Ctrl-C means "stop now", even mid clean-up.
    if (++sigints > 1) process.exit(130);
    io.err('connector demo: interrupted, cleaning up…');
    interrupt(new CancelError('demo interrupted'));
    // Clean up from here too: the main flow may be parked in an await that never ends.
    void cleanup()
      .catch((e: Error) => ctx.warn(`demo clean-up failed: ${e.message}`))
      .finally(() => {
        process.exitCode = ExitCode.CANCELLED;
        // If an abandoned in-flight step still holds the event loop, end anyway.
        setTimeout(() => process.exit(ExitCode.CANCELLED), 2000).unref();
      });
  };
  process.on('SIGINT', onSigint);

  /** One CLI command in-process (the users' code path), output captured. */
  const cli = async (args: string[], opts: { interruptible?: boolean } = {}): Promise<Step> => {
    const { main } = await import('../main.js');
    const stdin = new PassThrough();
    stdin.end();
    const out = new PassThrough();
    const err = new PassThrough();
    let stdout = '';
    let stderr = '';
    out.on('data', (d) => (stdout += d));
    err.on('data', (d) => (stderr += d));
    const env: NodeJS.ProcessEnv = { ...io.env, [KEY_ENV]: apiKey, NO_COLOR: '1', CONNECTOR_HOME: run.home! };
    delete env.FORCE_COLOR;
    const childIo = makeIO(stdin, out, err, env, { noInput: true });
    const overrides: Partial<Context> = run.store === 'memory' ? { secrets: async () => memory } : {};
    const argv = ['node', 'connector', '--home', run.home!, '--secret-store', run.store!, ...args];
    const pending = main(argv, childIo, overrides);
    const exitCode = opts.interruptible === false ? await pending : await Promise.race([pending, interrupted]);
    await new Promise((r) => setImmediate(r));
    return { command: `connector ${args.map(shellQuote).join(' ')}`, exitCode, stdout, stderr };
  };
  const memory = new MemoryStore();

  const step = async (name: string, args: string[]) => {
    const s = await cli(args);
    steps.push(s);
    show(s);
    if (s.exitCode !== 0) throw new CliError(`demo step failed: \`${s.command}\` exited with ${s.exitCode}`);
    await hooks.afterStep?.(name, run as DemoRun);
    return s;
  };
  const show = (s: Step) => {
    say(bold(`$ ${s.command}`));
    const text = [s.stderr.trimEnd(), prettyJson(s.stdout).trimEnd()].filter(Boolean).join('\n');
    const lines = text ? text.split('\n') : [];
    const max = 16;
    for (const line of lines.slice(0, max)) say(`  ${line}`);
    if (lines.length > max) say(`  … ${lines.length - max} more lines`);
    say();
  };

  const cleanup = () =>
    (cleaned ??= (async () => {
      const problems: string[] = [];
      if (connectionCreated) {
        const s = await cli(['connection', 'delete', `${run.connector}/${run.connection}`], { interruptible: false }).catch((e: Error) => ({
          exitCode: 1,
          stderr: e.message,
        }));
        if (s.exitCode !== 0 && connectionConfirmed) problems.push(`connection delete failed: ${firstLine(s.stderr)}`);
      }
      if (run.store === 'keychain' && run.account) {
        // Belt and braces: whatever `connection delete` did, no demo key stays in the keychain.
        const left = await keychainDelete(run.account).catch(() => false);
        if (left) problems.push('connection delete left the API key in the keychain; removed it directly');
      }
      await server?.close();
      if (run.root && !opts.keep) await rm(run.root, { recursive: true, force: true });
      for (const p of problems) ctx.warn(`demo clean-up: ${p}`);
    })());

  try {
    run.root = await mkdtemp(join(tmpdir(), 'connector-demo-'));
    run.home = join(run.root, 'home');
    server = await Promise.race([startSample(apiKey), interrupted]);
    run.port = server.port;

    const probe = ctx.secretStoreKind === 'memory' ? { ok: false, reason: '--secret-store memory' } : await probeKeychain();
    run.store = probe.ok ? 'keychain' : 'memory';
    run.account = secretAccount(run.connector!, run.connection!, 'api_key');
    if (run.store === 'keychain' && (await keychainGet(run.account)) !== null) {
      // Never touch a real connection that happens to share the demo's names.
      run.connection = `demo-${randomBytes(3).toString('hex')}`;
      run.account = secretAccount(run.connector!, run.connection, 'api_key');
    }

    const folder = join(run.root, 'sample-api');
    await copySample(folder, server.port);

    say(bold('connector demo') + ' — import a connector, connect, run operations, then clean up.');
    say(`  sample API:  ${server.url} (fixtures/sample-api, API key in X-Api-Key, random key in $${KEY_ENV})`);
    say(`  registry:    ${run.home} (throw-away)`);
    say(`  secrets:     ${run.store === 'keychain' ? 'OS keychain (probe item written, read and deleted)' : `in-memory store — no OS keychain reachable (${probe.reason})`}`);
    say();

    await step('import', ['import', folder]);
    const { Registry } = await import('../registry/registry.js');
    const names = (await new Registry(run.home).list()).map((c) => c.name);
    if (names.length !== 1) throw new CliError(`demo: expected one imported connector, found ${names.length}`);
    if (names[0] !== run.connector) {
      run.connector = names[0];
      run.account = secretAccount(run.connector, run.connection!, 'api_key');
    }
    const c = run.connector!;

    const create = ['connection', 'create', c, '--param-env', `api_key=${KEY_ENV}`, '--no-input'];
    if (run.connection !== 'default') create.push('--name', run.connection!, '--default');
    connectionCreated = true; // even a failed create may have written something: always delete
    await step('connection', create);
    connectionConfirmed = true;
    await step('operations', ['operations', c]);
    await step('run', ['run', c, 'listNotes', '-p', 'limit=2']);
    await step('run', ['run', c, 'getNote', '-p', 'id=2']);
    await step('run', ['run', c, 'createNote', '--body', '{"title":"Hello from connector demo","tags":["demo"]}']);

    printByHand(say, c);
    await cleanup();
    if (opts.keep) {
      say(`Kept the registry (the connection was deleted, the sample API is stopped):`);
      say(`  CONNECTOR_HOME=${run.home} connector operations ${c}`);
      say(`  rm -rf ${run.root}   # when done`);
    } else say('Cleaned up: connection deleted, sample API stopped, temporary registry removed.');
    if (ctx.json) printJson(io, { ok: true, secretStore: run.store, kept: opts.keep ? run.home : undefined, steps });
    return ExitCode.OK;
  } catch (e) {
    await cleanup().catch((ce: Error) => ctx.warn(`demo clean-up failed: ${ce.message}`));
    if (ctx.json) printJson(io, { ok: false, secretStore: run.store, error: (e as Error).message, steps });
    if (e instanceof CliError) throw e;
    throw new CliError(`demo failed: ${(e as Error)?.message ?? String(e)}`, { cause: e });
  } finally {
    process.off('SIGINT', onSigint);
    await hooks.finished?.(run);
  }
}

function printByHand(say: (s?: string) => void, c: string) {
  const lines = [
    `export ${KEY_ENV}=choose-a-key`,
    `node ${shellQuote(join(SAMPLE_DIR, 'server.mjs'))} --port 8787 &   # the port its Swagger file names`,
    `connector import ${shellQuote(SAMPLE_DIR.replace(/\/$/, ''))}`,
    `connector connection create ${c} --param-env api_key=${KEY_ENV} --no-input`,
    `connector operations ${c}`,
    `connector run ${c} listNotes -p limit=2`,
    `connector run ${c} searchNotes -p q=todo`,
    `connector run ${c} createNote --body '{"title":"Hello"}'`,
    `connector connection delete ${c}/default && connector remove ${c} && kill %1`,
  ];
  say('To do the same by hand:');
  for (const l of lines) say(`  $ ${l}`);
  say();
}

async function startSample(apiKey: string): Promise<SampleServer> {
  const mod = load<{
    start(o: { apiKey: string }): Promise<SampleServer>;
  }>(join(SAMPLE_DIR, 'server.mjs'));
  return mod.start({ apiKey });
}

/** A paconn folder copy whose Swagger `host` names the running server's port. */
async function copySample(folder: string, port: number) {
  await mkdir(folder, { recursive: true });
  const def = JSON.parse(await readFile(join(SAMPLE_DIR, 'apiDefinition.swagger.json'), 'utf8'));
  def.host = `127.0.0.1:${port}`;
  await writeFile(join(folder, 'apiDefinition.swagger.json'), JSON.stringify(def, null, 2));
  await writeFile(join(folder, 'apiProperties.json'), await readFile(join(SAMPLE_DIR, 'apiProperties.json')));
}

type Probe = { ok: true; reason?: undefined } | { ok: false; reason: string };

/** Is the OS keychain usable? Write, read and delete a probe item, within 3 s. */
export async function probeKeychain(timeoutMs = PROBE_TIMEOUT_MS): Promise<Probe> {
  const account = `demo-probe/${randomBytes(6).toString('hex')}`;
  const value = randomBytes(12).toString('hex');
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Probe>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, reason: `no answer within ${timeoutMs / 1000} s` }), timeoutMs);
  });
  const attempt = (async (): Promise<Probe> => {
    const { AsyncEntry } = loadKeyring();
    const entry = new AsyncEntry(SERVICE, account);
    await entry.setPassword(value);
    const got = await entry.getPassword();
    await entry.deletePassword();
    return got === value ? { ok: true } : { ok: false, reason: 'probe item read back wrong' };
  })().catch((e: Error) => ({ ok: false as const, reason: firstLine(e?.message ?? String(e)) }));
  const result = await Promise.race([attempt, timeout]);
  clearTimeout(timer);
  // A late answer may still write the probe item: remove it whenever it lands.
  if (!result.ok) void attempt.then(() => keychainDelete(account)).catch(() => {});
  return result;
}

async function keychainGet(account: string): Promise<string | null> {
  const { AsyncEntry } = loadKeyring();
  return new AsyncEntry(SERVICE, account).getPassword();
}

async function keychainDelete(account: string): Promise<boolean> {
  const { AsyncEntry } = loadKeyring();
  return new AsyncEntry(SERVICE, account).deletePassword();
}

function prettyJson(text: string): string {
  const t = text.trim();
  if (!t || t.includes('\n') || !/^[[{]/.test(t)) return text;
  try {
    return compactJson(JSON.parse(t), '');
  } catch {
    return text;
  }
}

/** Indented JSON that keeps any object or array fitting in one line on one line. */
function compactJson(v: unknown, indent: string): string {
  const flat = JSON.stringify(v);
  if (flat === undefined || v === null || typeof v !== 'object' || indent.length + flat.length <= 76) return flat ?? 'null';
  const inner = indent + '  ';
  const items = Array.isArray(v)
    ? v.map((x) => inner + compactJson(x, inner))
    : Object.entries(v).map(([k, x]) => `${inner}${JSON.stringify(k)}: ${compactJson(x, inner)}`);
  const [open, close] = Array.isArray(v) ? ['[', ']'] : ['{', '}'];
  return `${open}\n${items.join(',\n')}\n${indent}${close}`;
}

function firstLine(s: string): string {
  return (s.trim().split('\n')[0] ?? '').replace(/^connector: /, '');
}

/** Quote for a POSIX shell only when needed, so commands read as typed. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
