import { mkdtemp, rm, readFile, writeFile, mkdir } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { createContext, type Context, type GlobalOptions } from '../context.js';
import { makeIO } from '../io/iostreams.js';
import { printJson } from '../io/output.js';
import { CancelError, CliError, ExitCode, isCliError } from '../errors.js';
import { MemoryStore, secretAccount, type SecretStore } from '../secrets/store.js';
import { packagePath } from '../util/package-root.js';
import { load } from '../util/load.js';
import { COMMANDS, PROGRAM } from './index.js';
import { attributeName, optionDefaults, optionsOf, type CommandSpec, type OptionSpec } from './spec.js';

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

/** A command as the demo runs it: the words after `connector`, its arguments and options. */
interface Call {
  command: string[];
  /** Positional arguments; an array for a variadic one (`test [suites...]`). */
  args: (string | string[])[];
  /** By attribute name (`paramEnv`, `input`); global options among them go to the context. */
  opts?: Record<string, unknown>;
}

/**
 * `connector demo`: the sample API on loopback, a throw-away registry, then the
 * same commands a user types (import, connection create, operations, run). Each one
 * runs its action from the command table with a context of its own for the throw-away
 * home, sharing this context's HTTP client, browser, clock and Ctrl-C signal, and the
 * options commander would have filled in: the users' code paths, without the program.
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
  let store: SecretStore | undefined;
  let connectionCreated = false;
  let connectionConfirmed = false;
  let cleaned: Promise<void> | undefined;

  let interrupt!: (e: Error) => void;
  const interrupted = new Promise<never>((_, reject) => (interrupt = reject));
  interrupted.catch(() => {});
  /** Ends as soon as Ctrl-C comes (main aborts ctx.signal; a second Ctrl-C there exits at once). */
  const orInterrupt = <T>(p: Promise<T>) => Promise.race([p, interrupted]);
  const onAbort = () => {
    io.err('connector demo: interrupted, cleaning up…');
    interrupt(new CancelError('demo interrupted'));
    // Clean up from here too: the main flow may be parked in an await that never ends.
    void cleanup().catch((e: Error) => ctx.warn(`demo clean-up failed: ${e.message}`));
  };
  ctx.signal.addEventListener('abort', onAbort, { once: true });

  /** One command through its action, output captured, errors shown as the CLI shows them. */
  const cli = async (call: Call, o: { interruptible?: boolean } = {}): Promise<Step> => {
    const spec = commandAt(call.command);
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
    const { globals, options } = splitOptions(spec, call.opts ?? {});
    const base: Partial<Context> = { browser: ctx.browser, clock: ctx.clock, secrets: async () => store! };
    // Clean-up runs after Ctrl-C too: it gets a signal (and so an HTTP client) of its own.
    const seams: Partial<Context> =
      o.interruptible === false
        ? base
        : {
            ...base,
            signal: ctx.signal,
            get http() {
              return ctx.http;
            },
          };
    const child = createContext(childIo, run.home!, { ...globals, secretStore: run.store, input: false }, seams);
    const args = (spec.arguments ?? []).map((_, i) => call.args[i]);
    let exitCode: number;
    try {
      const action = (await spec.action!()).default;
      const pending = action(child, ...args, { ...optionDefaults(spec), ...options });
      const code = o.interruptible === false ? await pending : await orInterrupt(pending);
      exitCode = typeof code === 'number' ? code : ExitCode.OK;
    } catch (e) {
      if (e instanceof CancelError) throw e;
      exitCode = isCliError(e) ? e.exitCode : ExitCode.FAILURE;
      childIo.err(`connector: ${isCliError(e) ? e.message : `unexpected error: ${(e as Error)?.message ?? String(e)}`}`);
      if (isCliError(e) && e.hint) childIo.err(e.hint);
    } finally {
      await child.close();
    }
    await new Promise((r) => setImmediate(r));
    return { command: commandLine(spec, call), exitCode, stdout, stderr };
  };
  const memory = new MemoryStore();

  const step = async (name: string, call: Call) => {
    const s = await cli(call);
    steps.push(s);
    show(s);
    if (s.exitCode !== 0) throw new CliError(`demo step failed: \`${s.command}\` exited with ${s.exitCode}`);
    await orInterrupt(Promise.resolve(hooks.afterStep?.(name, run as DemoRun)));
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
        const s = await cli(
          { command: ['connection', 'delete'], args: [`${run.connector}/${run.connection}`], opts: { yes: true } },
          { interruptible: false },
        ).catch((e: Error) => ({
          exitCode: 1,
          stderr: e.message,
        }));
        if (s.exitCode !== 0 && connectionConfirmed) problems.push(`connection delete failed: ${firstLine(s.stderr)}`);
      }
      if (run.store === 'keychain' && run.account) {
        // Belt and braces: whatever `connection delete` did, no demo key stays in the keychain.
        const left = await store!.delete(run.account).catch(() => false);
        if (left) problems.push('connection delete left the API key in the keychain; removed it directly');
      }
      await server?.close();
      if (run.root && !opts.keep) await rm(run.root, { recursive: true, force: true });
      for (const p of problems) ctx.warn(`demo clean-up: ${p}`);
    })());

  try {
    if (ctx.signal.aborted) onAbort();
    run.root = await mkdtemp(join(tmpdir(), 'connector-demo-'));
    run.home = join(run.root, 'home');
    server = await orInterrupt(startSample(apiKey));
    run.port = server.port;

    // The context's own store, when it is the keychain; any other choice (memory, vault) runs the demo in memory.
    const chosen = ctx.secretStoreKind === 'memory' ? undefined : await ctx.secrets();
    const keychain = chosen?.kind === 'keychain' ? chosen : undefined;
    const probe = keychain ? await orInterrupt(probeKeychain(keychain)) : { ok: false, reason: `--secret-store ${ctx.secretStoreKind ?? chosen?.kind}` };
    run.store = probe.ok ? 'keychain' : 'memory';
    store = probe.ok ? keychain : memory;
    run.account = secretAccount(run.connector!, run.connection!, 'api_key');
    if (run.store === 'keychain' && (await store!.get(run.account)) !== undefined) {
      // Never touch a real connection that happens to share the demo's names.
      run.connection = `demo-${randomBytes(3).toString('hex')}`;
      run.account = secretAccount(run.connector!, run.connection, 'api_key');
    }

    const folder = join(run.root, 'sample-api');
    await copySample(folder, server.port);

    say(bold('connector demo') + ' — import a connector, connect, run operations, then clean up.');
    say(`  sample API:  ${server.url} (fixtures/sample-api, API key in X-Api-Key, random key in $${KEY_ENV})`);
    say(`  registry:    ${run.home} (throw-away)`);
    say(
      `  secrets:     ${run.store === 'keychain' ? 'OS keychain (probe item written, read and deleted)' : `in-memory store — no OS keychain reachable (${probe.reason})`}`,
    );
    say();

    await step('import', { command: ['import'], args: [folder] });
    const { Registry } = await import('../registry/registry.js');
    const names = (await new Registry(run.home, { signal: ctx.signal }).list()).map((c) => c.name);
    if (names.length !== 1) throw new CliError(`demo: expected one imported connector, found ${names.length}`);
    if (names[0] !== run.connector) {
      run.connector = names[0];
      run.account = secretAccount(run.connector, run.connection!, 'api_key');
    }
    const c = run.connector!;

    const create: Record<string, unknown> = { paramEnv: [`api_key=${KEY_ENV}`], input: false };
    if (run.connection !== 'default') Object.assign(create, { name: run.connection, default: true });
    connectionCreated = true; // even a failed create may have written something: always delete
    await step('connection', { command: ['connection', 'create'], args: [c], opts: create });
    connectionConfirmed = true;
    await step('operations', { command: ['operations'], args: [c] });
    await step('run', { command: ['run'], args: [c, 'listNotes'], opts: { param: ['limit=2'] } });
    await step('run', { command: ['run'], args: [c, 'getNote'], opts: { param: ['id=2'] } });
    await step('run', { command: ['run'], args: [c, 'createNote'], opts: { body: '{"title":"Hello from connector demo","tags":["demo"]}' } });
    // What CI would do: a suite from the spec, run, with the JUnit a pipeline publishes.
    const suiteFile = join(run.root, `${c}.suite.yaml`);
    const junit = join(run.root, 'junit.xml');
    await step('test-init', { command: ['test'], args: [['init', c]], opts: { output: suiteFile } });
    await step('test', { command: ['test'], args: [[suiteFile]], opts: { reporter: ['pretty', `junit=${junit}`] } });
    const xml = (await readFile(junit, 'utf8')).trimEnd().split('\n');
    say(`The JUnit report CI would publish (${junit}):`);
    for (const line of xml.slice(0, 12)) say(`  ${line}`);
    if (xml.length > 12) say(`  … ${xml.length - 12} more lines`);
    say();

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
    ctx.signal.removeEventListener('abort', onAbort);
    await hooks.finished?.(run);
  }
}

/** The spec of `connector <words...>`, from the command table. */
function commandAt(words: string[]): CommandSpec {
  let specs: readonly CommandSpec[] = COMMANDS;
  let spec: CommandSpec | undefined;
  for (const w of words) {
    spec = specs.find((s) => s.name === w);
    if (!spec) throw new Error(`demo: no command ${words.join(' ')}`);
    specs = spec.subcommands ?? [];
  }
  return spec!;
}

const optionNamed = (options: OptionSpec[], key: string) => options.find((o) => attributeName(o) === key);

/** A call's options split into the program's global ones and the command's own. */
function splitOptions(spec: CommandSpec, opts: Record<string, unknown>): { globals: GlobalOptions; options: Record<string, unknown> } {
  const globals: Record<string, unknown> = {};
  const options: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(opts)) {
    if (optionNamed(optionsOf(spec), k)) options[k] = v;
    else if (optionNamed([...PROGRAM.options], k)) globals[k] = v;
    else throw new Error(`demo: \`${spec.name}\` has no option ${k}`);
  }
  return { globals, options };
}

/** The call as a user types it: `connector run sample-notes listNotes -p limit=2`. */
function commandLine(spec: CommandSpec, call: Call): string {
  const words = ['connector', ...call.command, ...call.args.flat()];
  for (const [k, v] of Object.entries(call.opts ?? {})) {
    const o = optionNamed(optionsOf(spec), k) ?? optionNamed([...PROGRAM.options], k)!;
    const flag = /^-\w\b/.exec(o.flags)?.[0] ?? /--[\w-]+/.exec(o.flags)![0];
    if (typeof v === 'boolean') words.push(flag);
    else for (const value of [v].flat()) words.push(flag, String(value));
  }
  return words.map(shellQuote).join(' ');
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
    `connector test init ${c} -o ${c}.suite.yaml && connector test ${c}.suite.yaml --reporter pretty --reporter junit=junit.xml`,
    `connector remove ${c} --yes && kill %1   # its connections and their secrets go with it`,
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

/** Is the OS keychain usable? Write, read and delete a probe item through the store, within 3 s. */
export async function probeKeychain(store: SecretStore, timeoutMs = PROBE_TIMEOUT_MS): Promise<Probe> {
  const account = `demo-probe/${randomBytes(6).toString('hex')}`;
  const value = randomBytes(12).toString('hex');
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Probe>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, reason: `no answer within ${timeoutMs / 1000} s` }), timeoutMs);
  });
  const attempt = (async (): Promise<Probe> => {
    await store.set(account, value);
    const got = await store.get(account);
    await store.delete(account);
    return got === value ? { ok: true } : { ok: false, reason: 'probe item read back wrong' };
  })().catch((e: Error) => ({ ok: false as const, reason: firstLine(e?.message ?? String(e)) }));
  const result = await Promise.race([attempt, timeout]);
  clearTimeout(timer);
  // A late answer may still write the probe item: remove it whenever it lands.
  if (!result.ok) void attempt.then(() => store.delete(account)).catch(() => {});
  return result;
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
