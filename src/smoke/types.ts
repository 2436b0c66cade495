/**
 * Smoke suites (`connector test`): a suite file names a connector and a connection and lists
 * steps; each step calls one operation and checks what came back. These are the shapes the
 * loader (suite.ts), the runner (run.ts) and the reporters (report.ts) share.
 */

/** `expect.status`: 200, [200, 201], or a class such as '2xx'. */
export type StatusExpectation = number | string | (number | string)[];

/** One JSONPath (RFC 9535) assertion on the JSON body. Exactly one check besides `path`. */
export interface JsonAssertion {
  path: string;
  equals?: unknown;
  matches?: string;
  exists?: boolean;
  length?: number;
  type?: 'string' | 'number' | 'integer' | 'boolean' | 'array' | 'object' | 'null';
  lessThan?: number;
  greaterThan?: number;
}

export interface Expectation {
  status?: StatusExpectation;
  /** Header name → exact value, or `/regex/`. */
  headers?: Record<string, string>;
  json?: JsonAssertion[];
  /** 'response': validate the body against the operation's response schema. */
  schema?: 'response';
  maxDurationMs?: number;
}

export interface Step {
  /** Stable id (default: the operation id, then -2, -3 … for repeats): names the step in reports and shards. */
  id: string;
  name?: string;
  operation: string;
  params?: Record<string, string | number | boolean | (string | number | boolean)[]>;
  body?: unknown;
  headers?: Record<string, string>;
  connection?: string;
  expect?: Expectation;
  /** Variable name → JSONPath into the JSON body (or `status`, `header:<name>`). */
  capture?: Record<string, string>;
  /** A reason: the step is reported as skipped and not sent. */
  skip?: string;
  /** Where the step starts in its file (for messages). */
  line?: number;
}

export interface Suite {
  file: string;
  name: string;
  /** Registry name, or a path to a spec / paconn folder / connector YAML (imported into a throw-away registry). */
  connector: string;
  connection?: string;
  setup: Step[];
  steps: Step[];
  teardown: Step[];
}

export type StepStatus = 'passed' | 'failed' | 'skipped';

export interface StepResult {
  suite: string;
  /** The suite file, as given. */
  file: string;
  connector: string;
  phase: 'setup' | 'step' | 'teardown';
  id: string;
  name: string;
  status: StepStatus;
  durationMs: number;
  /** One line each: what was expected and what came back. */
  failures: string[];
  skipReason?: string;
  /** Secrets redacted. */
  request?: { method: string; url: string };
  response?: { status: number; excerpt: string };
}

export interface SuiteResult {
  file: string;
  name: string;
  connector: string;
  durationMs: number;
  steps: StepResult[];
}

/** Counts over every step of every suite (setup and teardown included). */
export function totals(results: SuiteResult[]): { passed: number; failed: number; skipped: number } {
  const all = results.flatMap((r) => r.steps);
  return {
    passed: all.filter((s) => s.status === 'passed').length,
    failed: all.filter((s) => s.status === 'failed').length,
    skipped: all.filter((s) => s.status === 'skipped').length,
  };
}

/** The closing line every reporter run ends with on stderr: `N passed, N failed` (`, N skipped`). */
export function closingLine(results: SuiteResult[]): string {
  const t = totals(results);
  return `${t.passed} passed, ${t.failed} failed${t.skipped ? `, ${t.skipped} skipped` : ''}`;
}
