import { Writable } from 'node:stream';
import { clearLine, cursorTo, moveCursor } from 'node:readline';
import { CancelError } from '../../src/errors.js';
import type { Clock } from '../../src/io/clock.js';

/**
 * A terminal stream (what tty.WriteStream offers a spinner: isTTY, columns, cursor moves) that
 * keeps every byte, and a screen model of what those bytes leave visible.
 */
export class FakeTTY extends Writable {
  readonly isTTY = true;
  columns = 80;
  raw = '';
  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: () => void) {
    this.raw += chunk.toString();
    cb();
  }
  cursorTo(x: number, y?: number | (() => void), cb?: () => void) {
    return typeof y === 'number' ? cursorTo(this, x, y, cb) : cursorTo(this, x, undefined, y);
  }
  moveCursor(dx: number, dy: number, cb?: () => void) {
    return moveCursor(this, dx, dy, cb);
  }
  clearLine(dir: -1 | 0 | 1, cb?: () => void) {
    return clearLine(this, dir, cb);
  }
  /** The rows the bytes left on the screen (trailing empty ones dropped), and whether the cursor is visible. */
  screen(): { rows: string[]; cursor: boolean } {
    return render(this.raw);
  }
}

/** Enough of a VT100 for a spinner: printable text, \n, \r, CSI G/A/K, cursor show/hide; colours and DEC 2026 ignored. */
export function render(raw: string): { rows: string[]; cursor: boolean } {
  const rows: string[][] = [[]];
  let row = 0;
  let col = 0;
  let cursor = true;
  const csi = /^\x1b\[(\??)([\d;]*)([A-Za-z])/;
  for (let i = 0; i < raw.length; ) {
    const m = raw[i] === '\x1b' ? csi.exec(raw.slice(i)) : null;
    if (m) {
      const [, priv, arg, cmd] = m;
      const n = Number(arg || (cmd === 'K' ? 0 : 1));
      if (priv && (cmd === 'l' || cmd === 'h') && arg === '25') cursor = cmd === 'h';
      else if (!priv && cmd === 'G') col = n - 1;
      else if (!priv && cmd === 'A') row = Math.max(0, row - n);
      else if (!priv && cmd === 'K') {
        const line = rows[row];
        if (n === 0) line.length = Math.min(line.length, col);
        else if (n === 2) line.length = 0;
        else for (let c = 0; c <= col && c < line.length; c++) line[c] = ' ';
      }
      i += m[0].length;
      continue;
    }
    const ch = String.fromCodePoint(raw.codePointAt(i)!);
    i += ch.length;
    if (ch === '\n') {
      row++;
      col = 0;
      rows[row] ??= [];
    } else if (ch === '\r') col = 0;
    else {
      const line = rows[row];
      while (line.length < col) line.push(' ');
      line[col++] = ch;
    }
  }
  const text = rows.map((r) => r.join('').trimEnd());
  while (text.length && !text[text.length - 1]) text.pop();
  return { rows: text, cursor };
}

/** A clock that moves only when the test says: sleeps end in order as `advance` passes them. */
export function manualClock(start = 1_000_000): Clock & { advance(ms: number): Promise<void>; readonly pending: number } {
  let t = start;
  const timers: { at: number; resolve: () => void; off: () => void }[] = [];
  const settle = () => new Promise((r) => setImmediate(r));
  return {
    now: () => t,
    sleep: (ms, signal) =>
      new Promise<void>((resolve, reject) => {
        if (signal?.aborted) return reject(new CancelError());
        const onAbort = () => {
          timers.splice(timers.indexOf(timer), 1);
          reject(new CancelError());
        };
        const timer = { at: t + ms, resolve, off: () => signal?.removeEventListener('abort', onAbort) };
        timers.push(timer);
        signal?.addEventListener('abort', onAbort, { once: true });
      }),
    async advance(ms) {
      const end = t + ms;
      await settle();
      for (;;) {
        timers.sort((a, b) => a.at - b.at);
        const next = timers[0];
        if (!next || next.at > end) break;
        timers.shift();
        t = next.at;
        next.off();
        next.resolve();
        await settle();
      }
      t = end;
      await settle();
    },
    get pending() {
      return timers.length;
    },
  };
}
