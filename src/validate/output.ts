/**
 * How `connector validate` prints its findings: on a terminal grouped by file with the source
 * line and a caret under each; on a pipe (CI) one line a finding, `file:line:col severity rule
 * message`; `--json` one document; `--format sarif` a SARIF 2.1.0 log for GitHub code scanning.
 */
import { relative, resolve } from 'node:path';
import type { IO } from '../io/iostreams.js';
import { sanitizeLine } from '../io/sanitize.js';
import { type Finding, type Severity, summarize } from './findings.js';

/** One file that was validated (the --json document's `files`). */
export interface ValidatedFile {
  path: string;
  role: 'swagger' | 'apiProperties' | 'settings' | 'script';
}

/** `--json`: `{ files, findings, summary: { errors, warnings } }`. */
export function jsonDocument(files: readonly ValidatedFile[], findings: readonly Finding[]) {
  return { files, findings, summary: summarize(findings) };
}

/** `file:line:col severity rule message`, one a line. */
export function plainLines(findings: readonly Finding[]): string[] {
  return findings.map((f) => `${sanitizeLine(f.file)}:${f.line}:${f.column} ${f.severity} ${f.rule} ${sanitizeLine(f.message)}`);
}

const COLOR: Record<Severity, string> = { error: '\x1b[31m', warning: '\x1b[33m', info: '\x1b[36m' };

/** Grouped by file, each finding with its source line and a caret at its column. `texts`: each file's text by its shown path. */
export function terminalLines(findings: readonly Finding[], texts: ReadonlyMap<string, string>, color: boolean): string[] {
  const paint = (code: string, s: string) => (color ? `${code}${s}\x1b[0m` : s);
  const out: string[] = [];
  let file: string | undefined;
  let lines: string[] | undefined;
  for (const f of findings) {
    if (f.file !== file) {
      if (file !== undefined) out.push('');
      file = f.file;
      lines = texts.get(f.file)?.split(/\r?\n/);
      out.push(paint('\x1b[1m', sanitizeLine(f.file)));
    }
    out.push(
      `  ${paint('\x1b[2m', `${f.line}:${f.column}`)}  ${paint(COLOR[f.severity], f.severity)}  ${sanitizeLine(f.message)}  ${paint('\x1b[2m', f.rule)}`,
    );
    const src = lines?.[f.line - 1];
    if (src === undefined) continue;
    // The line as shown (tabs as one space, so the caret lines up), cut around the column when long.
    const shown = sanitizeLine(src.replace(/\t/g, ' '));
    const start = Math.max(0, f.column - 1 - 80);
    const cut = shown.slice(start, start + 160);
    const gutter = String(f.line).padStart(6);
    out.push(`${paint('\x1b[2m', `${gutter} |`)} ${start ? '…' : ''}${cut}`);
    out.push(`${paint('\x1b[2m', `${' '.repeat(6)} |`)} ${start ? ' ' : ''}${' '.repeat(Math.max(0, f.column - 1 - start))}${paint(COLOR[f.severity], '^')}`);
  }
  return out;
}

/** The summary line (stderr). */
export function summaryLine(findings: readonly Finding[], files: number): string {
  const { errors, warnings } = summarize(findings);
  const infos = findings.length - errors - warnings;
  const n = (k: number, w: string) => `${k} ${w}${k === 1 ? '' : 's'}`;
  const of = `${n(files, 'file')} checked`;
  if (!findings.length) return `No problems found (${of}).`;
  return `${[n(errors, 'error'), n(warnings, 'warning'), ...(infos ? [n(infos, 'note')] : [])].join(', ')} (${of}).`;
}

const SARIF_LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };

/** A path as a SARIF artifact URI: relative to the cwd (GitHub resolves it from the repository root), '/' separators, percent-encoded. */
function artifactUri(file: string, cwd: string): string {
  // Registry connectors are no file: their name stays as it is, encoded.
  if (/\(registry/.test(file)) return encodeURI(file);
  const rel = relative(cwd, resolve(cwd, file)).split(/[\\/]/).join('/');
  return rel
    .split('/')
    .map((s) => encodeURIComponent(s))
    .join('/');
}

/**
 * A SARIF 2.1.0 log (hand-written: node-sarif-builder needs Node 22). One run, the driver's
 * rules every rule that validate knows, one result a finding with its file, line and column.
 */
export function sarifLog(
  findings: readonly Finding[],
  rules: ReadonlyMap<string, { description: string; severity: Severity }>,
  version: string,
  cwd = process.cwd(),
): Record<string, unknown> {
  const ids = [...new Set([...rules.keys(), ...findings.map((f) => f.rule)])].sort();
  const index = new Map(ids.map((id, i) => [id, i]));
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'connector validate',
            version,
            informationUri: 'https://learn.microsoft.com/connectors/custom-connectors/certification-submission',
            rules: ids.map((id) => {
              const r = rules.get(id);
              return {
                id,
                name: id,
                shortDescription: { text: r?.description ?? id },
                defaultConfiguration: { level: SARIF_LEVEL[r?.severity ?? 'warning'] },
              };
            }),
          },
        },
        results: findings.map((f) => ({
          ruleId: f.rule,
          ruleIndex: index.get(f.rule),
          level: SARIF_LEVEL[f.severity],
          message: { text: f.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: artifactUri(f.file, cwd) },
                region: { startLine: f.line, startColumn: f.column },
              },
              ...(f.pointer ? { logicalLocations: [{ fullyQualifiedName: f.pointer, kind: 'member' }] } : {}),
            },
          ],
        })),
      },
    ],
  };
}

/** Print findings as the output mode says. */
export function printText(io: IO, findings: readonly Finding[], texts: ReadonlyMap<string, string>): void {
  const lines = io.stdout.isTTY ? terminalLines(findings, texts, io.color('stdout')) : plainLines(findings);
  if (lines.length) io.stdout.write(`${lines.join('\n')}\n`);
}
