import { Writable } from 'node:stream';
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import type { IO } from './iostreams.js';
import { fills, page, pagerCommand, systemPager } from './pager.js';
import { compileQuery, formatMatches, type Query } from './query.js';

/**
 * How a command's stdout reaches the user when `--query` or the pager is in play (main.ts wraps
 * every action in this; the commands themselves print as always).
 *
 * While the command runs its stdout is collected, on an IO that is otherwise the real one (same
 * terminal facts, prompts and stderr unchanged). Then:
 * - `--query`: the collected text is the JSON to select from (the --json document, which
 *   --query implies; for `run`, the response body), and the matches are what is shown;
 * - the pager: what is shown goes through it when it is taller than the terminal, and straight
 *   to stdout otherwise. Paging happens after the command is done and main has stopped listening
 *   for Ctrl-C (`show()`), so the pager owns the terminal until it ends.
 */
export interface Presentation {
  /** The command ended well: what to show, and a function that shows it (main calls it last). */
  finish(): () => Promise<void>;
  /** The command failed: the real stdout back; text collected for the pager is written as it is. */
  fail(): void;
}

export interface PresentOptions {
  /** --query (undefined: none). */
  query?: string;
  /** false under --no-pager. */
  pager: boolean;
  /** The command pages long output (its spec says `pager: true`). */
  pages: boolean;
  /** What --query selects from: the --json document (default), or what the command prints (run). */
  queries?: 'json' | 'output';
}

/** Undefined when there is nothing to do (no --query, no pager): then stdout is left alone. */
export function present(ctx: Context, opts: PresentOptions): Presentation | undefined {
  const query = opts.query === undefined ? undefined : compileQuery(opts.query);
  const command = opts.pages ? pagerCommand(ctx.io, { enabled: opts.pager }) : undefined;
  if (!query && !command) return undefined;
  if (query && opts.queries !== 'output') ctx.json = true;
  const real = ctx.io;
  const collected = collect(real, { terminal: !query });
  ctx.io = collected.io;
  return {
    finish() {
      ctx.io = real;
      const text = query ? selected(query, collected.text(), real) : collected.text();
      const rows = real.rows();
      if (command && rows !== undefined && fills(text, real.columns() ?? 80, rows)) return () => page(real, text, command, ctx.pager ?? systemPager);
      return async () => {
        real.stdout.write(text);
      };
    },
    fail() {
      ctx.io = real;
      if (!query) real.stdout.write(collected.text());
    },
  };
}

function selected(query: Query, text: string, io: IO): string {
  let doc: unknown;
  try {
    if (text.trim() === '') throw new Error('empty');
    doc = JSON.parse(text);
  } catch {
    // The text itself stays unsaid: it can be anything a server sent.
    throw new UsageError(
      text.trim() === ''
        ? '--query: there is no output to select from (the command printed nothing)'
        : '--query: the output is not JSON, so there is nothing to select from',
      '--query selects from JSON: a JSON response body (run), or the --json document of any other command.',
    );
  }
  const matches = query.select(doc);
  if (!matches.length) io.err(`--query '${query.path}' matched nothing`);
  return formatMatches(matches, Boolean(io.stdout.isTTY));
}

/**
 * An IO like `io` whose stdout is collected. `terminal`: the command still sees the terminal
 * (colours, widths) as it would; for --query it sees a pipe, so it prints plain JSON (run: the raw
 * body, not a coloured rendering of it).
 */
function collect(io: IO, opts: { terminal: boolean }): { io: IO; text(): string } {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
      done();
    },
  });
  const real = io.stdout;
  Object.assign(sink, opts.terminal ? { isTTY: real.isTTY, columns: real.columns, rows: real.rows } : { isTTY: false });
  // A copy of the IO (its getters stay getters: systemIO's stdin is created on first use).
  const copy = Object.defineProperties({}, Object.getOwnPropertyDescriptors(io)) as IO;
  copy.stdout = sink;
  copy.out = (text) => {
    sink.write(text.endsWith('\n') ? text : text + '\n');
  };
  if (!opts.terminal) {
    copy.columns = () => undefined;
    copy.rows = () => undefined;
    copy.color = (stream) => (stream === 'stdout' ? false : io.color(stream));
  }
  return { io: copy, text: () => Buffer.concat(chunks).toString('utf8') };
}
