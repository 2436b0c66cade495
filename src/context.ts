import type { IO } from './io/iostreams.js';
import { UsageError } from './errors.js';
import { HttpClient } from './http/client.js';
import { systemBrowser, type Browser } from './io/browser.js';
import { systemClock, type Clock } from './io/clock.js';
import { createProgress, type Progress } from './io/progress.js';
import { sanitizeText } from './io/sanitize.js';
import type { Prompter } from './io/prompter.js';
import type { Pager } from './io/pager.js';
import type { Registry } from './registry/registry.js';
import type { SecretStore } from './secrets/store.js';

export interface GlobalOptions {
  home?: string;
  json?: boolean;
  input?: boolean; // commander: --no-input sets input=false
  verbose?: boolean;
  secretStore?: 'keychain' | 'vault' | 'memory';
  /** --query <jsonpath> (io/present.ts applies it). */
  query?: string;
  pager?: boolean; // commander: --no-pager sets pager=false
}

/**
 * The factory every command receives (modelled on gh's cmdutil.Factory), and the
 * only door through which side effects enter: streams and environment (io), the
 * registry, the secret store, the prompter, HTTP, the browser, the clock and the
 * Ctrl-C signal. Outside main.ts, io/ and the HTTP client nothing reads process.*
 * or calls the global fetch, so tests build a Context in memory (test/helpers/context.ts).
 * Three deliberate exceptions sit below the Context: boot/compile-cache.ts (runs before
 * main), util/load.ts (the module loader's fallback) and fs/ (a lock's owner is a pid,
 * and its liveness is kill(pid, 0)).
 */
export interface Context {
  io: IO;
  /** The one HTTP client (proxy-aware, keep-alive pool), created on first use; main closes it. */
  readonly http: HttpClient;
  browser: Browser;
  clock: Clock;
  /** Spinner and bar lines on stderr while a wait lasts (src/io/progress.ts); shown only to a person at a terminal. */
  progress: Progress;
  /** Aborted on Ctrl-C / SIGTERM: every wait ends with CancelError (exit 3). */
  signal: AbortSignal;
  home: string;
  json: boolean;
  verbose: boolean;
  noInput: boolean;
  registry(): Promise<Registry>;
  secrets(): Promise<SecretStore>;
  prompter(): Promise<Prompter>;
  /** Starts the pager for long output (io/pager.ts); unset: the system one. Tests pass a strict fake. */
  pager?: Pager;
  /** Secret store choice from --secret-store / CONNECTOR_SECRET_STORE. */
  secretStoreKind?: 'keychain' | 'vault' | 'memory';
  /** Release what the context opened (kept-alive sockets hold the process open). */
  close(): Promise<void>;
  /** Warnings printed once. */
  warn(message: string): void;
  debug(message: string): void;
}

const STORES = ['keychain', 'vault', 'memory'] as const;

/** CONNECTOR_SECRET_STORE, checked like the --secret-store flag it stands for. */
function envSecretStore(env: NodeJS.ProcessEnv): Context['secretStoreKind'] {
  const v = env.CONNECTOR_SECRET_STORE;
  if (!v) return undefined;
  if (!(STORES as readonly string[]).includes(v)) {
    throw new UsageError(`CONNECTOR_SECRET_STORE is '${v}'; use one of ${STORES.join(', ')}`);
  }
  return v as Context['secretStoreKind'];
}

export function createContext(io: IO, home: string, opts: GlobalOptions, overrides: Partial<Context> = {}): Context {
  let registry: Promise<Registry> | undefined;
  let secrets: Promise<SecretStore> | undefined;
  let http: HttpClient | undefined;
  let progress: Progress | undefined;
  const signal = overrides.signal ?? new AbortController().signal;
  const noInput = opts.input === false;
  const warned = new Set<string>();
  const ctx: Context = {
    io,
    get http() {
      return (http ??= new HttpClient({ env: io.env, signal }));
    },
    browser: systemBrowser(io.env, io.platform),
    clock: systemClock,
    get progress() {
      return (progress ??= createProgress(ctx));
    },
    set progress(p) {
      progress = p;
    },
    signal,
    home,
    json: Boolean(opts.json),
    verbose: Boolean(opts.verbose),
    noInput,
    secretStoreKind: opts.secretStore ?? envSecretStore(io.env),
    registry() {
      registry ??= import('./registry/registry.js').then((m) => new m.Registry(home, { signal }));
      return registry;
    },
    secrets() {
      secrets ??= import('./secrets/open.js').then((m) => m.openSecretStore(ctx));
      return secrets;
    },
    async prompter() {
      const m = await import('./io/prompter.js');
      if (noInput) return m.noPrompter('--no-input was given');
      if (!io.canPrompt()) return m.noPrompter('stdin/stdout is not a terminal');
      return m.inquirerPrompter(io, signal);
    },
    async close() {
      await http?.close();
    },
    warn(message) {
      if (warned.has(message)) return;
      warned.add(message);
      io.err(`${io.color('stderr') ? '\x1b[33mwarning:\x1b[0m' : 'warning:'} ${sanitizeText(message)}`);
    },
    debug(message) {
      if (ctx.verbose) io.err(`* ${sanitizeText(message)}`);
    },
  };
  // Overrides replace seams; a getter in them (a test's strict stub) stays a getter.
  Object.defineProperties(ctx, Object.getOwnPropertyDescriptors(overrides));
  return ctx;
}
