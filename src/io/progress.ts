import type { Clock } from './clock.js';
import type { IO } from './iostreams.js';
import { sanitizeLine } from './sanitize.js';
import { cut } from './output.js';
import { load } from '../util/load.js';

/** A wait shorter than this gets no line at all: a quick request never flickers. */
export const PROGRESS_DELAY_MS = 300;

/** What a line says: fixed text (elapsed seconds are added to it), or text made afresh each second. */
export type ProgressLabel = string | (() => string);

/**
 * Progress on stderr for a person watching a terminal (gh's progress indicator): one line,
 * drawn only once a wait has lasted PROGRESS_DELAY_MS (timed with ctx.clock), redrawn each
 * second, and erased when the wait ends — by its result, an error or Ctrl-C — so nothing is
 * left on the screen. Lines printed meanwhile (ctx.io.err) go above it. Nothing is ever
 * written to stdout, and nothing at all unless progressShown() holds.
 */
export interface Progress {
  /** Run `work`, with a spinner saying `label` while it takes longer than PROGRESS_DELAY_MS. */
  spin<T>(label: ProgressLabel, work: () => Promise<T>): Promise<T>;
  /** A bar over `total` steps (`label` before it). The caller prints its own line per step: those are what a log keeps. */
  bar(total: number, label: string): ProgressBar;
}

export interface ProgressBar {
  /** Name what is being worked on now (shown after the bar). */
  step(name: string): void;
  /** One step finished. */
  tick(): void;
  /** Erase the bar; idempotent. Call in a `finally`. */
  done(): void;
}

/** What a Progress reads, when it is used (a test may replace ctx.clock after the context is built). */
export interface ProgressHost {
  io: IO;
  clock: Clock;
  signal: AbortSignal;
  json: boolean;
}

/**
 * CI is set to anything but "false" (in any case) or "0", the convention of most CI tools; the
 * one rule for the spinner, the pager, `connector test` and doctor. Set but empty counts as CI:
 * the variable was exported, and the safe side is no escape codes and no pager in a log.
 */
export function isCI(env: NodeJS.ProcessEnv): boolean {
  const v = env.CI?.toLowerCase();
  return v !== undefined && v !== 'false' && v !== '0';
}

/**
 * Progress is shown only to a person at a terminal: stderr and stdout both terminals (not
 * piped, as gh decides it), not CI, not TERM=dumb, not --json. NO_COLOR only takes the colour
 * away (a spinner is not colour).
 */
export function progressShown(h: ProgressHost): boolean {
  const { io } = h;
  return !h.json && Boolean(io.stderr.isTTY && io.stdout.isTTY) && !isCI(io.env) && io.env.TERM !== 'dumb';
}

/** No line, ever: work runs as it is. */
export const noProgress: Progress = {
  spin: (_label, work) => work(),
  bar: () => ({ step() {}, tick() {}, done() {} }),
};

/** The Progress of a Context: decides on first use whether anything is shown. */
export function createProgress(host: ProgressHost): Progress {
  let shown: boolean | undefined;
  let active = false; // one line at a time: a wait inside a bar or a spinner adds none
  const line = (text: () => string) => {
    if (!(shown ??= progressShown(host)) || active) return undefined;
    active = true;
    const l = terminalLine(host, text);
    return {
      redraw: l.redraw,
      end() {
        l.end();
        active = false;
      },
    };
  };
  return {
    async spin(label, work) {
      const started = host.clock.now();
      const text =
        typeof label === 'function'
          ? label
          : () => {
              const s = Math.floor((host.clock.now() - started) / 1000);
              return s >= 1 ? `${label} ${s}s` : label;
            };
      const l = line(text);
      try {
        return await work();
      } finally {
        l?.end();
      }
    },
    bar(total, label) {
      let done = 0;
      let name = '';
      const l = line(() => `${label} ${meter(done, total)} ${done}/${total}${name ? ` ${name}` : ''}`);
      return {
        step(n) {
          name = n;
          l?.redraw();
        },
        tick() {
          done = Math.min(total, done + 1);
          l?.redraw();
        },
        done() {
          l?.end();
        },
      };
    },
  };
}

const METER_WIDTH = 20;

/** `██████░░░░` for done of total. */
export function meter(done: number, total: number, width = METER_WIDTH): string {
  const full = total > 0 ? Math.round((done / total) * width) : width;
  return '█'.repeat(full) + '░'.repeat(width - full);
}

interface Spinner {
  text: string;
  start(): Spinner;
  stop(): Spinner;
}

/**
 * One spinner line on the terminal, started after the delay and kept up to date each second
 * (both with host.clock); ended at once by Ctrl-C, before the command's own clean-up runs.
 */
function terminalLine(host: ProgressHost, text: () => string): { redraw(): void; end(): void } {
  const stop = new AbortController();
  const stream = host.io.stderr;
  let spinner: Spinner | undefined;
  const oneRow = () => {
    // One terminal row, so erasing it erases all of it.
    const s = sanitizeLine(text());
    const room = Math.max(10, ((stream as { columns?: number }).columns || 80) - 3);
    return cut(s, room); // display width, as tables measure it: a wide character takes two columns
  };
  const end = () => {
    if (stop.signal.aborted) return;
    stop.abort();
    host.signal.removeEventListener('abort', end);
    spinner?.stop();
    spinner = undefined;
  };
  host.signal.addEventListener('abort', end, { once: true });
  const started = host.clock.now();
  void (async () => {
    await host.clock.sleep(PROGRESS_DELAY_MS, stop.signal);
    spinner = terminalSpinner(stream, oneRow());
    for (;;) {
      await host.clock.sleep(1000 - ((host.clock.now() - started) % 1000), stop.signal);
      spinner.text = oneRow();
    }
  })().catch(() => {
    // The line ended (the sleep's CancelError), or the terminal refused it: either way no line is left.
    end();
  });
  return {
    redraw() {
      if (spinner) spinner.text = oneRow();
    },
    end,
  };
}

/**
 * yocto-spinner on `stream`, loaded only now. It redraws every 80 ms, and takes every write to
 * that stream meanwhile (a warning, a step's line), clearing itself first and redrawing after.
 * Its own terminal test (isTTY, and no CI or TERM=dumb in process.env) runs in its
 * constructor; progressShown() has already decided that from ctx.io's environment (where
 * CI=false is no CI), so the constructor runs without those two variables. Its signal handler
 * (exit 130) is off: Ctrl-C is ctx.signal's, exit 3.
 */
function terminalSpinner(stream: NodeJS.WritableStream, text: string): Spinner {
  const { default: yoctoSpinner } = load<typeof import('yocto-spinner')>('yocto-spinner');
  const env = process.env;
  const saved = (['CI', 'TERM'] as const).filter((k) => Object.hasOwn(env, k)).map((k) => [k, env[k]] as const);
  for (const [k] of saved) delete env[k];
  try {
    return yoctoSpinner({ stream: stream as never, text, handleSignals: false }).start();
  } finally {
    for (const [k, v] of saved) env[k] = v;
  }
}
