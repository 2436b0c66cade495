import { PassThrough } from 'node:stream';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/main.js';
import { makeIO } from '../../src/io/iostreams.js';
import type { Context } from '../../src/context.js';
import { headlessBrowser, strictPager, strictSecretStore } from './context.js';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A fresh registry home for one test. */
export function tempHome(prefix = 'connector-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** The secret store was chosen by the test: an override, --secret-store or CONNECTOR_SECRET_STORE. */
function storeChosen(args: string[], env: NodeJS.ProcessEnv, overrides: Partial<Context>): boolean {
  return 'secrets' in overrides || args.some((a) => a === '--secret-store' || a.startsWith('--secret-store=')) || env.CONNECTOR_SECRET_STORE !== undefined;
}

/**
 * Run the CLI in-process with captured streams (no terminal, so no prompts).
 * `args` are the words after `connector`. Pass overrides to swap seams (e.g. a MemoryStore).
 *
 * Hermetic: the environment is only NO_COLOR, CONNECTOR_HOME (`home`, else a fresh
 * folder) and what the test passes: nothing of the developer's (HTTPS_PROXY, CONNECTOR_*,
 * DISPLAY) leaks in. No PATH (nothing in-process should start a program) and no HOME
 * (CONNECTOR_HOME is always set; the registry reads HOME only without it). The browser is
 * headless: not available, and opening a page fails the test; so does starting a pager. Unless the test chooses a
 * secret store, ctx.secrets() is a stand-in for the keychain that fails the test when the
 * command reads, writes or deletes a secret in it, instead of reaching the OS keychain. (The
 * keychain library reads the process's own DBUS_SESSION_BUS_ADDRESS, not this env: a
 * test that really uses the keychain says so with --secret-store keychain.)
 */
export async function runCli(
  args: string[],
  opts: { home?: string; env?: NodeJS.ProcessEnv; stdin?: string; overrides?: Partial<Context>; onStderr?: (all: string) => void } = {},
): Promise<RunResult> {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => {
    err += d;
    opts.onStderr?.(err); // lets a test act on a prompt, URL or device code while the command waits
  });
  if (opts.stdin !== undefined) stdin.end(opts.stdin);
  else stdin.end();
  const env: NodeJS.ProcessEnv = { NO_COLOR: '1', CONNECTOR_HOME: opts.home ?? tempHome(), ...opts.env };
  const given = opts.overrides ?? {};
  const seams: PropertyDescriptorMap = {
    browser: { value: headlessBrowser(), enumerable: true, configurable: true, writable: true },
    pager: { value: strictPager(), enumerable: true, configurable: true, writable: true },
  };
  if (!storeChosen(args, env, given)) {
    const store = strictSecretStore('pass overrides.secrets (e.g. a MemoryStore), --secret-store or CONNECTOR_SECRET_STORE');
    seams.secrets = { value: async () => store, enumerable: true, configurable: true, writable: true };
  }
  const overrides = Object.defineProperties({}, { ...seams, ...Object.getOwnPropertyDescriptors(given) }) as Partial<Context>;
  const io = makeIO(stdin, stdout, stderr, env, { noInput: args.includes('--no-input') });
  const code = await main(['node', 'connector', ...args], io, overrides);
  await new Promise((r) => setImmediate(r));
  return { code, stdout: out, stderr: err };
}

let cacheDir: string | undefined;

/**
 * The environment for a spawned `connector` (bin/connector.js), as hermetic as runCli's:
 * NO_COLOR, CONNECTOR_HOME, a V8 code cache folder of this test run's own (not the
 * user's ~/.cache, and still warm from one spawn to the next) and what the test passes.
 * No PATH (node is process.execPath; the CLI starts no other program) and no HOME
 * (nothing reads it once CONNECTOR_HOME and CONNECTOR_CACHE_DIR are set). A child that
 * uses the real keychain gets the session bus from the test, explicitly: `keychainEnv()`.
 */
export function cliEnv(home: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  cacheDir ??= tempHome('connector-test-cache-');
  return { NO_COLOR: '1', CONNECTOR_HOME: home, CONNECTOR_CACHE_DIR: cacheDir, ...extra };
}

/** The session bus of this test run (CI starts one with an unlocked keyring), for a child that uses the real keychain. */
export function keychainEnv(): NodeJS.ProcessEnv {
  const bus = process.env.DBUS_SESSION_BUS_ADDRESS;
  return bus ? { DBUS_SESSION_BUS_ADDRESS: bus } : {};
}

/** ../shared/corpus when present (tests skip, saying so, when it is absent). */
export const CORPUS_DIR = join(import.meta.dirname, '..', '..', '..', 'shared', 'corpus');

/** The message of the error `p` rejects with (the test fails if it resolves). */
export async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected a failure');
}
