import type { Readable, Writable } from 'node:stream';

/**
 * The process's streams and terminal facts. Commands never touch process.stdout
 * directly, so every command can be driven in memory by tests.
 */
export interface IO {
  stdin: Readable & { isTTY?: boolean };
  stdout: Writable & { isTTY?: boolean; columns?: number; rows?: number };
  stderr: Writable & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  /** The OS (process.platform; tests may pretend another). */
  platform: NodeJS.Platform;
  /** True when both stdin and stdout are terminals and --no-input was not given. */
  canPrompt(): boolean;
  /**
   * The width tables fit on stdout, or undefined when they need not (not a terminal: a pipe or
   * a file gets full rows). On a terminal: COLUMNS when it is a positive integer, else the
   * terminal's own width, else 80.
   */
  columns(): number | undefined;
  /** The height of the terminal on stdout (LINES, else the terminal's), undefined when stdout is no terminal. */
  rows(): number | undefined;
  /** Colour on stdout/stderr (terminal, NO_COLOR unset). */
  color(stream: 'stdout' | 'stderr'): boolean;
  out(text: string): void;
  err(text: string): void;
}

export function systemIO(opts: { noInput?: boolean } = {}): IO {
  // `connector operations x | head`: a closed pipe ends the process quietly, as in any Unix tool.
  for (const s of [process.stdout, process.stderr]) {
    s.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw e;
    });
  }
  // process.stdin is created on first access (a pipe or TTY handle); most commands never read it.
  const io = makeIO(undefined as unknown as IO['stdin'], process.stdout, process.stderr, process.env, opts);
  Object.defineProperty(io, 'stdin', { get: () => process.stdin, enumerable: true });
  return io;
}

export function makeIO(
  stdin: IO['stdin'],
  stdout: IO['stdout'],
  stderr: IO['stderr'],
  env: NodeJS.ProcessEnv,
  opts: { noInput?: boolean; platform?: NodeJS.Platform } = {},
): IO {
  const io: IO = {
    stdin,
    stdout,
    stderr,
    env,
    platform: opts.platform ?? process.platform,
    canPrompt() {
      if (opts.noInput) return false;
      return Boolean(io.stdin.isTTY && stdout.isTTY);
    },
    columns() {
      if (!stdout.isTTY) return undefined;
      return size(env.COLUMNS) ?? (stdout.columns || 80);
    },
    rows() {
      if (!stdout.isTTY) return undefined;
      return size(env.LINES) ?? (stdout.rows || 24);
    },
    color(stream) {
      if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
      if (env.FORCE_COLOR && env.FORCE_COLOR !== '0') return true;
      return Boolean((stream === 'stdout' ? stdout : stderr).isTTY);
    },
    out(text) {
      stdout.write(text.endsWith('\n') ? text : text + '\n');
    },
    err(text) {
      stderr.write(text.endsWith('\n') ? text : text + '\n');
    },
  };
  return io;
}

/** A COLUMNS / LINES value: a positive integer, else undefined (unset, empty, junk). */
function size(value: string | undefined): number | undefined {
  if (!value || !/^\d+$/.test(value)) return undefined;
  const n = Number(value);
  return n > 0 ? n : undefined;
}
