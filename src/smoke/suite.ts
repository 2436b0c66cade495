import { readRegularFile } from '../fs/read.js';
import { basename } from 'node:path';
import { CliError, UsageError } from '../errors.js';
import { load } from '../util/load.js';
import type { Step, Suite } from './types.js';
import type { AjvError } from './validator.js';

/** Suites are small; a larger file is a mistake (a spec given instead of a suite). */
const MAX_SUITE_BYTES = 2 * 1024 * 1024;

/** A suite file is invalid: exit 2, `file:line:column: what was expected`, nothing has run. */
export class SuiteError extends UsageError {}

/**
 * Read and check a suite file (YAML or JSON) against schema/suite.schema.json. Any mistake is one
 * SuiteError naming file:line:column and what was expected; step ids default to the operation id
 * (-2, -3 … for repeats) and must be unique across setup, steps and teardown.
 */
export async function loadSuite(file: string): Promise<Suite> {
  let text: string;
  try {
    // One regular file with a limit: a FIFO or /dev/zero given as a suite is refused before a byte is read.
    text = (await readRegularFile(file, { limit: MAX_SUITE_BYTES })).toString('utf8');
  } catch (e) {
    const m = (e as Error).message
      .replace(/: no such file or folder$/, ': no such file')
      .replace(/: is a folder, expected a file$/, ': is a folder, not a suite file');
    throw new SuiteError(m);
  }
  return loadSuiteText(text, file);
}

/** A suite from its text (`file` names it in messages and is the base of a relative connector path). */
export async function loadSuiteText(text: string, file: string): Promise<Suite> {
  if (text.length > MAX_SUITE_BYTES) throw new SuiteError(`${file}: larger than ${MAX_SUITE_BYTES / 1024 / 1024} MB; is it a suite?`);
  const source = text.replace(/^\uFEFF/, '');
  const v = await (await import('./validator.js')).suiteValidator();
  // A well-formed suite is read the quick way (yaml-fast.ts), its step lines found only if a message
  // needs one; anything else is read again with positions, and that reading makes the message.
  const { quickData } = await import('./yaml-fast.js');
  const quick = quickData(source);
  if (quick !== undefined && v(quick)) {
    let positions: Positions | undefined;
    const lineOf = (path: (string | number)[]): number | undefined => {
      try {
        return (positions ??= readWithPositions(source, file)).posOf(path).line;
      } catch {
        return undefined;
      }
    };
    const suite = assemble(quick, file, undefined, lineOf);
    if (suite) return suite;
  }
  const { data, posOf } = readWithPositions(source, file);
  if (!v(data)) {
    const e = pickError(v.errors ?? []);
    const path = e.instancePath.split('/').slice(1).map(unescapePointer);
    const pos = posOf(path);
    throw new SuiteError(
      `${file}:${pos.line}:${pos.col}: ${describe(e, path)}`,
      'The suite format is in README.md (Smoke-testing connectors) and schema/suite.schema.json.',
    );
  }
  return assemble(data, file, posOf)!;
}

interface Positions {
  data: unknown;
  posOf(path: (string | number)[]): { line: number; col: number };
}

/** Parse with the yaml package and a LineCounter: positions of any node; a YAML mistake is a SuiteError at its place. */
function readWithPositions(source: string, file: string): Positions {
  const YAML = load<typeof import('yaml')>('yaml');
  const lines = new YAML.LineCounter();
  const doc = YAML.parseDocument(source, { lineCounter: lines, uniqueKeys: true, prettyErrors: false, logLevel: 'error' });
  const err = doc.errors[0];
  if (err) {
    const pos = lines.linePos(err.pos[0]);
    throw new SuiteError(`${file}:${pos.line}:${pos.col}: invalid YAML: ${err.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`);
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    throw new SuiteError(`${file}: invalid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  const posOf = (path: (string | number)[]) => {
    const node = path.length ? (doc.getIn(path, true) as { range?: [number, number] } | undefined) : (doc.contents as { range?: [number, number] } | null);
    return lines.linePos(node?.range?.[0] ?? 0);
  };
  return { data, posOf };
}

/**
 * The Suite from schema-valid data: default step ids, unique ids. With `posOf`, a repeated id is a
 * SuiteError at both places; without (the quick reading), it is undefined (read again with positions),
 * and each step's `line` is looked up by `lineOf` when first read.
 */
function assemble(
  data: unknown,
  file: string,
  posOf: Positions['posOf'] | undefined,
  lineOf?: (path: (string | number)[]) => number | undefined,
): Suite | undefined {
  const raw = data as { name?: string; connector: string; connection?: string; setup?: Step[]; steps: Step[]; teardown?: Step[] };
  const seen = new Map<string, string>();
  const count = new Map<string, number>();
  let repeated = false;
  const phase = (key: 'setup' | 'steps' | 'teardown') =>
    (raw[key] ?? []).map((s, i): Step => {
      let id = s.id;
      if (!id) {
        const n = (count.get(s.operation) ?? 0) + 1;
        count.set(s.operation, n);
        id = n === 1 ? s.operation : `${s.operation}-${n}`;
      }
      if (!posOf) {
        if (seen.has(id)) repeated = true;
        seen.set(id, '');
        const step = { ...s, id };
        let line: number | undefined;
        let known = false;
        Object.defineProperty(step, 'line', {
          enumerable: true,
          get: () => (known ? line : ((known = true), (line = lineOf?.([key, i])))),
        });
        return step;
      }
      const pos = posOf([key, i]);
      if (seen.has(id))
        throw new SuiteError(
          `${file}:${pos.line}:${pos.col}: step id '${id}' is used twice (first at ${seen.get(id)})`,
          'Give one of them its own id: (letters, digits, . _ -).',
        );
      seen.set(id, `${pos.line}:${pos.col}`);
      return { ...s, id, line: pos.line };
    });
  const suite: Suite = {
    file,
    name: raw.name ?? basename(file).replace(/\.(suite\.)?(ya?ml|json)$/i, ''),
    connector: raw.connector,
    ...(raw.connection ? { connection: raw.connection } : {}),
    setup: phase('setup'),
    steps: phase('steps'),
    teardown: phase('teardown'),
  };
  return repeated ? undefined : suite;
}

/** The most useful of ajv's errors: the deepest one, not a oneOf summary. */
function pickError(errors: AjvError[]): AjvError {
  const real = errors.filter((e) => e.keyword !== 'oneOf' && e.keyword !== 'if');
  const list = real.length ? real : errors;
  return [...list].sort((a, b) => b.instancePath.split('/').length - a.instancePath.split('/').length)[0];
}

const unescapePointer = (t: string): string | number => (/^\d+$/.test(t) ? Number(t) : t.replace(/~1/g, '/').replace(/~0/g, '~'));

function describe(e: AjvError, path: (string | number)[]): string {
  const where = path.length ? path.join('.') : 'the suite';
  switch (e.keyword) {
    case 'required':
      return `${where}: '${e.params.missingProperty}' is missing`;
    case 'additionalProperties': {
      const known = Object.keys(e.parentSchema?.properties ?? {});
      return `${where}: unknown key '${e.params.additionalProperty}'${known.length ? ` (expected one of: ${known.join(', ')})` : ''}`;
    }
    case 'type':
      return `${where}: expected ${e.params.type}`;
    case 'enum':
      return `${where}: expected one of ${(e.params.allowedValues as unknown[]).map((x) => JSON.stringify(x)).join(', ')}`;
    case 'pattern':
      return path.at(-1) === 'path' ? `${where}: a JSONPath starts with '$'` : `${where}: does not match ${e.params.pattern}`;
    case 'minProperties':
    case 'maxProperties':
      return `${where}: give exactly one check besides 'path' (equals, matches, exists, length, type, lessThan or greaterThan)`;
    default:
      return `${where}: ${e.message ?? 'is invalid'}`;
  }
}

/** Where a message points: a string, or an object that spells it only when a message needs it. */
export type Where = string | { toString(): string };

/** `${env:NAME}` and `${vars.name}` in every string of a value; an unknown one is a CliError naming it. */
export function interpolate<T>(value: T, scope: { env: NodeJS.ProcessEnv; vars: Record<string, unknown> }, where: Where): T {
  if (typeof value === 'string') {
    const whole = /^\$\{vars\.([A-Za-z_][\w-]*)\}$/.exec(value);
    if (whole) return lookup(whole[1]) as T; // a whole-string reference keeps the captured type (a number stays a number)
    return value.replace(/\$\{(env:|vars\.)([A-Za-z_][\w-]*)\}/g, (_m, kind: string, name: string) => {
      if (kind === 'env:') {
        const v = scope.env[name];
        if (v === undefined) throw new CliError(`${where}: \${env:${name}} is not set`);
        return v;
      }
      const v = lookup(name);
      return typeof v === 'string' ? v : JSON.stringify(v);
    }) as T;
  }
  if (Array.isArray(value)) return value.map((v) => interpolate(v, scope, where)) as T;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, scope, where)])) as T;
  return value;

  function lookup(name: string): unknown {
    if (!(name in scope.vars)) throw new CliError(`${where}: \${vars.${name}} has not been captured by an earlier step`);
    return scope.vars[name];
  }
}

/** Does a step use a captured variable? (Such steps, and those that capture, keep their order.) */
export function usesVars(step: Step): boolean {
  return /\$\{vars\./.test(JSON.stringify([step.params, step.body, step.headers]));
}
