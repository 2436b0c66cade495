/**
 * The fuzz suite's rules (issue 15): seeded, bounded, and one property for every format — the CLI
 * never throws an uncaught exception, never hangs, and ends in a documented exit code with one
 * `connector:` line on stderr (plus its hint and any warnings).
 *
 * Short mode (default, part of npm test): SHORT_RUNS cases per format, each property also stopped
 * by a time limit. Long mode (CONNECTOR_HARDENING=long): LONG_RUNS cases per format, no time limit.
 * CONNECTOR_FUZZ_SEED replays another seed; a failure prints the seed and the shrunk input and
 * writes it to test/fuzz/fixtures/ (fixtures.test.ts replays every file there as a normal test).
 */
import fc from 'fast-check';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { expect } from 'vitest';
import { isCliError } from '../../src/errors.js';

/**
 * swagger-parser compiles the Swagger / OpenAPI JSON Schema with a new Ajv on every validate
 * (~200 ms): a one-shot CLI pays that once, this in-process suite on every case. The same schema
 * object with the same options compiles to the same validator, so the suite keeps one per schema.
 */
function shareSchemaCompilation(): void {
  const fromParser = createRequire(createRequire(import.meta.url).resolve('@apidevtools/swagger-parser'));
  for (const id of ['ajv-draft-04', 'ajv/dist/2020']) {
    const mod = fromParser(id);
    const Ajv = (mod.default ?? mod) as { prototype: any; new (o: object): any };
    if (Ajv.prototype.__shared) continue;
    const compiled = new WeakMap<object, any>();
    let shared: any;
    const validate = Ajv.prototype.validate;
    Ajv.prototype.validate = function (this: any, schema: unknown, data: unknown) {
      if (!schema || typeof schema !== 'object') return validate.call(this, schema, data);
      shared ??= new Ajv(this.opts);
      let v = compiled.get(schema);
      if (!v) compiled.set(schema, (v = shared.compile(schema)));
      const ok = v(data);
      this.errors = v.errors;
      return ok;
    };
    Ajv.prototype.__shared = true;
  }
}
shareSchemaCompilation();

export const LONG = process.env.CONNECTOR_HARDENING === 'long';
export const SEED = Number(process.env.CONNECTOR_FUZZ_SEED ?? 0x15f022);
export const SHORT_RUNS = 250;
export const LONG_RUNS = 10_000;
/** Short mode: a property stops after this long even before SHORT_RUNS (a slow, shared CI machine). */
const SHORT_TIME_LIMIT_MS = 4_000;
/** One case longer than this is a hang. */
export const CASE_TIMEOUT_MS = 15_000;
/** vitest's timeout for one property. */
export const PROPERTY_TIMEOUT_MS = LONG ? 3 * 3600_000 : 60_000;
export const FIXTURES = join(import.meta.dirname, 'fixtures');

/** The exit codes README documents. */
const EXIT_CODES = [0, 1, 2, 3, 4, 5];

export interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** The property every CLI run must have, whatever its input. */
export function expectDocumented(r: Outcome): void {
  expect(r.stderr, 'a bug report').not.toMatch(/unexpected error|This is a bug|\n\s+at /);
  expect(EXIT_CODES, `exit code ${r.code}`).toContain(r.code);
  if (r.code === 0) return;
  const lines = r.stderr
    .split('\n')
    .filter((l) => l && !l.startsWith('warning: ') && !/^\s/.test(l)) // warnings, and a message's indented detail
    .filter((l) => !/^\d+ passed, \d+ failed/.test(l)); // a suite's summary
  const errors = lines.filter((l) => l.startsWith('connector: '));
  expect(errors.length, `one 'connector:' line, got:\n${r.stderr}`).toBeLessThanOrEqual(1);
}

/** A loader function either returns or throws a CliError of one line: never anything else. */
export async function expectCliErrorOrValue<T>(f: () => Promise<T>): Promise<{ value?: T; error?: Error }> {
  try {
    return { value: await f() };
  } catch (e) {
    if (!isCliError(e)) throw e;
    expect(e.message, 'a one-line message').not.toContain('\n');
    return { error: e };
  }
}

/** Fails with "hang" when `p` does not settle within CASE_TIMEOUT_MS. */
export async function bounded<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`hang: ${what} did not finish within ${CASE_TIMEOUT_MS} ms`)), CASE_TIMEOUT_MS);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export interface FuzzReport {
  format: string;
  runs: number;
  ms: number;
}
/** What every property ran (printed at the end of long mode, and readable by a test). */
export const reports: FuzzReport[] = [];

/**
 * fc.assert with the suite's parameters. On a failure the shrunk input is written to
 * test/fuzz/fixtures/<format>-<hash>.json (`{ format, input }`) and the seed is in the message.
 */
export async function fuzz<T>(format: string, arb: fc.Arbitrary<T>, check: (input: T) => Promise<void>, runs?: number): Promise<void> {
  let count = 0;
  const started = performance.now();
  const property = fc.asyncProperty(arb, async (input) => {
    count++;
    await bounded(check(input), format);
  });
  const details = await fc.check(property, {
    seed: SEED,
    numRuns: runs ?? (LONG ? LONG_RUNS : SHORT_RUNS),
    interruptAfterTimeLimit: LONG ? undefined : SHORT_TIME_LIMIT_MS,
    markInterruptAsFailure: false,
  });
  reports.push({ format, runs: count, ms: Math.round(performance.now() - started) });
  if (LONG || process.env.CONNECTOR_FUZZ_VERBOSE)
    console.log(`fuzz ${format}: ${count} cases in ${Math.round((performance.now() - started) / 1000)} s, ${details.failed ? 'FAILED' : 'no failure'}`);
  if (details.failed) {
    const input = details.counterexample?.[0];
    const file = saveFixture(format, input);
    throw new Error(
      `fuzz ${format} failed (seed ${SEED}, path ${details.counterexamplePath}; replay with CONNECTOR_FUZZ_SEED=${SEED}); input saved as ${file}\n${(details.errorInstance as Error)?.stack?.split('\n').slice(0, 12).join('\n') ?? String(details.errorInstance)}`,
    );
  }
}

/** A failing input as a fixture the replay test runs (inputs are JSON: strings, objects, arrays). */
export function saveFixture(format: string, input: unknown): string {
  mkdirSync(FIXTURES, { recursive: true });
  const text = `${JSON.stringify({ format, input }, null, 1)}\n`;
  const file = join(FIXTURES, `${format}-${createHash('sha256').update(text).digest('hex').slice(0, 10)}.json`);
  writeFileSync(file, text);
  return file;
}
