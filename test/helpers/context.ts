import { PassThrough } from 'node:stream';
import { onTestFinished } from 'vitest';
import { createContext, type Context } from '../../src/context.js';
import { makeIO, type IO } from '../../src/io/iostreams.js';
import type { Browser } from '../../src/io/browser.js';
import type { Prompter } from '../../src/io/prompter.js';
import type { Progress } from '../../src/io/progress.js';
import type { Pager, PagerExit } from '../../src/io/pager.js';
import type { SecretStore } from '../../src/secrets/store.js';

/** The side-effect seams of a Context: testContext makes each one a test did not provide throw. */
export const SEAMS = ['io', 'registry', 'secrets', 'prompter', 'http', 'browser', 'clock', 'signal'] as const;
export type Seam = (typeof SEAMS)[number];
const CALLED = new Set<keyof Context>(['registry', 'secrets', 'prompter']);

/** A test reached for something it did not set up (a seam, a prompt, a browser). */
export class TestSetupError extends Error {
  override name = 'TestSetupError';
}

/**
 * Fail the test with `message` even if the code under test catches the error it is
 * thrown as (a probe that falls back, a command that reports "unexpected error").
 * Outside a running test (a beforeAll, a module body) only the throw remains.
 */
export function setupFailure(message: string): TestSetupError {
  const e = new TestSetupError(message);
  try {
    onTestFinished(() => {
      throw e;
    });
  } catch {
    // not inside a test
  }
  return e;
}

/** A seam that fails, naming itself, the moment it is used (a getter, or a method that rejects). */
export function missingSeam(seam: keyof Context, hint = `pass ${seam} to testContext()`): PropertyDescriptor {
  const fail = () => setupFailure(`test did not provide ctx.${seam}${CALLED.has(seam) ? '()' : ''} (${hint})`);
  if (CALLED.has(seam))
    return {
      value: async () => {
        throw fail();
      },
      configurable: true,
      enumerable: true,
      writable: true,
    };
  return {
    get() {
      throw fail();
    },
    // a test may still plug the seam in afterwards
    set(this: Context, value: unknown) {
      Object.defineProperty(this, seam, { value, configurable: true, enumerable: true, writable: true });
    },
    configurable: true,
    enumerable: true,
  };
}

/**
 * A stand-in for the default (keychain) store that fails the test on any read, write or
 * delete. Only looking at its `kind` is allowed: storeFor() does that to decide that a
 * connection recorded in the vault needs no keychain at all.
 */
export function strictSecretStore(hint: string): SecretStore {
  const fail = async (what: string): Promise<never> => {
    throw setupFailure(`test did not provide ctx.secrets() (the code used ${what}; ${hint})`);
  };
  return {
    kind: 'keychain',
    get: (account) => fail(`get('${account}')`),
    set: (account) => fail(`set('${account}')`),
    delete: (account) => fail(`delete('${account}')`),
    describe: () => {
      throw setupFailure(`test did not provide ctx.secrets() (the code used describe(); ${hint})`);
    },
  };
}

/**
 * What createContext reads from `io` while it is being built (io.env, for the browser and
 * the secret-store choice, both replaced here); every other use fails like a missing seam.
 */
function absentIO(): IO {
  const fail = (what: string) => () => {
    throw setupFailure(`test did not provide ctx.io (the code used ${what})`);
  };
  return {
    env: {},
    platform: 'linux',
    get stdin(): never {
      return fail('io.stdin')();
    },
    get stdout(): never {
      return fail('io.stdout')();
    },
    get stderr(): never {
      return fail('io.stderr')();
    },
    canPrompt: fail('io.canPrompt()'),
    columns: fail('io.columns() (a table?)'),
    rows: fail('io.rows()'),
    color: fail('io.color() (a warning or debug line?)'),
    out: fail('io.out()'),
    err: fail('io.err() (a warning or debug line?)'),
  };
}

/**
 * A Context for a unit test: exactly the seams the test passes, and every other one
 * (io, registry, secrets, prompter, http, browser, clock, signal) throws "test did not
 * provide ctx.<seam>" when used, and fails the test even if the code catches that.
 * The real ones never stand in by accident: no keychain, no inquirer, no browser,
 * no sockets, no timers the test did not choose.
 *
 * `home` counts as providing the registry: the real Registry on the test's own folder
 * (that folder is its only input). Plain fields (json, verbose, noInput,
 * secretStoreKind) default as createContext has them; `home` alone throws when read.
 * ctx.progress is a recordingProgress() unless given: no line, no clock, what it would show kept.
 * Getters in `overrides` stay getters.
 */
export function testContext(overrides: Partial<Context> = {}): Context {
  const given = (key: keyof Context) => Object.hasOwn(overrides, key);
  const strict: PropertyDescriptorMap = {};
  for (const seam of SEAMS) {
    if (given(seam)) continue;
    if (seam === 'registry' && given('home')) continue;
    strict[seam] = missingSeam(seam);
  }
  if (!given('home')) strict.home = missingSeam('home');
  // Never the terminal's: a test sees what would have been shown in ctx.progress.shown.
  if (!given('progress')) strict.progress = { value: recordingProgress(), configurable: true, enumerable: true, writable: true };
  const io = given('io') ? overrides.io! : absentIO();
  const home = given('home') ? overrides.home! : '/nonexistent/testContext-without-home';
  const ctx = createContext(io, home, {});
  Object.defineProperties(ctx, strict);
  Object.defineProperties(ctx, Object.getOwnPropertyDescriptors(overrides));
  return ctx;
}

export type RecordingProgress = Progress & {
  /** What each wait would have shown, in order: `spin: <label>` (a label function as it read when the wait began) or `bar: <label> <done>/<total> <last step>` when it was done. */
  readonly shown: string[];
};

/**
 * testContext's ctx.progress: runs the work without any line (no stream, no clock), and records
 * what a terminal would have shown. A bar never done() fails the test (it would stay on the screen).
 */
export function recordingProgress(): RecordingProgress {
  const shown: string[] = [];
  const open = new Set<string>();
  try {
    onTestFinished(() => {
      if (open.size) throw new TestSetupError(`a progress bar was never done(): ${[...open].join(', ')}`);
    });
  } catch {
    // not inside a test
  }
  return {
    shown,
    async spin(label, work) {
      shown.push(`spin: ${typeof label === 'function' ? label() : label}`);
      return work();
    },
    bar(total, label) {
      let done = 0;
      let name = '';
      open.add(label);
      return {
        step: (n) => void (name = n),
        tick: () => void (done = Math.min(total, done + 1)),
        done() {
          if (!open.delete(label)) return;
          shown.push(`bar: ${label} ${done}/${total}${name ? ` ${name}` : ''}`);
        },
      };
    },
  };
}

/** In-memory streams (no terminal unless `tty`) and what was written to them. */
export function memoryIO(opts: { env?: NodeJS.ProcessEnv; stdin?: string; tty?: boolean; noInput?: boolean } = {}): {
  io: IO;
  stdout: () => string;
  stderr: () => string;
} {
  const stream = () => (opts.tty ? Object.assign(new PassThrough(), { isTTY: true }) : new PassThrough());
  const stdin = stream();
  const out = stream();
  const err = new PassThrough();
  let o = '';
  let e = '';
  out.on('data', (d) => (o += d));
  err.on('data', (d) => (e += d));
  if (opts.stdin !== undefined) stdin.end(opts.stdin);
  else stdin.end();
  const io = makeIO(stdin, out, err, { NO_COLOR: '1', ...opts.env }, { noInput: opts.noInput });
  return { io, stdout: () => o, stderr: () => e };
}

/** One question as the code asked it (choices as `name=value`). */
export interface Asked {
  kind: 'input' | 'password' | 'select' | 'confirm' | 'search';
  message: string;
  choices?: string[];
  hint?: string;
  default?: string | boolean;
}

export type StrictPrompter = Prompter & {
  /** Every question asked, in order. */
  readonly asked: Asked[];
  /** Throws if an answer was never asked for (also checked when the test finishes). */
  verify(): void;
};

/**
 * A scripted prompter that answers by question text, as gh's prompter stub: a question
 * with no scripted answer fails (the test too, even if the command catches it), and so
 * does an answer no question used. A confirm takes `true`/`false` (or 'yes'/'no').
 */
export function strictPrompter(answers: Record<string, string | boolean>): StrictPrompter {
  const asked: Asked[] = [];
  const used = new Set<string>();
  const answer = (q: Asked): string | boolean => {
    asked.push(q);
    if (!Object.hasOwn(answers, q.message)) {
      const scripted = Object.keys(answers).map((k) => `'${k}'`);
      throw setupFailure(`unexpected ${q.kind} prompt: '${q.message}' (scripted: ${scripted.join(', ') || 'none'})`);
    }
    used.add(q.message);
    return answers[q.message];
  };
  const text = (q: Asked) => String(answer(q));
  const verify = () => {
    const unused = Object.keys(answers).filter((k) => !used.has(k));
    if (unused.length) throw new TestSetupError(`scripted answers never asked for: ${unused.map((k) => `'${k}'`).join(', ')}`);
  };
  try {
    onTestFinished(verify);
  } catch {
    // not inside a test: the caller calls verify()
  }
  return {
    asked,
    verify,
    async input(message, o = {}) {
      return text({ kind: 'input', message, hint: o.hint, default: o.default });
    },
    async password(message, o = {}) {
      return text({ kind: 'password', message, hint: o.hint });
    },
    async select(message, choices, o = {}) {
      const value = text({ kind: 'select', message, choices: choices.map((c) => `${c.name}=${c.value}`), default: o.default });
      if (!choices.some((c) => c.value === value)) throw setupFailure(`scripted answer '${value}' to '${message}' is not one of its choices`);
      return value;
    },
    async confirm(message, o = {}) {
      const a = answer({ kind: 'confirm', message, default: o.default });
      return a === true || a === 'yes';
    },
    async search(message, choices, o = {}) {
      const value = text({ kind: 'search', message, choices: choices.map((c) => `${c.name}=${c.value}`), hint: o.hint });
      if (!o.free && !choices.some((c) => c.value === value)) throw setupFailure(`scripted answer '${value}' to '${message}' is not one of its choices`);
      return value;
    },
  };
}

export type StrictBrowser = Browser & { readonly opened: string[] };

/**
 * A browser that is there (or not, `available: false`) and hands every URL it is asked to
 * open to `onOpen` (a test drives the sign-in page itself). Opening a page with no
 * `onOpen` fails the test; so does an `onOpen` that never got a URL.
 */
export function strictBrowser(opts: { available?: boolean; onOpen?: (url: string) => unknown } = {}): StrictBrowser {
  const opened: string[] = [];
  if (opts.onOpen) {
    try {
      onTestFinished(() => {
        if (!opened.length) throw new TestSetupError('the test expected a browser to open, and none did');
      });
    } catch {
      // not inside a test
    }
  }
  return {
    opened,
    available: () => opts.available ?? true,
    async open(url) {
      opened.push(url);
      if (!opts.onOpen) throw setupFailure(`unexpected browser open: ${url}`);
      await opts.onOpen(url);
    },
  };
}

/** No display: `available()` is false, and opening a page anyway fails the test. */
export function headlessBrowser(): StrictBrowser {
  return strictBrowser({ available: false });
}

export type StrictPager = Pager & {
  /** Each start: the command, its environment, and all the text it was given (once its stdin ended). */
  readonly started: { command: string; env: NodeJS.ProcessEnv; text: Promise<string> }[];
};

/**
 * A pager that takes the text it is given and ends as `exit` says (default: exit 0 once its
 * input ended). Without `exit` allowed (`strictPager()`), starting it fails the test: no test
 * pages by accident.
 */
export function strictPager(opts: { exit?: (text: string) => PagerExit | Promise<PagerExit> } = {}): StrictPager {
  const started: StrictPager['started'] = [];
  return {
    started,
    start(command, env) {
      if (!opts.exit) throw setupFailure(`unexpected pager start: ${command}`);
      const stdin = new PassThrough();
      let text = '';
      stdin.on('data', (d) => (text += d));
      const ended = new Promise<string>((resolve) => stdin.on('end', () => resolve(text)));
      started.push({ command, env, text: ended });
      return { stdin, exited: ended.then((t) => opts.exit!(t)) };
    },
  };
}
