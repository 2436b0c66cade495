import type { IO } from './iostreams.js';
import { sanitizeLine } from './sanitize.js';
import { load } from '../util/load.js';

/** `--json`: exactly one JSON document on stdout. */
export function printJson(io: IO, doc: unknown): void {
  io.stdout.write(JSON.stringify(doc, null, 2) + '\n');
}

const GAP = 2;
/** A column never shrinks below its heading, nor below this (an ellipsis needs room to mean something). */
const MIN_COLUMN = 4;
/** The last column (a summary, a title) is given at least this much before another column is shrunk for it. */
const MIN_LAST = 20;

/**
 * A plain aligned table on stdout (no borders; easy to grep and cut). Cells are one line each,
 * control characters escaped (they come from specs); widths are display widths (a CJK character
 * or an emoji takes two columns).
 *
 * On a terminal the table fits io.columns(): the last column is cut with an ellipsis; when that
 * would leave it fewer than MIN_LAST columns (or less than it needs, if it needs less), the widest
 * other column is cut too, one column at a time, never below its heading, and the first column
 * last of all. A table that cannot fit even then is printed as cut as it gets and the terminal
 * wraps it. On a pipe every row is whole.
 */
export function printTable(io: IO, headers: string[], rows: (string | number | undefined)[][]): void {
  const cells = [headers, ...rows.map((r) => r.map((c) => (c === undefined ? '' : sanitizeLine(String(c)))))];
  const natural = headers.map((_, i) => Math.max(...cells.map((r) => displayWidth(r[i] ?? ''))));
  const widths = fitColumns(natural, headers, io.columns());
  const bold = io.color('stdout');
  cells.forEach((r, n) => {
    const line = r
      .map((c, i) => {
        const cell = displayWidth(c) > widths[i] ? cut(c, widths[i]) : c;
        return i === r.length - 1 ? cell : cell + ' '.repeat(widths[i] - displayWidth(cell));
      })
      .join(' '.repeat(GAP))
      .trimEnd();
    io.stdout.write((n === 0 && bold ? `\x1b[1m${line}\x1b[0m` : line) + '\n');
  });
}

/** Column widths that fit `columns` (undefined: no limit), by the rule printTable documents. */
export function fitColumns(natural: number[], headers: string[], columns: number | undefined): number[] {
  const widths = [...natural];
  const total = () => widths.reduce((a, b) => a + b, 0) + GAP * (widths.length - 1);
  if (columns === undefined || total() <= columns) return widths;
  const last = widths.length - 1;
  const floor = (i: number) => Math.min(natural[i], Math.max(displayWidth(headers[i]), MIN_COLUMN));
  const lastWants = Math.min(natural[last], Math.max(MIN_LAST, floor(last)));
  widths[last] = Math.max(lastWants, columns - (total() - widths[last]));
  // The last column alone cannot make room: take it from the widest other column, one column at a
  // time; the first column (the name one types next: a connector, an operationId) only when no other can give.
  const shrink = (from: number) => {
    while (total() > columns) {
      let widest = -1;
      for (let i = from; i < last; i++) if (widths[i] > floor(i) && (widest < 0 || widths[i] > widths[widest])) widest = i;
      if (widest < 0) return;
      widths[widest]--;
    }
  };
  shrink(1);
  shrink(0);
  if (total() > columns) widths[last] = Math.max(floor(last), widths[last] - (total() - columns));
  return widths;
}

/** One line of at most `max` display columns, control characters escaped. */
export function truncate(text: string | undefined, max: number): string {
  if (!text) return '';
  const one = sanitizeLine(text.replace(/\s+/g, ' ').trim());
  return displayWidth(one) > max ? cut(one, max) : one;
}

/** `text` cut to at most `width` display columns, ending in an ellipsis; whole graphemes only (an emoji is never split). */
export function cut(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  if (width <= 0) return '';
  let out = '';
  let used = 0;
  for (const { segment } of graphemes().segment(text)) {
    const w = displayWidth(segment);
    if (used + w > width - 1) break;
    out += segment;
    used += w;
  }
  return out + '…';
}

/**
 * Characters that are one column wide in every terminal: printable ASCII, Latin-1 and the Latin
 * extensions before the combining marks (U+0300), and the dashes and quotes of U+2010-2027. (No
 * soft hyphen, U+00AD: zero wide.) A string of only these is measured by its length, so a table
 * of plain names never loads string-width (about 60 ms to load).
 */
const NARROW = /^[\x20-\x7e\u00a0-\u00ac\u00ae-\u02ff\u2010-\u2027]*$/;

/** How many terminal columns `text` takes (ANSI colour codes count none). */
export function displayWidth(text: string): number {
  if (NARROW.test(text)) return text.length;
  return load<typeof import('string-width')>('string-width').default(text);
}

let segmenter: Intl.Segmenter | undefined;
const graphemes = () => (segmenter ??= new Intl.Segmenter());
