import { readRegularFileSync } from '../fs/read.js';
import { basename } from 'node:path';
import { validateHeaderName, validateHeaderValue } from 'node:http';
import { UsageError } from '../errors.js';
import { checkDepth } from '../util/depth.js';
import { closest } from '../util/suggest.js';
import type { Operation, OpParam } from '../operation/find.js';
import { checkValue, coerceScalar } from '../operation/validate.js';
import type { FilePart, ParamValue, PreparedRequest } from './types.js';
import { getHeader, setHeader } from './headers.js';

export interface BuildInput {
  /** `-p name=value` values; `@path` reads a file (`@@x` is the literal `@x`). */
  params: Record<string, ParamValue>;
  /** Raw body text (`--body`). */
  body?: string;
  /** `-H` headers, applied last. */
  headers?: Record<string, string>;
  /** Overrides scheme, host and basePath. */
  baseUrl?: string;
  /** Hears a check that was skipped (a pattern RE2 cannot run). */
  warn?: (message: string) => void;
  /** Parameters the connector declares the value of (CallOptions.declared): a failed check warns, not refuses. */
  declared?: readonly string[];
}

/**
 * Build the request for `op` from user input: every parameter checked (required,
 * type, enum, bounds, pattern) before anything is sent; a mistake is a UsageError
 * naming the parameter. Auth and policies are applied afterwards.
 */
export function buildRequest(definition: Record<string, any>, op: Operation, input: BuildInput): PreparedRequest {
  const req: PreparedRequest = {
    operationId: op.operationId,
    method: op.method,
    base: baseUrl(definition, input.baseUrl),
    path: op.path,
    pathValues: {},
    query: [],
    headers: {},
    secretHeaders: new Set(),
    secretQuery: new Set(),
    secretValues: new Set(),
    carriesCredentials: false,
  };
  const given = matchInputs(op, input.params);
  const missing: string[] = [];
  const form: [string, string | FilePart][] = [];
  const cookies: string[] = [];

  for (const p of op.params) {
    let raw = given.get(p);
    if (raw === undefined && p.schema.default !== undefined) raw = defaultAsInput(p.schema.default);
    if (raw === undefined) {
      if (p.required) missing.push(`${p.name} (${p.in})`);
      continue;
    }
    if (p.in === 'formData' && (p.schema.type === 'file' || p.schema.format === 'binary')) {
      form.push([p.name, readFilePart(p, raw)]);
      continue;
    }
    const value = coerce(p, raw);
    checkInput(value, `parameter '${p.name}' (${p.in})`);
    const problems = checkValue(p.schema, value, input.warn);
    if (problems.length && input.declared?.includes(p.name)) {
      input.warn?.(`parameter '${p.name}' (${p.in}): the connector's own value ${JSON.stringify(value)} ${problems[0]}; sent as declared`);
    } else if (problems.length) {
      throw new UsageError(
        `parameter '${p.name}' (${p.in}) ${problems[0]}, got ${JSON.stringify(value)}`,
        p.description ? `${p.name}: ${p.description.split('\n')[0]}` : undefined,
      );
    }
    switch (p.in) {
      case 'path': {
        const s = joinSimple(p, value);
        req.pathValues[p.name] = s;
        let enc = encodeURIComponent(s);
        if (p.urlEncoding === 'double') enc = encodeURIComponent(enc);
        req.path = req.path.split(`{${p.name}}`).join(enc);
        break;
      }
      case 'query':
        req.query.push(...queryPairs(p, value));
        break;
      case 'header':
        setHeader(req.headers, p.name, joinSimple(p, value));
        break;
      case 'cookie':
        cookies.push(`${p.name}=${encodeURIComponent(joinSimple(p, value))}`);
        break;
      case 'formData':
        for (const [k, v] of queryPairs(p, value)) form.push([k, v]);
        break;
    }
  }
  if (cookies.length) setHeader(req.headers, 'Cookie', cookies.join('; '));

  const bodyText = input.body ?? (op.body?.name !== undefined ? asString(given.get(op.body as never)) : undefined);
  if (op.body && bodyText !== undefined) {
    const ct = getHeader(input.headers ?? {}, 'content-type') ?? getHeader(req.headers, 'content-type') ?? op.body.contentTypes[0] ?? 'application/json';
    checkInput(bodyText, 'the request body');
    if (/json/i.test(ct)) {
      try {
        req.json = JSON.parse(bodyText);
      } catch (e) {
        throw new UsageError(`the request body is not valid JSON: ${(e as Error).message}`, 'Pass JSON with --body, --body @file.json or --body - (stdin).');
      }
      checkDepth(req.json, 'the request body'); // a lone surrogate escape in JSON text is harmless: the text is sent as given
    }
    req.body = Buffer.from(bodyText);
    setHeader(req.headers, 'Content-Type', ct);
  } else if (op.body?.required) {
    missing.push(`${op.body.name ?? 'body'} (body)`);
  } else if (!op.body && input.body !== undefined && !op.params.some((p) => p.in === 'formData')) {
    throw new UsageError(`operation '${op.operationId}' takes no request body, but --body was given`);
  }
  if (missing.length) {
    throw new UsageError(
      `missing required parameter${missing.length > 1 ? 's' : ''} for ${op.operationId}: ${missing.join(', ')}`,
      `Pass ${missing.length > 1 ? 'them' : 'it'} with -p name=value${op.body?.required ? ' (the body with --body)' : ''}.`,
    );
  }
  if (form.length) encodeForm(req, op, form);

  const accept = acceptFor(op);
  if (accept && !getHeader(req.headers, 'accept')) setHeader(req.headers, 'Accept', accept);
  for (const [k, v] of Object.entries(input.headers ?? {})) setHeader(req.headers, k, v);
  checkHeaders(req.headers);
  return req;
}

/**
 * What every later step can handle: nesting within MAX_DEPTH (they walk values recursively), and
 * text that UTF-8 can encode. A lone UTF-16 surrogate (from a JSON or YAML `\ud800` escape) made
 * encodeURIComponent throw "URI malformed"; encoders that do not throw (URLSearchParams, Buffer,
 * .NET's UTF-8 encoder) silently send U+FFFD instead, a different value than the one given. Refused.
 */
function checkInput(value: unknown, what: string): void {
  checkDepth(value, what);
  const stack = [value];
  while (stack.length) {
    const v = stack.pop();
    if (typeof v === 'string') {
      if (LONE_SURROGATE.test(v)) {
        throw new UsageError(
          `${what} contains a lone UTF-16 surrogate (a \\ud800-\\udfff escape without its pair), which UTF-8 cannot encode`,
          'Use the character itself, or both halves of its surrogate pair.',
        );
      }
    } else if (v !== null && typeof v === 'object') stack.push(...(Array.isArray(v) ? v : Object.keys(v).concat(Object.values(v))));
  }
}

/** In a `u` regular expression a paired surrogate is one code point, so \p{Cs} matches only lone halves. */
const LONE_SURROGATE = /\p{Cs}/u;

/** node:http throws on a control character (CR/LF injection) or non-Latin-1 text in a header: say which one, before sending. */
function checkHeaders(headers: Record<string, string>): void {
  for (const [k, v] of Object.entries(headers)) {
    try {
      validateHeaderName(k);
      validateHeaderValue(k, v);
    } catch {
      // The value is not repeated: it may be a credential.
      throw new UsageError(
        `header '${k}' has a character HTTP does not allow (a line break, control character or non-Latin-1 text)`,
        'Check -H and header parameters (-p).',
      );
    }
  }
}

/** Base URL: --base-url, OAS3 servers[0] (variables at their defaults), or schemes (https first) + host + basePath. */
export function baseUrl(def: Record<string, any>, override?: string): string {
  if (override) {
    let url: URL;
    try {
      url = new URL(override);
    } catch {
      throw new UsageError(`--base-url '${override}' is not an absolute URL`, 'Example: --base-url https://api.example.com/v1');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new UsageError(`--base-url '${override}' is not an http or https URL`, 'Example: --base-url https://api.example.com/v1');
    return override.replace(/\/+$/, '');
  }
  if (typeof def.openapi === 'string') {
    const server = def.servers?.[0];
    let url: string = server?.url ?? '';
    for (const [k, v] of Object.entries<any>(server?.variables ?? {})) url = url.split(`{${k}}`).join(String(v?.default ?? ''));
    if (!/^https?:\/\//.test(url))
      throw new UsageError(`the spec has no absolute server URL (servers[0] is '${url || 'missing'}')`, 'Pass --base-url https://host/path.');
    return url.replace(/\/+$/, '');
  }
  if (!def.host) throw new UsageError('the spec has no host', 'Pass --base-url https://host/basePath.');
  const schemes: string[] = def.schemes ?? ['https'];
  const scheme = schemes.includes('https') ? 'https' : (schemes[0] ?? 'https');
  // A `basepath` key (wrong case, in certified connectors) is read as basePath, as import says it is.
  const basePath = def.basePath ?? Object.entries(def).find(([k]) => k.toLowerCase() === 'basepath')?.[1];
  return `${scheme}://${def.host}${(typeof basePath === 'string' ? basePath : '').replace(/\/+$/, '')}`;
}

function matchInputs(op: Operation, params: Record<string, ParamValue>): Map<OpParam | object, ParamValue> {
  const out = new Map<OpParam | object, ParamValue>();
  for (const [name, value] of Object.entries(params)) {
    const [loc, bare] = name.includes(':') && /^(path|query|header|cookie|formData):/.test(name) ? name.split(/:(.*)/s) : [undefined, name];
    const p =
      op.params.find((x) => x.name === bare && (!loc || x.in === loc)) ??
      op.params.find((x) => x.name.toLowerCase() === bare.toLowerCase() && (!loc || x.in === loc));
    if (p) out.set(p, value);
    else if (op.body && (bare === op.body.name || bare === 'body')) out.set(op.body, value);
    else {
      const names = [...op.params.map((x) => x.name), ...(op.body?.name ? [op.body.name] : [])];
      const near = closest(bare, names);
      throw new UsageError(
        `operation '${op.operationId}' has no parameter '${bare}'`,
        near.length ? `Did you mean: ${near.join(', ')}?` : names.length ? `Its parameters: ${names.join(', ')}` : 'It takes no parameters.',
      );
    }
  }
  return out;
}

function defaultAsInput(v: unknown): ParamValue {
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'object' ? JSON.stringify(x) : String(x)));
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

function asString(v: ParamValue | undefined): string | undefined {
  return v === undefined ? undefined : Array.isArray(v) ? v.join(',') : readAt(v);
}

/**
 * `@path` → the file's text without ONE trailing line break (`\n` or `\r\n`, the one editors
 * and `echo >` add, which would otherwise land in a query or header value; one, where $(…)
 * strips all); `@raw:path` → the text byte for byte; `@@x` → `@x`. File uploads
 * (readFilePart) are always sent as is.
 */
function readAt(v: string): string {
  if (v.startsWith('@@')) return v.slice(1);
  if (v.startsWith('@raw:') && v.length > 5) return readAtFile(v.slice(5)).toString('utf8');
  if (v.startsWith('@') && v.length > 1) {
    return readAtFile(v.slice(1))
      .toString('utf8')
      .replace(/\r?\n$/, '');
  }
  return v;
}

function readFilePart(p: OpParam, raw: ParamValue): FilePart {
  const v = Array.isArray(raw) ? raw[0] : raw;
  if (!v.startsWith('@') || v.startsWith('@@')) return { filename: p.name, content: Buffer.from(readAt(v)) };
  const path = v.startsWith('@raw:') && v.length > 5 ? v.slice(5) : v.slice(1);
  return { filename: basename(path), content: readAtFile(path, ` for parameter '${p.name}'`) };
}

/** `-p name=@file`: one regular file (no FIFO, device or /dev/zero), at most as large as a --body file. */
const MAX_PARAM_FILE_BYTES = 100 * 1024 * 1024;

function readAtFile(path: string, what = ''): Buffer {
  try {
    return readRegularFileSync(path, { limit: MAX_PARAM_FILE_BYTES });
  } catch (e) {
    throw new UsageError(`${(e as Error).message}${what}`);
  }
}

function coerce(p: OpParam, raw: ParamValue): unknown {
  const s = p.schema;
  const type = Array.isArray(s.type) ? s.type.find((t: string) => t !== 'null') : s.type;
  if (type === 'array') {
    let items: string[];
    if (Array.isArray(raw)) items = raw.map(readAt);
    else {
      const text = readAt(raw);
      let parsed: unknown;
      if (text.trim().startsWith('[')) {
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = undefined;
        }
      }
      if (Array.isArray(parsed)) return parsed;
      // One delimited value (OpenAPI 3 explode: false, Swagger csv/ssv/pipes, a header): its items are the
      // parts, checked one by one and sent joined again. Repeated -p (multi) gives one item per -p.
      const fmt = arrayFormat(p);
      items = fmt === 'multi' ? [text] : text.split(SEP[fmt] ?? ',');
    }
    return items.map((x) => coerceScalar(s.items ?? {}, x));
  }
  if (Array.isArray(raw) && raw.length > 1) {
    // Joining them would send a value nobody typed (name=a,b); the last one winning would drop one silently.
    throw new UsageError(
      `-p ${p.name} given ${raw.length === 2 ? 'twice' : `${raw.length} times`}, but ${p.name} is not an array`,
      `Pass it once: -p ${p.name}=VALUE.`,
    );
  }
  const text = Array.isArray(raw) ? raw.map(readAt).join(',') : readAt(raw);
  return coerceScalar(s, text);
}

const str = (v: unknown) => (typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v));

/** path/header "simple" style. */
function joinSimple(p: OpParam, v: unknown): string {
  if (Array.isArray(v)) return v.map(str).join(SEP[arrayFormat(p)] ?? ',');
  if (v !== null && typeof v === 'object' && (p.style || p.raw.schema)) {
    const e = Object.entries(v as Record<string, unknown>);
    return p.explode ? e.map(([k, x]) => `${k}=${str(x)}`).join(',') : e.flatMap(([k, x]) => [k, str(x)]).join(',');
  }
  return str(v);
}

const SEP: Record<string, string> = { csv: ',', ssv: ' ', tsv: '\t', pipes: '|' };

function arrayFormat(p: OpParam): string {
  if (p.collectionFormat) return p.collectionFormat;
  switch (p.style) {
    case 'form':
      return p.explode === false ? 'csv' : 'multi';
    case 'spaceDelimited':
      return p.explode ? 'multi' : 'ssv';
    case 'pipeDelimited':
      return p.explode ? 'multi' : 'pipes';
    default:
      return 'csv';
  }
}

function queryPairs(p: OpParam, v: unknown): [string, string][] {
  if (Array.isArray(v)) {
    const fmt = arrayFormat(p);
    return fmt === 'multi' ? v.map((x) => [p.name, str(x)]) : [[p.name, v.map(str).join(SEP[fmt] ?? ',')]];
  }
  if (v !== null && typeof v === 'object' && p.style) {
    const e = Object.entries(v as Record<string, unknown>);
    if (p.style === 'deepObject') return e.map(([k, x]) => [`${p.name}[${k}]`, str(x)]);
    if (p.explode) return e.map(([k, x]) => [k, str(x)]);
    return [[p.name, e.flatMap(([k, x]) => [k, str(x)]).join(',')]];
  }
  return [[p.name, str(v)]];
}

function encodeForm(req: PreparedRequest, op: Operation, form: [string, string | FilePart][]): void {
  const multipart =
    form.some(([, v]) => typeof v !== 'string') ||
    (op.consumes.some((c) => /multipart\/form-data/i.test(c)) && !op.consumes.some((c) => /x-www-form-urlencoded/i.test(c)));
  if (!multipart) {
    req.body = Buffer.from(new URLSearchParams(form as [string, string][]).toString());
    setHeader(req.headers, 'Content-Type', 'application/x-www-form-urlencoded');
    return;
  }
  // Math.random is enough for a boundary (it only has to be absent from the parts) and spares loading node:crypto.
  const boundary = `----connector${Math.random().toString(16).slice(2)}${Math.random().toString(16).slice(2)}`;
  const parts: Buffer[] = [];
  for (const [name, v] of form) {
    const q = name.replace(/"/g, '%22');
    if (typeof v === 'string') {
      parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${q}"\r\n\r\n${v}\r\n`));
    } else {
      parts.push(
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="${q}"; filename="${v.filename.replace(/"/g, '%22')}"\r\n` +
            `Content-Type: ${v.contentType ?? 'application/octet-stream'}\r\n\r\n`,
        ),
        v.content,
        Buffer.from('\r\n'),
      );
    }
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  req.body = Buffer.concat(parts);
  setHeader(req.headers, 'Content-Type', `multipart/form-data; boundary=${boundary}`);
}

function acceptFor(op: Operation): string | undefined {
  let types = op.produces;
  if (!types.length) {
    const ok = Object.entries(op.responses).find(([c]) => /^2/.test(c))?.[1];
    types = Object.keys(ok?.content ?? {});
  }
  if (!types.length) return undefined;
  const json = types.find((t) => /^application\/json/i.test(t)) ?? types.find((t) => /json/i.test(t));
  return json ?? types.join(', ');
}
