import type { IO } from './iostreams.js';
import { sanitizeLine } from './sanitize.js';

/** `--json`: exactly one JSON document on stdout. */
export function printJson(io: IO, doc: unknown): void {
  io.stdout.write(JSON.stringify(doc, null, 2) + '\n');
}

/** A plain aligned table on stdout (no borders; easy to grep and cut). Cells are one line each, control characters escaped (they come from specs). */
export function printTable(io: IO, headers: string[], rows: (string | number | undefined)[][]): void {
  const cells = [headers, ...rows.map((r) => r.map((c) => (c === undefined ? '' : sanitizeLine(String(c)))))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const bold = io.color('stdout');
  cells.forEach((r, n) => {
    const line = r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
    io.stdout.write((n === 0 && bold ? `\x1b[1m${line}\x1b[0m` : line) + '\n');
  });
}

/** One line of at most `max` characters, control characters escaped. */
export function truncate(text: string | undefined, max: number): string {
  if (!text) return '';
  const one = sanitizeLine(text.replace(/\s+/g, ' ').trim());
  return one.length > max ? one.slice(0, max - 1) + '…' : one;
}
