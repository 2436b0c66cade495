import { CancelError, CliError, UsageError } from '../errors.js';
import type { SpecFormat } from '../model.js';
import { load } from '../util/load.js';
import type { RefOptions } from './refs.js';

/** Nodes a definition may have once its $refs are expanded (see expand.ts): 20x the largest published connector's. */
const MAX_EXPANDED_NODES = 2_000_000;

export interface ValidatedDefinition {
  /** Bundled (external $refs inlined), otherwise exactly as given. */
  definition: Record<string, unknown>;
  specFormat: SpecFormat;
  /** Tolerated real-world quirks, one line each. */
  warnings: string[];
  /** The external files (relative to the spec's folder) and URLs inlined, in the order read. */
  bundled: string[];
}

export const FORMAT_LABEL: Record<SpecFormat, string> = {
  swagger2: 'Swagger 2.0',
  'openapi3.0': 'OpenAPI 3.0',
  'openapi3.1': 'OpenAPI 3.1',
};

/** Which format a definition claims to be; anything else is a one-line error. */
export function specFormatOf(def: Record<string, unknown>, file: string): SpecFormat {
  if (def.swagger !== undefined) {
    if (String(def.swagger) === '2.0') return 'swagger2';
    throw new CliError(`${file}: unsupported swagger version '${String(def.swagger)}' (expected "2.0")`);
  }
  const v = String(def.openapi ?? '');
  if (/^3\.0(\.\d+)?$/.test(v)) return 'openapi3.0';
  if (/^3\.1(\.\d+)?$/.test(v)) return 'openapi3.1';
  throw new CliError(`${file}: unsupported openapi version '${v}' (expected 3.0.x or 3.1.x)`);
}

interface AjvError {
  instancePath: string;
  keyword: string;
  message?: string;
  params?: Record<string, unknown>;
}

/**
 * The rule for real-world quirks. Connectors that Power Platform accepts sometimes
 * break the strict Swagger 2.0 schema in ways that change nothing for calling them.
 * These, and only these, are tolerated with a warning:
 *   - an operation with an empty `responses` object (AzureIoTCentral in the corpus);
 *   - an empty `required: []` array in a schema (draft-04 wants at least one item);
 *   - (semantic) a schema listing a `required` property it does not define.
 * Combinators (oneOf/anyOf/not/...) reported on an ancestor of a tolerated error are
 * its echoes and tolerated with it. Every other schema or semantic error fails the
 * import, so genuinely broken specs are refused with the pointer of their first error.
 */
function isQuirk(e: AjvError): boolean {
  if (/\/responses$/.test(e.instancePath) && (e.keyword === 'minProperties' || e.keyword === 'not')) return true;
  if (/\/required$/.test(e.instancePath) && e.keyword === 'minItems') return true;
  return false;
}
const ECHO = new Set(['oneOf', 'anyOf', 'allOf', 'not', 'if', 'then', 'else', '$ref']);
const SEMANTIC_QUIRK = /listed as required but does not exist|Property '.*' listed as required/i;

/** Where a JSON pointer of the definition is in its file (`:line:column`), when the file's text is at hand. */
export type Locate = (pointer: string) => { line: number; column: number } | undefined;

/**
 * Deviations from the Swagger 2.0 JSON Schema that Power Platform runs anyway (certified
 * connectors it serves have them), each tolerated with one warning naming where:
 *   - an unknown top-level key (`basepath`: read as basePath, see http/build.ts baseUrl);
 *   - a `host` with a `{placeholder}` (a dynamichosturl policy or --base-url gives the real one);
 *   - a parameter with a known `in` and a name that breaks its kind's schema (no `type`; a body
 *     parameter with a `type` beside its schema): run sends what it can make of it.
 * A parameter whose `in` is not a location, and everything else, stays an error.
 */
function deviation(e: AjvError, def: Record<string, unknown>): { at: string; message: string } | undefined {
  if (e.instancePath === '' && e.keyword === 'additionalProperties' && typeof e.params?.additionalProperty === 'string') {
    const key = e.params.additionalProperty;
    const known = TOP_LEVEL.find((k) => k.toLowerCase() === key.toLowerCase());
    return {
      at: `/${esc(key)}`,
      message: known
        ? `'${key}' is not a Swagger 2.0 key ('${known}' is): read as ${known}, as the platform does`
        : `'${key}' is not a Swagger 2.0 key (ignored; extensions start with x-)`,
    };
  }
  if (e.instancePath === '/host' && e.keyword === 'pattern' && typeof def.host === 'string' && /\{[^{}]+\}/.test(def.host)) {
    return {
      at: '/host',
      message: `host '${def.host}' has a placeholder, which Swagger 2.0 does not allow: a dynamichosturl policy or --base-url gives the real host`,
    };
  }
  const m = PARAMETER.exec(e.instancePath);
  if (!m) return undefined;
  const p = at(def, m[1]);
  if (!p || typeof p.name !== 'string' || !LOCATIONS.includes(String(p.in))) return undefined;
  let what = `does not match the Swagger 2.0 schema of a ${p.in} parameter`;
  if (p.in === 'body' && p.type !== undefined) what = `is a body parameter with a 'type' (ignored: its schema describes the body)`;
  else if (p.in !== 'body' && p.type === undefined) what = `has no 'type' (taken as a string)`;
  return { at: m[1], message: `parameter '${p.name}' ${what}` };
}

/** The top-level fields of a Swagger 2.0 document (validate's schema rules read it too). */
export const TOP_LEVEL = [
  'swagger',
  'info',
  'host',
  'basePath',
  'schemes',
  'consumes',
  'produces',
  'paths',
  'definitions',
  'parameters',
  'responses',
  'security',
  'securityDefinitions',
  'tags',
  'externalDocs',
];
const LOCATIONS = ['body', 'query', 'header', 'path', 'formData'];
/** A parameter object: in an operation, on a path item, or in the top-level `parameters`. */
const PARAMETER = /^(\/paths\/[^/]+(?:\/[^/]+)?\/parameters\/\d+|\/parameters\/[^/]+)(?:\/.*)?$/;

/** A copy of the definition with each tolerated deviation as it is read: unknown keys dropped, the host's braces off, a parameter's type settled. */
function asRead(def: Record<string, unknown>, pointers: string[]): Record<string, unknown> {
  const out = structuredClone(def);
  for (const p of pointers) {
    if (p === '/host') out.host = String(out.host).replace(/[{}]/g, '');
    else if (PARAMETER.test(p)) {
      const param = at(out, p)!;
      if (param.in === 'body') delete param.type;
      else param.type ??= 'string';
    } else {
      const key = p.slice(1).replace(/~1/g, '/').replace(/~0/g, '~');
      const known = TOP_LEVEL.find((k) => k.toLowerCase() === key.toLowerCase());
      if (known && out[known] === undefined) out[known] = out[key];
      delete out[key];
    }
  }
  return out;
}

/** The value at a JSON pointer (without '#'), or undefined. */
function at(root: unknown, pointer: string): Record<string, unknown> | undefined {
  let v = root;
  for (const raw of pointer.split('/').slice(1)) {
    const k = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    v = v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
  }
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/**
 * Bundle (external $refs inlined) then validate a clone with swagger-parser
 * (validation dereferences and mutates, so the stored definition is the bundled
 * one, every x-ms-* kept). Errors become "<file>: invalid <format> at #/pointer: message".
 */
export async function validateDefinition(definition: Record<string, unknown>, opts: RefOptions & { locate?: Locate }): Promise<ValidatedDefinition> {
  try {
    return await validateUnchecked(definition, opts);
  } catch (e) {
    // The messages quote spec text (a $ref, a version, a property name): a line break in it split the one line (found by fuzzing).
    if (e instanceof CliError) e.message = e.message.replace(/\p{Cc}/gu, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    throw e;
  }
}

async function validateUnchecked(definition: Record<string, unknown>, opts: RefOptions & { locate?: Locate }): Promise<ValidatedDefinition> {
  const specFormat = specFormatOf(definition, opts.file);
  const label = FORMAT_LABEL[specFormat];
  const SwaggerParser = load<typeof import('@apidevtools/swagger-parser')>('@apidevtools/swagger-parser');
  // What external $refs may read (the spec's folder; http(s) only when allowed, never a private address): src/spec/refs.ts.
  const { refResolvers } = await import('./refs.js');
  const { options: refOptions, state } = refResolvers(definition, opts);
  const remote = /^https?:\/\//i.test(opts.refBase ?? '');
  let bundled: Record<string, unknown>;
  try {
    bundled = (await SwaggerParser.bundle(opts.refBase ?? '', structuredClone(definition) as any, refOptions as any)) as any;
  } catch (e) {
    const readError = state.error;
    if (readError instanceof CancelError) throw readError;
    if (readError instanceof CliError)
      throw new CliError(`${opts.file}: ${readError.message}`, { exitCode: readError.exitCode, hint: readError.hint, cause: readError });
    if (readError) throw readError;
    const ref = /\$ref pointer "([^"]+)"/.exec(String((e as Error).message))?.[1];
    if (ref && !ref.startsWith('#') && (opts.refBase === undefined || (remote && !/^https?:\/\//i.test(ref)))) {
      const at = findRef(definition, (r) => r === ref);
      throw new CliError(`${opts.file}: external $ref '${ref}'${at ? ` at ${at}` : ''} is not followed here`, {
        hint: remote
          ? 'A definition fetched from a URL may only $ref other http(s) URLs, never local files.'
          : 'A connector document is self-contained; import the original definition instead.',
      });
    }
    throw new CliError(`${opts.file}: ${refMessage(e as Error, definition)}`);
  }
  // Validation walks the dereferenced tree: refuse $ref fan-out that would make that walk hours long.
  const { expandedSize } = await import('./expand.js');
  if (expandedSize(bundled, MAX_EXPANDED_NODES) > MAX_EXPANDED_NODES) {
    throw new UsageError(
      `${opts.file}: its $refs expand to more than ${MAX_EXPANDED_NODES.toLocaleString('en-US')} nodes; refusing it`,
      'Published connectors expand to under 100,000 (the largest of 63 in the corpus: 88,802); look for schemas that $ref each other many times over.',
    );
  }
  const warnings: string[] = [];
  try {
    await SwaggerParser.validate(structuredClone(bundled) as any, { ...refOptions, validate: { schema: true, spec: true } } as any);
  } catch (e) {
    const details = (e as { details?: AjvError[] }).details;
    if (Array.isArray(details) && details.length) {
      const where = (pointer: string) => {
        const pos = opts.locate?.(pointer);
        return pos ? `${opts.file}:${pos.line}:${pos.column}` : opts.file;
      };
      // Swagger 2.0 only: OpenAPI 3's schema errors stay errors (no published connector is OpenAPI 3).
      const deviations = new Map<string, string>();
      const tolerated = (d: AjvError) => {
        if (isQuirk(d)) return true;
        const dev = specFormat === 'swagger2' ? deviation(d, bundled) : undefined;
        if (dev && !deviations.has(dev.at)) deviations.set(dev.at, dev.message);
        return dev !== undefined;
      };
      const ok = details.filter(tolerated);
      const real = details.filter((d) => !ok.includes(d) && !(ECHO.has(d.keyword) && ok.some((q) => isUnder(q.instancePath, d.instancePath))));
      if (real.length) {
        const e = pickError(real);
        throw new CliError(`${where(e.instancePath)}: invalid ${label} at ${pointer(e, real)}`);
      }
      const quirks = ok.filter(isQuirk);
      const byPath = new Map<string, AjvError>();
      for (const q of quirks) if (!byPath.has(q.instancePath) || byPath.get(q.instancePath)!.keyword === 'not') byPath.set(q.instancePath, q);
      for (const q of byPath.values()) warnings.push(`${where(q.instancePath)}: tolerated ${label} quirk at #${q.instancePath}: ${q.message}`);
      for (const [p, message] of deviations) warnings.push(`${where(p)}: tolerated ${label} deviation at #${p}: ${message}`);
      // The semantic checks see the deviations as the platform reads them, so they are not reported twice.
      await validateSpecOnly(SwaggerParser, asRead(bundled, [...deviations.keys()]), refOptions, opts.file, label, warnings);
    } else {
      semanticError(e as Error, bundled, opts.file, label, warnings);
    }
  }
  return { definition: bundled, specFormat, warnings: dedupe(warnings), bundled: state.bundled };
}

async function validateSpecOnly(SwaggerParser: any, bundled: object, refOptions: object, file: string, label: string, warnings: string[]) {
  try {
    await SwaggerParser.validate(structuredClone(bundled), { ...refOptions, validate: { schema: false, spec: true } });
  } catch (e) {
    semanticError(e as Error, bundled as Record<string, unknown>, file, label, warnings);
  }
}

function semanticError(e: Error, def: Record<string, unknown>, file: string, label: string, warnings: string[]): void {
  const raw = String(e.message ?? e)
    .split('\n')[0]
    .replace(/^Validation failed\.\s*/, '');
  const msg = withPointer(raw, def);
  if (SEMANTIC_QUIRK.test(raw)) {
    warnings.push(`${file}: tolerated ${label} quirk: ${msg}`);
    return;
  }
  if (/\$ref|resolv|pointer/i.test(raw)) throw new CliError(`${file}: ${refMessage(e, def)}`);
  throw new CliError(`${file}: invalid ${label}: ${msg}`);
}

/** swagger-parser names places as "/paths/{id}/get/..."; rewrite to a JSON pointer "#/paths/~1{id}/get/...". */
function withPointer(message: string, def: Record<string, unknown>): string {
  const paths = Object.keys((def.paths as Record<string, unknown>) ?? {}).sort((a, b) => b.length - a.length);
  return message.replace(/(^|\s)\/(paths|definitions)(\/\S*)?/, (_m, pre: string, root: string, rest = '') => {
    if (root === 'paths') {
      const p = paths.find((x) => rest === x || rest.startsWith(x + '/'));
      if (p) return `${pre}#/paths/${esc(p)}${rest.slice(p.length)}`;
    }
    return `${pre}#/${root}${rest}`;
  });
}

const esc = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');
const isUnder = (path: string, ancestor: string) => path === ancestor || path.startsWith(ancestor + '/');
const dedupe = (xs: string[]) => [...new Set(xs)];

/** The most useful error: the deepest non-combinator one. */
function pickError(errors: AjvError[]): AjvError {
  const leaves = errors.filter((e) => !ECHO.has(e.keyword));
  const pool = leaves.length ? leaves : errors;
  return pool.reduce((a, b) => (b.instancePath.split('/').length > a.instancePath.split('/').length ? b : a));
}

function pointer(e: AjvError, all: AjvError[]): string {
  let msg = e.message ?? 'is invalid';
  if (e.keyword === 'enum') {
    // oneOf branches (e.g. the parameter kinds) each report their own enum at the same place: merge them.
    const allowed = [
      ...new Set(all.filter((x) => x.keyword === 'enum' && x.instancePath === e.instancePath).flatMap((x) => (x.params?.allowedValues as unknown[]) ?? [])),
    ];
    return `#${e.instancePath}: must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`;
  }
  if (e.keyword === 'additionalProperties' && e.params?.additionalProperty) msg += ` ('${String(e.params.additionalProperty)}')`;
  if (e.keyword === 'enum' && e.params?.allowedValues) msg += ` (${JSON.stringify(e.params.allowedValues)})`;
  return `#${e.instancePath || ''}: ${msg}`;
}

/** json-schema-ref-parser errors in one line, with the pointer of the offending $ref when we can find it. */
function refMessage(e: Error, def: Record<string, unknown>): string {
  const err = e as Error & { targetRef?: string; targetToken?: string; source?: string; ioErrorCode?: string; code?: string };
  const m = String(err.message ?? e).split('\n')[0];
  if (err.name === 'MissingPointerError' && err.targetRef) {
    const ref = err.targetRef.replace(/^[^#]*#/, '#');
    const at = findRef(def, (r) => r === err.targetRef || r.endsWith(ref));
    return `cannot resolve $ref '${ref}'${at ? ` at ${at}` : ''}${err.targetToken ? ` ('${err.targetToken}' does not exist)` : ''}`;
  }
  if (err.name === 'ResolverError' && err.source) {
    const file = err.source.split(/[\\/]/).pop() ?? err.source;
    const at = findRef(def, (r) => r.split('#')[0].endsWith(file));
    const why = err.ioErrorCode === 'ENOENT' ? 'no such file' : m.replace(/^.*?:\s*/, '').slice(0, 160);
    return `cannot resolve external $ref '${err.source}'${at ? ` at ${at}` : ''}: ${why}`;
  }
  return `cannot resolve $refs: ${m.slice(0, 200)}`;
}

/** JSON pointer of the first `$ref` whose value matches. */
function findRef(root: unknown, match: (ref: string) => boolean): string | undefined {
  const stack: [unknown, string][] = [[root, '#']];
  while (stack.length) {
    const [v, p] = stack.pop()!;
    if (!v || typeof v !== 'object') continue;
    const o = v as Record<string, unknown>;
    if (typeof o.$ref === 'string' && match(o.$ref)) return p;
    const entries = Object.entries(o);
    for (let i = entries.length - 1; i >= 0; i--) stack.push([entries[i][1], `${p}/${esc(entries[i][0])}`]);
  }
  return undefined;
}
