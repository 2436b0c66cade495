/**
 * A Finding: one thing the validator reports, located as file + RFC 6901 pointer +
 * 1-based line:column (issue 11).
 */
export type Severity = 'error' | 'warning' | 'info';

export interface Finding {
  /** Stable id, prefixed by its section: `schema-valid`, `operation-id-unique`, … */
  readonly rule: string;
  readonly severity: Severity;
  /** Says what is wrong and how to fix it. */
  readonly message: string;
  readonly file: string;
  /** RFC 6901 JSON pointer into the file's document ('' = the whole document). */
  readonly pointer: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly column: number;
}

/** By file, then line, then column (then rule, so the order is stable). */
export function sortFindings(findings: Finding[]): Finding[] {
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...findings].sort((a, b) => cmp(a.file, b.file) || a.line - b.line || a.column - b.column || cmp(a.rule, b.rule));
}

/** How many errors and warnings. */
export function summarize(findings: readonly Finding[]): { errors: number; warnings: number } {
  return { errors: findings.filter((f) => f.severity === 'error').length, warnings: findings.filter((f) => f.severity === 'warning').length };
}
