import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/**
 * A program in a real pseudo-terminal, read back as the SCREEN shows it (tmux's own terminal
 * emulator: cursor moves, erased lines and wrapping already applied), for terminal screenshot
 * tests. Why tmux and not node-pty: node-pty is a native addon (a build per Node version and
 * platform, a new dependency); tmux is one apt package and also gives the emulated screen,
 * its scrollback and its colours (`capture-pane -e`) without writing a terminal emulator.
 *
 * Every session has its own tmux server on a private socket in a fresh temp folder, started
 * in the foreground (`tmux -D`, so it is our child and we know its pid; it also works where
 * /dev/null is not a character device, which tmux's daemon() refuses), with a config of our
 * own (no ~/.tmux.conf) and exactly the environment the test gives. `close()` ends that
 * server only (kill-server on its socket, then its pid).
 *
 * All tmux calls are asynchronous: the test process usually serves the loopback API the
 * program calls, so it must never block while it waits for the screen.
 */

const TMUX_CANDIDATES = ['/usr/bin/tmux', '/usr/local/bin/tmux', '/opt/homebrew/bin/tmux'];

/** Why tmux cannot be used here (undefined: it can): absent, or older than 3.2 (no `-D`). */
export function tmuxMissing(): string | undefined {
  const bin = tmuxPath();
  if (!bin) return `tmux not found (on PATH, ${TMUX_CANDIDATES.join(', ')}); apt-get install -y tmux`;
  const v = spawnSync(bin, ['-V'], { encoding: 'utf8' });
  const m = /tmux (?:next-)?(\d+)\.(\d+)/.exec(v.stdout ?? '');
  if (!m) return `${bin} -V printed no version (${v.error?.message ?? v.stderr})`;
  if (Number(m[1]) < 3 || (Number(m[1]) === 3 && Number(m[2]) < 2)) return `tmux ${m[1]}.${m[2]} is older than 3.2 (no -D)`;
  return undefined;
}

function tmuxPath(): string | undefined {
  const onPath = (process.env.PATH ?? '')
    .split(delimiter)
    .filter(Boolean)
    .map((d) => join(d, 'tmux'));
  return [...onPath, ...TMUX_CANDIDATES].find((p) => existsSync(p));
}

export interface StartOptions {
  /** The program's whole environment (nothing is inherited). LANG defaults to C.UTF-8, TERM to xterm-256color. */
  env: Record<string, string | undefined>;
  cols?: number;
  rows?: number;
  cwd?: string;
}

export interface CaptureOptions {
  /** Keep colour and attribute escapes (`capture-pane -e`). */
  escapes?: boolean;
  /** From the start of the scrollback, not only the visible screen. */
  history?: boolean;
  /** Lines the terminal wrapped are joined back into one (`-J`). */
  join?: boolean;
}

export interface WaitOptions extends CaptureOptions {
  /** ms; generous by default: a loaded 2-core machine starts node slowly. */
  timeout?: number;
}

/**
 * The pane runs `sh -c WRAPPER sh <status file> <cmd...>`: the shell waits for the program and
 * writes its exit status (128+n for a signal). tmux's own #{pane_dead_status} is not used: the
 * tmux server sometimes misses a SIGCHLD and leaves the program a zombie with no status until
 * another child exits (seen with tmux 3.3a, about one exit in ten). The trap keeps a Ctrl-C that
 * reaches the process group (outside raw mode) from ending the shell before it has written the
 * status; the program itself gets SIGINT with its default disposition.
 */
const WRAPPER = 's=$1; shift; trap : INT; "$@"; echo $? > "$s"';

function readStatus(file: string): number | undefined {
  try {
    const m = /^(\d+)\n$/.exec(readFileSync(file, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Sessions not closed yet, so `closeAll()` in afterEach can end them when a test fails. */
const live = new Set<TmuxSession>();

/** Start `cmd` (argv; cmd[0] an absolute path: the caller's env decides PATH) in a fresh pane. */
export async function start(cmd: string[], opts: StartOptions): Promise<TmuxSession> {
  const bin = tmuxPath();
  if (!bin) throw new Error(tmuxMissing());
  const dir = mkdtempSync(join(tmpdir(), 'connector-tmux-'));
  const socket = join(dir, 'socket');
  const conf = join(dir, 'tmux.conf');
  const env: NodeJS.ProcessEnv = { LANG: 'C.UTF-8', TERM: 'xterm-256color', ...opts.env };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  writeFileSync(
    conf,
    [
      'set -g status off', // the pane is the whole window: rows x cols
      'set -g remain-on-exit on', // keep the last screen after the program ends
      "set -g remain-on-exit-format ''", // ...without tmux's own "Pane is dead" line on it
      'set -g history-limit 10000',
      `set -g default-terminal ${quote(env.TERM!)}`, // tmux would otherwise set TERM=screen in the pane
      '',
    ].join('\n'),
  );
  const server = spawn(bin, ['-D', '-S', socket, '-f', conf], { env, stdio: ['ignore', 'ignore', 'pipe'], cwd: opts.cwd ?? dir });
  let serverErr = '';
  server.stderr!.on('data', (d) => (serverErr += d));
  const statusFile = join(dir, 'status');
  const session = new TmuxSession(bin, dir, socket, env, server, statusFile);
  live.add(session);
  try {
    const args = ['new-session', '-d', '-s', 'main', '-x', String(opts.cols ?? 100), '-y', String(opts.rows ?? 30)];
    if (opts.cwd) args.push('-c', opts.cwd);
    // The server needs a moment to create its socket; new-session is retried until it answers.
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        await session.tmux(...args, '--', '/bin/sh', '-c', WRAPPER, 'sh', statusFile, ...cmd);
        break;
      } catch (e) {
        if (server.exitCode !== null || Date.now() > deadline) throw new Error(`tmux server did not start: ${serverErr.trim() || (e as Error).message}`);
        await pause(20);
      }
    }
  } catch (e) {
    await session.close();
    throw e;
  }
  return session;
}

/** Close every session a test left open. */
export async function closeAll(): Promise<void> {
  await Promise.all([...live].map((s) => s.close()));
}

export class TmuxSession {
  /** Every screen this session captured, in order (e.g. to check a secret was never on any of them). */
  readonly seen: string[] = [];
  private closed = false;

  constructor(
    private readonly bin: string,
    private readonly dir: string,
    private readonly socket: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly server: ChildProcess,
    private readonly statusFile: string,
  ) {}

  /** One tmux command on this session's server; resolves with its stdout. */
  tmux(...args: string[]): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile(this.bin, ['-S', this.socket, ...args], { env: this.env, encoding: 'utf8', timeout: 10_000 }, (err, stdout, stderr) => {
        if (err) reject(new Error(`tmux ${args[0]}: ${stderr.trim() || err.message}`));
        else resolve(stdout);
      });
    });
  }

  /** Type `text` literally (no key names interpreted). */
  async type(text: string): Promise<void> {
    await this.tmux('send-keys', '-t', 'main', '-l', text);
  }

  /** Press keys by tmux's names: 'Enter', 'C-c', 'Down', 'BSpace'. */
  async press(...keys: string[]): Promise<void> {
    await this.tmux('send-keys', '-t', 'main', ...keys);
  }

  /** The screen now: lines with trailing blanks (and trailing empty lines) removed. */
  async screen(opts: CaptureOptions = {}): Promise<string> {
    return (await this.capture(opts)).text;
  }

  /**
   * Poll the screen until it matches, and return that screen. Rejects, showing the last
   * screen, when the deadline passes or the program ends without ever showing it.
   */
  async waitFor(pattern: string | RegExp, opts: WaitOptions = {}): Promise<string> {
    const matches = (s: string) => (typeof pattern === 'string' ? s.includes(pattern) : pattern.test(s));
    const deadline = Date.now() + (opts.timeout ?? 15_000);
    for (;;) {
      const { text, dead } = await this.capture(opts);
      if (matches(text)) return text;
      // A dead pane's screen is final (tmux had read all its output when the pty closed).
      if (dead) throw new Error(`the program ended without showing ${pattern}; its screen:\n${text}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}; the screen:\n${text}`);
      await pause(25);
    }
  }

  /**
   * The program's exit status once it has ended and tmux has read all it printed (so the
   * screen is final). Polls; rejects after `timeout` ms.
   */
  async exitCode(timeout = 15_000): Promise<number> {
    const deadline = Date.now() + timeout;
    for (;;) {
      const status = readStatus(this.statusFile);
      // pane_dead: the pty closed, i.e. tmux has read the program's last output.
      if (status !== undefined && (await this.tmux('display-message', '-p', '-t', 'main', '#{pane_dead}')).trim() === '1') return status;
      if (Date.now() > deadline) throw new Error(`still running after ${timeout} ms; the screen:\n${await this.screen()}`);
      await pause(25);
    }
  }

  /** The pane's size as tmux reports it. */
  async size(): Promise<{ cols: number; rows: number }> {
    const [cols, rows] = (await this.tmux('display-message', '-p', '-t', 'main', '#{pane_width} #{pane_height}')).trim().split(' ').map(Number);
    return { cols, rows };
  }

  /** End this session's tmux server (and with it the program) and remove its folder. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    live.delete(this);
    if (this.server.exitCode === null && this.server.signalCode === null) {
      const ended = new Promise<void>((r) => this.server.once('exit', () => r()));
      await this.tmux('kill-server').catch(() => undefined);
      const timer = setTimeout(() => this.server.kill('SIGKILL'), 3000);
      await ended;
      clearTimeout(timer);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** One capture and the pane's dead flag, in a single tmux call (so a poll costs one process). */
  private async capture(opts: CaptureOptions): Promise<{ text: string; dead: boolean }> {
    const args = ['capture-pane', '-p', '-t', 'main'];
    if (opts.escapes) args.push('-e');
    if (opts.join) args.push('-J');
    if (opts.history) args.push('-S', '-');
    const out = await this.tmux(...args, ';', 'display-message', '-p', '-t', 'main', '#{pane_dead}');
    const cut = out.lastIndexOf('\n', out.length - 2);
    const dead = out.slice(cut + 1).trim() === '1';
    const text = out
      .slice(0, cut + 1)
      .split('\n')
      .map((l) => l.trimEnd())
      .join('\n')
      .trimEnd();
    this.seen.push(text);
    return { text, dead };
  }
}

function pause(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function quote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
