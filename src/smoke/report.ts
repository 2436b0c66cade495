/**
 * The reporters of `connector test`: pretty (a line per step on stderr as it finishes), and
 * json, junit and tap (one document at the end, which the caller writes to stdout or a file).
 */
import { UsageError } from '../errors.js';
import { closest } from '../util/suggest.js';
import { type StepResult, type SuiteResult, totals } from './types.js';

export type ReporterName = 'pretty' | 'json' | 'junit' | 'tap';
export const REPORTER_NAMES: readonly ReporterName[] = ['pretty', 'json', 'junit', 'tap'];

export interface Reporter {
  /** Called as each step finishes (setup and teardown included). */
  step?(r: StepResult): void;
  /** The whole document (json, junit, tap), or undefined when the reporter wrote as it went (pretty). */
  end(results: SuiteResult[]): string | undefined;
}

export interface ReporterIO {
  err(text: string): void;
  color: boolean;
  live: boolean;
}

/**
 * Repeated `--reporter NAME[=FILE]` → the reporters to run (default: pretty alone).
 * pretty writes to stderr and takes no file; of the others, only one may go to stdout (no file),
 * and no two may write the same file.
 */
export function parseReporters(flags: string[] | undefined): { name: ReporterName; file?: string }[] {
  if (!flags || flags.length === 0) return [{ name: 'pretty' }];
  const out: { name: ReporterName; file?: string }[] = [];
  for (const flag of flags) {
    const eq = flag.indexOf('=');
    const name = eq < 0 ? flag : flag.slice(0, eq);
    const file = eq < 0 ? undefined : flag.slice(eq + 1);
    if (!REPORTER_NAMES.includes(name as ReporterName)) {
      const near = closest(name, [...REPORTER_NAMES], 1);
      throw new UsageError(
        `unknown --reporter "${name}"; known reporters: ${REPORTER_NAMES.join(', ')}`,
        near.length ? `Did you mean --reporter ${near[0]}${file === undefined ? '' : `=${file}`}?` : undefined,
      );
    }
    if (file !== undefined && file.trim() === '')
      throw new UsageError(`--reporter ${name}= needs a file name after "="`, `Try: --reporter ${name}=${name}.out`);
    if (name === 'pretty' && file !== undefined) throw new UsageError('--reporter pretty writes to stderr and takes no file', 'Use --reporter pretty.');
    if (name === 'pretty' && out.some((r) => r.name === 'pretty')) throw new UsageError('--reporter pretty is given twice');
    if (name !== 'pretty' && file === undefined) {
      const other = out.find((r) => r.name !== 'pretty' && r.file === undefined);
      if (other) {
        throw new UsageError(
          `--reporter ${other.name} and --reporter ${name} would both write to stdout; only one reporter may`,
          `Give one a file: --reporter ${name}=${name === 'junit' ? 'junit.xml' : `report.${name}`}`,
        );
      }
    }
    if (file !== undefined && out.some((r) => r.file === file)) throw new UsageError(`two reporters would write the same file "${file}"`);
    out.push(file === undefined ? { name: name as ReporterName } : { name: name as ReporterName, file });
  }
  return out;
}

/** One reporter; `io` is where pretty writes (stderr) and whether it may colour. */
export function makeReporter(name: ReporterName, io: ReporterIO): Reporter {
  switch (name) {
    case 'pretty':
      return prettyReporter(io);
    case 'json':
      return { end: (results) => JSON.stringify({ suites: results, totals: totals(results) }, null, 2) + '\n' };
    case 'junit':
      return { end: junit };
    case 'tap':
      return { end: tap };
  }
}

// ---- pretty ----

function prettyReporter(io: ReporterIO): Reporter {
  const paint = (code: string, s: string) => (io.color ? `\x1b[${code}m${s}\x1b[0m` : s);
  let lastFile: string | undefined;
  return {
    step(r) {
      if (r.file !== lastFile) {
        lastFile = r.file;
        io.err(paint('1', terminalSafe(r.file)) + (r.suite && r.suite !== r.file ? paint('2', ` — ${terminalSafe(r.suite)}`) : ''));
      }
      const mark =
        r.status === 'passed'
          ? paint('32', io.color ? '✓' : 'ok  ')
          : r.status === 'failed'
            ? paint('31', io.color ? '✗' : 'FAIL')
            : paint('33', io.color ? '-' : 'skip');
      const tail =
        r.status === 'skipped' ? paint('2', `skipped${r.skipReason ? `: ${terminalSafe(r.skipReason)}` : ''}`) : paint('2', `${Math.round(r.durationMs)} ms`);
      io.err(`  ${mark} ${terminalSafe(label(r))}  ${tail}`);
      if (r.status !== 'failed') return;
      for (const line of r.failures) io.err(`      ${paint('31', terminalSafe(line))}`);
      if (r.request) io.err(paint('2', `      ${r.request.method} ${terminalSafe(r.request.url)}${r.response ? ` → ${r.response.status}` : ''}`));
      if (r.response?.excerpt) io.err(paint('2', `      ${oneLine(terminalSafe(r.response.excerpt), 300)}`));
    },
    end: () => undefined,
  };
}

/** A step as reports name it: its name, with the id when it differs (shards stay distinct), and the phase. */
export function label(r: StepResult): string {
  const base = !r.name || r.name === r.id ? r.id : `${r.name} [${r.id}]`;
  return r.phase === 'step' ? base : `${r.phase}: ${base}`;
}

// Server text must not move the cursor or recolour the terminal.
function terminalSafe(s: string): string {
  return s.replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

function oneLine(s: string, max: number): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > max ? one.slice(0, max - 1) + '…' : one;
}

// ---- junit ----

/** JUnit XML: one <testsuite> per suite file (named by its path), one <testcase> per step. */
function junit(results: SuiteResult[]): string {
  const t = totals(results);
  const all = (t.passed + t.failed + t.skipped).toString();
  const time = seconds(results.reduce((n, s) => n + s.durationMs, 0));
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="connector test" tests="${all}" failures="${t.failed}" errors="0" skipped="${t.skipped}" time="${time}">`,
  ];
  for (const s of results) {
    const st = totals([s]);
    lines.push(
      `  <testsuite name="${attr(s.file)}" tests="${s.steps.length}" failures="${st.failed}" errors="0" skipped="${st.skipped}" time="${seconds(s.durationMs)}">`,
      '    <properties>',
      `      <property name="suite" value="${attr(s.name)}"/>`,
      `      <property name="connector" value="${attr(s.connector)}"/>`,
      '    </properties>',
    );
    for (const r of s.steps) {
      const open = `    <testcase classname="${attr(r.connector || s.connector)}" name="${attr(label(r))}" time="${seconds(r.durationMs)}"`;
      if (r.status === 'passed') lines.push(open + '/>');
      else if (r.status === 'skipped') lines.push(open + '>', `      <skipped message="${attr(r.skipReason ?? 'skipped')}"/>`, '    </testcase>');
      else
        lines.push(
          open + '>',
          `      <failure message="${attr(r.failures[0] ?? 'failed')}" type="failure">${text(failureBody(r))}</failure>`,
          '    </testcase>',
        );
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return lines.join('\n') + '\n';
}

function failureBody(r: StepResult): string {
  const parts = [...r.failures];
  if (r.request || r.response) parts.push('');
  if (r.request) parts.push(`${r.request.method} ${r.request.url}`);
  if (r.response) parts.push(`→ ${r.response.status}`, ...(r.response.excerpt ? [r.response.excerpt] : []));
  return parts.join('\n');
}

function seconds(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(3);
}

// XML 1.0 allows no C0 controls besides tab, LF and CR, no U+FFFE/U+FFFF and no lone surrogates.
const NOT_XML = /[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const visible = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

function text(s: string): string {
  return s.replace(NOT_XML, visible).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;');
}

// In attributes, parsers turn raw tabs and newlines into spaces: keep them as references.
function attr(s: string): string {
  return text(s).replace(/"/g, '&quot;').replace(/'/g, '&apos;').replace(/\n/g, '&#10;').replace(/\t/g, '&#9;');
}

// ---- tap ----

/** TAP version 14: a plan, one test line per step, a YAML block under each failure. */
function tap(results: SuiteResult[]): string {
  const steps = results.flatMap((s) => s.steps);
  const lines = ['TAP version 14', `1..${steps.length}`];
  let n = 0;
  for (const s of results) {
    lines.push(`# ${tapText(s.file)}${s.name && s.name !== s.file ? ` — ${tapText(s.name)}` : ''}`);
    for (const r of s.steps) {
      n++;
      const desc = `${n} - ${tapText(label(r))}`;
      if (r.status === 'passed') lines.push(`ok ${desc}`);
      else if (r.status === 'skipped') lines.push(`ok ${desc} # SKIP${r.skipReason ? ` ${tapText(r.skipReason)}` : ''}`);
      else lines.push(`not ok ${desc}`, ...tapDiagnostic(r));
    }
  }
  return lines.join('\n') + '\n';
}

// `#` starts a directive and `\` escapes it; a description is one line.
function tapText(s: string): string {
  return s
    .replace(/[\r\n]+/g, ' ')
    .replace(/\\/g, '\\\\')
    .replace(/#/g, '\\#');
}

// JSON strings are YAML double-quoted scalars, control characters escaped and all.
function tapDiagnostic(r: StepResult): string[] {
  const y = (v: string) => JSON.stringify(v);
  const lines = ['  ---', `  message: ${y(r.failures[0] ?? 'failed')}`];
  if (r.failures.length) lines.push('  failures:', ...r.failures.map((f) => `    - ${y(f)}`));
  if (r.request) lines.push(`  request: ${y(`${r.request.method} ${r.request.url}`)}`);
  if (r.response) lines.push(`  status: ${r.response.status}`, `  excerpt: ${y(r.response.excerpt)}`);
  lines.push(`  duration_ms: ${Math.round(r.durationMs)}`, `  phase: ${r.phase}`, '  ...');
  return lines;
}
