import type { Writable } from 'node:stream';
import type { IO } from './iostreams.js';
import { displayWidth } from './output.js';
import { isCI } from './progress.js';

/**
 * The pager for long output on a terminal, as git and gh have it: `$CONNECTOR_PAGER`, else
 * `$PAGER`, else `less -FRX` (quit if it fits, keep colours, leave the text on the screen).
 * An empty value or `cat` turns it off, and so do `--no-pager`, CI and a stdout that is not a
 * terminal (a pipe, a file, `--json | jq`).
 */
export function pagerCommand(io: IO, opts: { enabled: boolean }): string | undefined {
  if (!opts.enabled || !io.stdout.isTTY || isCI(io.env)) return undefined;
  const command = (io.env.CONNECTOR_PAGER ?? io.env.PAGER ?? 'less -FRX').trim();
  return command === '' || command === 'cat' ? undefined : command;
}

/** True when `text` fills `rows` terminal rows or more at `columns` wide (a long line wraps onto several). */
export function fills(text: string, columns: number, rows: number): boolean {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  if (lines.length >= rows) return true;
  let used = 0;
  for (const line of lines) {
    // No character is wider than two columns: a short line is one row without measuring it (string-width loads slowly).
    const width = line.length * 2 <= columns ? 0 : displayWidth(line);
    if ((used += Math.max(1, Math.ceil(width / columns))) >= rows) return true;
  }
  return false;
}

/** How a pager program ended. `missing`: it could not be started (not found, not executable). */
export interface PagerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  missing?: boolean;
}

/** A running pager: the text goes to its stdin; `exited` settles when it is gone (never rejects). */
export interface PagerProcess {
  stdin: Writable;
  exited: Promise<PagerExit>;
}

/**
 * The seam through which connector starts a pager: the one program it runs for output. The
 * system one runs `command` on the terminal: split into words, or through the shell when it has
 * shell syntax (PAGER may be any shell command, as for git); tests pass a strict fake.
 */
export interface Pager {
  start(command: string, env: NodeJS.ProcessEnv): PagerProcess;
}

/** Characters that make a pager command shell syntax (git's list, run-command.c). */
const SHELL_SYNTAX = /[|&;<>()$`\\"'\n*?[#~=%]/;

export const systemPager: Pager = {
  start(command, env) {
    // Loaded here, not at the top: a run that pages nothing loads no child_process (bundle.test.ts).
    const { spawn } = process.getBuiltinModule('node:child_process');
    // `less -FRX` is run as it is; only a command with shell syntax goes through the shell (git's
    // rule): a shell in between may not pass Ctrl-C on, and dash dies of it while the pager lives on.
    const words = command.split(/[ \t]+/);
    const stdio: ['pipe', 'inherit', 'inherit'] = ['pipe', 'inherit', 'inherit'];
    const child = SHELL_SYNTAX.test(command) ? spawn(command, { shell: true, stdio, env }) : spawn(words[0], words.slice(1), { stdio, env });
    // Ctrl-C on the terminal reaches the pager too, which decides what it means (less: stop
    // reading, stay open). connector has finished its work and waits for the pager to end; dying
    // now would hand the terminal back to the shell while the pager still draws on it.
    const ignore = () => {};
    process.on('SIGINT', ignore);
    const exited = new Promise<PagerExit>((resolve) => {
      child.once('error', (e: NodeJS.ErrnoException) => resolve({ code: null, signal: null, missing: e.code === 'ENOENT' || e.code === 'EACCES' }));
      child.once('close', (code, signal) => resolve({ code, signal, missing: code === 127 || code === 126 }));
    }).finally(() => process.off('SIGINT', ignore));
    return { stdin: child.stdin, exited };
  },
};

/**
 * Show `text` through the pager `command`. The user may quit it before it has read everything
 * (`q` in less): the broken pipe that leaves is the normal end, not an error. A pager that
 * cannot start (the shell exits 127: not found) gets the text written to stdout instead, so
 * nothing is lost.
 */
export async function page(io: IO, text: string, command: string, pager: Pager): Promise<void> {
  const env = { LESS: 'FRX', LV: '-c', ...io.env };
  const child = pager.start(command, env);
  child.stdin.on('error', () => {}); // EPIPE: the pager quit early
  child.stdin.end(text);
  const exit = await child.exited;
  if (exit.missing) {
    io.err(`connector: the pager '${command}' could not be started; set PAGER (or CONNECTOR_PAGER) to another one, or to '' for none`);
    io.stdout.write(text);
  }
}
