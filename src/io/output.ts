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
/** The flexible column (a summary, a title) keeps this much while another column can give. */
const MIN_FLEXIBLE = 20;
/** The flexible column and then the first one (the name one types next) are cut no further than this. */
const MIN_NAMED = 10;

export interface TableOptions {
  /** The heading of the free-text column that gives way first (default: the last column). */
  flexible?: string;
}

/**
 * A plain aligned table on stdout (no borders; easy to grep and cut). Cells are one line each,
 * control characters escaped (they come from specs); widths are display widths (a CJK character
 * or an emoji takes two columns).
 *
 * On a terminal the table fits io.columns(), cutting cells with an ellipsis in this order (gh
 * names its truncatable column the same way): the flexible column (opts.flexible, a summary or
 * a title; else the last) down to MIN_FLEXIBLE; the long other columns (MIN_FLEXIBLE wide or
 * more: a path), widest first, one column at a time, never below their heading; the flexible
 * column down to MIN_NAMED; the short other columns (a format, a method) the same way; the
 * first column (what the user types next: a connector, an operationId) last of all, down to
 * MIN_NAMED. A table that cannot fit even then is printed as cut as it gets and the terminal
 * wraps it. On a pipe every row is whole.
 */
export function printTable(io: IO, headers: string[], rows: (string | number | undefined)[][], opts: TableOptions = {}): void {
  const cells = [headers, ...rows.map((r) => r.map((c) => (c === undefined ? '' : sanitizeLine(String(c)))))];
  const natural = headers.map((_, i) => Math.max(...cells.map((r) => displayWidth(r[i] ?? ''))));
  const flexible = opts.flexible === undefined ? undefined : headers.indexOf(opts.flexible);
  const widths = fitColumns(natural, headers, io.columns(), flexible === undefined || flexible < 0 ? undefined : flexible);
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

/**
 * Column widths that fit `columns` (undefined: no limit), by the rule printTable documents;
 * `flexible` is the index of the column that gives way first (default: the last).
 */
export function fitColumns(natural: number[], headers: string[], columns: number | undefined, flexible = natural.length - 1): number[] {
  const widths = [...natural];
  const total = () => widths.reduce((a, b) => a + b, 0) + GAP * (widths.length - 1);
  if (columns === undefined || total() <= columns) return widths;
  const over = () => total() - columns;
  const heading = (i: number) => Math.max(displayWidth(headers[i]), MIN_COLUMN);
  /** Cut column i by what the table is over, to no less than `floor` (nor its heading, nor more than it has). */
  const give = (i: number, floor: number) => {
    const least = Math.min(natural[i], Math.max(heading(i), floor));
    widths[i] = Math.max(least, Math.min(widths[i], widths[i] - over()));
  };
  /** The widest other column (neither the first nor the flexible one) among `which`, one column at a time, down to its heading. */
  const shrinkOthers = (which: (i: number) => boolean) => {
    while (over() > 0) {
      let widest = -1;
      for (let i = 1; i < widths.length; i++) {
        if (i !== flexible && which(i) && widths[i] > Math.min(natural[i], heading(i)) && (widest < 0 || widths[i] > widths[widest])) widest = i;
      }
      if (widest < 0) return;
      widths[widest]--;
    }
  };
  give(flexible, MIN_FLEXIBLE);
  // A long value (a path) keeps a useful start when cut; a short one (a format, a method) does not.
  shrinkOthers((i) => natural[i] >= MIN_FLEXIBLE);
  give(flexible, MIN_NAMED);
  shrinkOthers(() => true);
  if (flexible !== 0) give(0, MIN_NAMED);
  return widths;
}

/** One line of at most `max` display columns, control characters escaped. */
export function truncate(text: string | undefined, max: number): string {
  if (!text) return '';
  const one = sanitizeLine(text.replace(/\s+/g, ' ').trim());
  return displayWidth(one) > max ? cut(one, max) : one;
}

/**
 * Prose from a spec (a description) as lines of at most `width` display columns, broken at spaces
 * (a word longer than the width stays whole), control characters escaped. Paragraph breaks are kept.
 */
export function wrap(text: string | undefined, width: number): string[] {
  if (!text) return [];
  const lines: string[] = [];
  for (const paragraph of text.split(/\n\s*\n/)) {
    let line = '';
    for (const word of sanitizeLine(paragraph.replace(/\s+/g, ' ').trim()).split(' ')) {
      if (line && displayWidth(line) + 1 + displayWidth(word) > width) {
        lines.push(line);
        line = word;
      } else line = line ? `${line} ${word}` : word;
    }
    if (line) lines.push(line);
  }
  return lines;
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
