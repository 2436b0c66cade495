import { Writable } from 'node:stream';
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import type { IO } from './iostreams.js';
import { fills, page, pagerCommand, systemPager } from './pager.js';
import { createProgress } from './progress.js';
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
  /**
   * The command ended (with exit code `code`): what to show, and a function that shows it (main
   * calls it last). With a non-zero `code` (an HTTP error, say) output that is not JSON is a note
   * on stderr, not a usage error: the command's own exit code stands.
   */
  finish(code?: number): () => Promise<void>;
  /**
   * The command threw: the real stdout back. What it printed before is not lost: text collected
   * for the pager is written as it is; under --query the matches in it, when it is JSON (a
   * document printed before the failure, as a folder import prints one). Nothing when empty, so
   * main's --json error document still follows.
   */
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
  // The spinner is for the person at the terminal: it decides from the real streams, not from
  // the collector (a pipe under --query). A Progress a test put in the context stays.
  if (query && Object.getOwnPropertyDescriptor(ctx, 'progress')?.get) {
    ctx.progress = createProgress({
      io: real,
      signal: ctx.signal,
      get clock() {
        return ctx.clock;
      },
      get json() {
        return ctx.json;
      },
    });
  }
  ctx.io = collected.io;
  return {
    finish(code = 0) {
      ctx.io = real;
      const text = query ? selected(query, collected.text(), real, code !== 0) : collected.text();
      const rows = real.rows();
      if (command && rows !== undefined && fills(text, real.columns() ?? 80, rows)) return () => page(real, text, command, ctx.pager ?? systemPager);
      return async () => {
        real.stdout.write(text);
      };
    },
    fail() {
      ctx.io = real;
      const text = collected.text();
      if (text.trim() === '') return;
      if (!query) real.stdout.write(text);
      else if (parse(text) !== undefined) real.stdout.write(selected(query, text, real, true));
    },
  };
}

/** `text` as JSON; undefined when it is empty or not JSON. */
function parse(text: string): { doc: unknown } | undefined {
  if (text.trim() === '') return undefined;
  try {
    return { doc: JSON.parse(text) };
  } catch {
    return undefined;
  }
}

/**
 * The matches of `query` in `text`. Text that is not JSON is a usage error, or, when the command
 * failed anyway (`failed`: its exit code stands), a note on stderr and nothing shown.
 */
function selected(query: Query, text: string, io: IO, failed: boolean): string {
  const parsed = parse(text);
  if (!parsed) {
    // The text itself stays unsaid: it can be anything a server sent.
    if (failed) {
      io.err(
        `--query: ${text.trim() === '' ? 'the command printed nothing' : 'the output is not JSON'}, so nothing was selected (the command failed; its exit code stands)`,
      );
      return '';
    }
    throw new UsageError(
      text.trim() === ''
        ? '--query: there is no output to select from (the command printed nothing)'
        : '--query: the output is not JSON, so there is nothing to select from',
      '--query selects from JSON: a JSON response body (run), or the --json document of any other command.',
    );
  }
  const matches = query.select(parsed.doc);
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
