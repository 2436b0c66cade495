import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The BUILT CLI (bin/connector.js → dist/cli, `npm run build` first) as a child process with a
 * minimal environment: nothing inherited (no HTTPS_PROXY, DISPLAY or CONNECTOR_* from the
 * developer's shell) but PATH, plus what the test passes.
 */
export const ROOT = join(import.meta.dirname, '..', '..');
export const BIN = join(ROOT, 'bin', 'connector.js');

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliChild {
  proc: ChildProcess;
  readonly stdout: string;
  readonly stderr: string;
  /** Resolves with the first match of `re` in stderr (rejects if the process ends first or after `ms`). */
  waitForStderr(re: RegExp, ms?: number): Promise<RegExpExecArray>;
  done: Promise<ChildResult>;
}

export function builtCliExists(): boolean {
  return existsSync(join(ROOT, 'dist', 'cli', 'main.cjs'));
}

/** The V8 code cache of the bundle, outside every home (so a home's files are only what the CLI wrote there). */
let cacheDir: string | undefined;

export function minimalEnv(home: string, env: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  cacheDir ??= mkdtempSync(join(tmpdir(), 'connector-child-cache-'));
  return { PATH: process.env.PATH, HOME: home, CONNECTOR_HOME: home, CONNECTOR_CACHE_DIR: cacheDir, NO_COLOR: '1', ...env };
}

/** Children still running, so a failed test does not leave one waiting for a sign-in. */
const live = new Set<ChildProcess>();

/** SIGKILL, by pid, every child this module started that has not ended (for afterEach). */
export function killLeftovers(): void {
  for (const p of live) p.kill('SIGKILL');
}

export function spawnCli(args: string[], o: { home: string; env?: NodeJS.ProcessEnv; stdin?: string }): CliChild {
  const proc = spawn(process.execPath, [BIN, ...args], { cwd: o.home, stdio: ['pipe', 'pipe', 'pipe'], env: minimalEnv(o.home, o.env) });
  live.add(proc);
  proc.once('exit', () => live.delete(proc));
  let stdout = '';
  let stderr = '';
  const waiters = new Set<() => void>();
  proc.stdout!.on('data', (d) => (stdout += d));
  proc.stderr!.on('data', (d) => {
    stderr += d;
    for (const w of waiters) w();
  });
  proc.stdin!.end(o.stdin ?? '');
  const done = new Promise<ChildResult>((resolve, reject) => {
    proc.on('error', reject);
    proc.on('close', (code, signal) => {
      for (const w of waiters) w();
      resolve({ code, signal, stdout, stderr });
    });
  });
  let ended = false;
  void done.then(() => (ended = true));
  return {
    proc,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    done,
    waitForStderr(re, ms = 10_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => finish(new Error(`timed out after ${ms} ms waiting for ${re} on stderr:\n${stderr}`)), ms);
        const check = () => {
          const m = re.exec(stderr);
          if (m) return finish(undefined, m);
          if (ended || proc.exitCode !== null) finish(new Error(`the CLI ended (exit ${proc.exitCode}) before printing ${re}; stderr:\n${stderr}`));
        };
        function finish(err?: Error, m?: RegExpExecArray) {
          clearTimeout(timer);
          waiters.delete(check);
          if (err) reject(err);
          else resolve(m!);
        }
        waiters.add(check);
        check();
      });
    },
  };
}

/** The child's end, or a rejection naming what it printed if it is still running after `ms`. */
export function endWithin(child: CliChild, ms: number): Promise<ChildResult> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still running ${ms} ms after the signal; stderr:\n${child.stderr}`)), ms);
  });
  return Promise.race([child.done, late]).finally(() => clearTimeout(timer));
}

/** Run the built CLI to its end. */
export function runBuilt(args: string[], o: { home: string; env?: NodeJS.ProcessEnv; stdin?: string }): Promise<ChildResult> {
  return spawnCli(args, o).done;
}
