import { readdir, stat } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { CancelError, CliError, UsageError } from '../errors.js';
import { readRegularFile, tooBig } from '../fs/read.js';
import type { HttpClient, WireRequest } from '../http/client.js';
import type { SourceKind } from '../model.js';
import { locateJsonError } from './jsonpos.js';
import { isConnectorDocument, KEPT_FILE, restoreKept, validateConnectorDocument } from './envelope.js';
import { load } from '../util/load.js';
import { checkDepth, depthError } from '../util/depth.js';

/** Per-file size limit (definition, apiProperties, settings, a fetched URL or $ref). */
export const MAX_FILE_BYTES = 20 * 1024 * 1024;
/** Power Platform's own limits: an icon under 1 MB, custom code (script.csx) under 1 MB. */
export const MAX_ICON_BYTES = 1024 * 1024;
export const MAX_SCRIPT_BYTES = 1024 * 1024;
export const FETCH_TIMEOUT_MS = 30_000;
/** YAML aliases allowed in one document: enough for real specs, far too few for a "billion laughs" bomb. */
export const MAX_YAML_ALIASES = 100;

/** What `import` got from its source, before validation. */
export interface LoadedSource {
  kind: SourceKind;
  /** Absolute path or URL, as shown to the user. */
  location: string;
  /** File or folder name without extension: the fallback for the registry name. */
  baseName: string;
  /** Where the definition came from (for error messages). */
  definitionFile: string;
  /** Base for external $refs (path or URL); undefined for connector documents (already bundled). */
  refBase?: string;
  definition: Record<string, unknown>;
  /** The definition file's JSON text (a JSON file, folder or URL), so warnings can say line:column. */
  definitionText?: string;
  apiProperties?: Record<string, unknown>;
  settings?: Record<string, unknown>;
  script?: string;
  icon?: string;
  /** Header of a connector document (`kind: Connector`). */
  document?: { name: string; title?: string };
  warnings: string[];
}

export interface LoadOptions {
  /** The context's HTTP client (proxy-aware): how URL sources and their http $refs are fetched. */
  http?: HttpClient;
  /** Tests only: a smaller limit. */
  maxBytes?: number;
  timeoutMs?: number;
  /** Told of each redirect to another origin while fetching a URL source or a remote $ref (import prints it). */
  onRedirect?: (to: URL) => void;
}

/**
 * Read an import source: an http(s) URL, a paconn folder, or a JSON/YAML file
 * (a bare Swagger/OpenAPI definition or a connector document). Every failure is
 * one CliError line naming the file.
 */
export async function loadSource(source: string, opts: LoadOptions = {}): Promise<LoadedSource> {
  const max = opts.maxBytes ?? MAX_FILE_BYTES;
  if (/^https?:\/\//i.test(source)) {
    const shown = displayUrl(source);
    if (!opts.http) throw new Error('loadSource needs the HTTP client for a URL'); // a bug, not a user mistake
    const text = await fetchText(source, shown, opts.http, max, opts.timeoutMs ?? FETCH_TIMEOUT_MS, { onRedirect: opts.onRedirect });
    const doc = await parseText(text, shown, formatOf(new URL(source).pathname));
    const name = basename(new URL(source).pathname).replace(/\.(json|ya?ml)$/i, '');
    return withText(await fromDocument(doc, 'url', shown, name.replace(/\.(swagger|openapi)$/i, ''), shown, source), text);
  }
  const path = resolve(source);
  let st;
  try {
    st = await stat(path);
  } catch (e) {
    throw fsError(e, path);
  }
  if (st.isDirectory()) return loadPaconnFolder(path, opts.maxBytes);
  const text = await readText(path, max);
  const doc = await parseText(text, path, formatOf(path));
  const base = basename(path)
    .replace(/\.(json|ya?ml)$/i, '')
    .replace(/\.(swagger|openapi|connector)$/i, '');
  return withText(await fromDocument(doc, 'file', path, base, path), text);
}

/** Keep a bare definition's text when it is JSON (YAML positions are not worked out; a connector document's definition is a part of it). */
function withText(loaded: LoadedSource, text: string): LoadedSource {
  if (loaded.kind !== 'yaml' && /^\s*\{/.test(text.replace(/^\uFEFF/, ''))) loaded.definitionText = text;
  return loaded;
}

async function fromDocument(doc: unknown, kind: SourceKind, location: string, baseName: string, file: string, refBase = file): Promise<LoadedSource> {
  if (isConnectorDocument(doc)) {
    const d = await validateConnectorDocument(doc, file);
    return {
      kind: 'yaml',
      location,
      baseName,
      definitionFile: `${file}#/definition`,
      definition: d.definition,
      apiProperties: d.apiProperties,
      settings: d.settings,
      script: d.script,
      icon: d.icon,
      document: { name: d.name, title: d.title },
      warnings: [],
    };
  }
  return { kind, location, baseName, definitionFile: file, refBase, definition: asDefinition(doc, file), warnings: [] };
}

function asDefinition(doc: unknown, file: string): Record<string, unknown> {
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new CliError(`${file}: not a Swagger/OpenAPI document (the top level is not an object)`);
  }
  const d = doc as Record<string, unknown>;
  if (d.swagger === undefined && d.openapi === undefined) {
    throw new CliError(`${file}: not a Swagger 2.0 or OpenAPI 3.x document (no 'swagger' or 'openapi' field)`);
  }
  return d;
}

/**
 * A paconn folder: apiDefinition.swagger.json (any case) is required.
 * apiProperties.json is optional here (paconn requires it, but a folder with only a
 * definition is still a useful connector) and its absence is a warning. settings.json,
 * script.csx and icon.png are optional; when settings.json names other file names
 * for them (its apiDefinition / apiProperties / icon / script keys), those are used.
 */
async function loadPaconnFolder(dir: string, maxBytes: number | undefined): Promise<LoadedSource> {
  const entries = await readdir(dir);
  // Every file is read as a regular file whose real path stays in the folder (no symlink to ~/.ssh, no FIFO, no /dev/zero).
  const cap = (n: number) => Math.min(n, maxBytes ?? n);
  const max = cap(MAX_FILE_BYTES);
  const readText = async (path: string, limit: number) => (await readRegularFile(path, { limit, within: dir })).toString('utf8');
  const find = (name: string) => entries.find((e) => e.toLowerCase() === name.toLowerCase());
  const warnings: string[] = [];
  let settings: Record<string, unknown> | undefined;
  const settingsName = find('settings.json');
  if (settingsName)
    settings = asObject(await parseText(await readText(join(dir, settingsName), max), join(dir, settingsName), 'json'), join(dir, settingsName));
  const named = (key: string, dflt: string) => {
    const v = settings?.[key];
    if (typeof v === 'string' && v && !v.includes('/') && !v.includes('\\') && find(v)) return find(v);
    return find(dflt);
  };
  let defName = named('apiDefinition', 'apiDefinition.swagger.json');
  if (!defName) {
    // Published folders whose definition has another name (CQC-Connector.swagger.json, apiDefination.swagger.json): the only one is it.
    const swaggers = entries.filter((e) => /\.swagger\.json$/i.test(e)).sort();
    if (swaggers.length !== 1) {
      throw new CliError(
        `${dir}: no apiDefinition.swagger.json in this folder${swaggers.length ? `, but ${swaggers.length} *.swagger.json files (${swaggers.join(', ')})` : ''}`,
        {
          hint: swaggers.length
            ? 'Import the one you mean by its path, or name it apiDefinition.swagger.json (or in settings.json: "apiDefinition").'
            : 'A paconn connector folder holds apiDefinition.swagger.json and apiProperties.json.',
        },
      );
    }
    defName = swaggers[0];
    warnings.push(`${dir} has no apiDefinition.swagger.json; using ${defName}, its only *.swagger.json`);
  }
  const defPath = join(dir, defName);
  const definitionText = await readText(defPath, max);
  const definition = asDefinition(await parseText(definitionText, defPath, 'json'), defPath);
  let apiProperties: Record<string, unknown> | undefined;
  const propsName = named('apiProperties', 'apiProperties.json');
  if (propsName) {
    const p = join(dir, propsName);
    apiProperties = asObject(await parseText(await readText(p, max), p, 'json'), p);
  } else {
    warnings.push(`${dir} has no apiProperties.json; importing the definition alone (paconn needs one to publish)`);
  }
  // What `export --format paconn` kept out of apiProperties.json because paconn create refuses it (stackOwner).
  const keptName = find(KEPT_FILE);
  if (keptName) {
    const p = join(dir, keptName);
    apiProperties = restoreKept(apiProperties, asObject(await parseText(await readText(p, max), p, 'json'), p), p);
  }
  const scriptName = named('script', 'script.csx');
  const script = scriptName ? await readText(join(dir, scriptName), cap(MAX_SCRIPT_BYTES)) : undefined;
  const iconName = named('icon', 'icon.png');
  const icon = iconName ? (await readRegularFile(join(dir, iconName), { limit: cap(MAX_ICON_BYTES), within: dir })).toString('base64') : undefined;
  return {
    kind: 'paconn',
    location: dir,
    baseName: basename(dir),
    definitionFile: defPath,
    refBase: defPath,
    definition,
    definitionText,
    apiProperties,
    settings,
    script,
    icon,
    warnings,
  };
}

function asObject(doc: unknown, file: string): Record<string, unknown> {
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new CliError(`${file}: expected a JSON object at the top level`);
  return doc as Record<string, unknown>;
}

function formatOf(path: string): 'json' | 'yaml' | 'auto' {
  const ext = extname(path).toLowerCase();
  return ext === '.json' ? 'json' : ext === '.yaml' || ext === '.yml' ? 'yaml' : 'auto';
}

/** Parse JSON or YAML text; errors are "<file>:<line>:<col>: <message>". */
export async function parseText(text: string, file: string, format: 'json' | 'yaml' | 'auto'): Promise<unknown> {
  const doc = await parseUnchecked(text, file, format);
  // Before any recursive walk. One level more than a part may have: a connector document wraps its definition.
  checkDepth(doc, file, 1);
  return doc;
}

async function parseUnchecked(text: string, file: string, format: 'json' | 'yaml' | 'auto'): Promise<unknown> {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const looksJson = /^\s*[{[]/.test(text);
  if (format === 'json' || (format === 'auto' && looksJson)) {
    try {
      return JSON.parse(text);
    } catch (e) {
      let at: ReturnType<typeof locateJsonError>;
      try {
        at = locateJsonError(text);
      } catch {
        at = undefined; // nesting too deep for jsonc-parser's recursive visitor: JSON.parse's own message below
      }
      if (at) throw new CliError(`${file}:${at.line}:${at.column}: invalid JSON: ${at.message}`);
      // V8's message quotes the text around the error, line breaks included: keep it one line.
      throw new CliError(`${file}: invalid JSON: ${(e as Error).message.slice(0, 200).replace(/\p{Cc}/gu, ' ')}`);
    }
  }
  const YAML = load<typeof import('yaml')>('yaml');
  const doc = YAML.parseDocument(text, { uniqueKeys: true, logLevel: 'error' }); // no process warnings on stderr (a collection as a key is stringified)
  const err = doc.errors[0];
  // yaml's parser is recursive and reports its own stack overflow (near 800 levels) as a syntax error.
  if (err) {
    const pos = err.linePos?.[0];
    if (/call stack/i.test(err.message)) throw depthError(file, pos ? `line ${pos.line}` : 'YAML');
    const msg = err.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    throw new CliError(`${file}${pos ? `:${pos.line}:${pos.col}` : ''}: invalid YAML: ${msg}`);
  }
  try {
    return doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (e) {
    if (/call stack/i.test((e as Error).message)) throw depthError(file, 'YAML');
    if (/alias/i.test((e as Error).message)) {
      throw new CliError(`${file}: YAML uses too many aliases (more than ${MAX_YAML_ALIASES} expansions); refusing a possible alias bomb`);
    }
    throw new CliError(`${file}: invalid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
}

/** The definition file named on the command line: the user chose it, so a symlink is followed; still one regular file, with a limit. */
async function readText(path: string, max: number): Promise<string> {
  return (await readRegularFile(path, { limit: max })).toString('utf8');
}

function fsError(e: unknown, path: string): CliError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new CliError(`${path}: no such file or folder`);
  if (code === 'EACCES' || code === 'EPERM') return new CliError(`${path}: permission denied`);
  return new CliError(`${path}: cannot read (${(e as Error).message})`);
}

/**
 * A URL as shown and stored (registry `source.location`, messages): a password in it and the
 * values of credential-looking query parameters (SAS `sig`, `token`, `key`, ...) are masked.
 */
export function displayUrl(source: string): string {
  let u: URL;
  try {
    u = new URL(source);
  } catch {
    return source;
  }
  if (u.password) u.password = '***';
  for (const k of [...u.searchParams.keys()]) {
    if (/sig|token|key|secret|pass|auth|code|credential/i.test(k)) u.searchParams.set(k, '***');
  }
  return u.toString();
}

/** How fetchText connects: the checked lookup of a remote $ref, and who hears of a redirect to another origin. */
export interface FetchHooks {
  lookup?: WireRequest['lookup'];
  onRedirect?: (to: URL) => void;
}

/**
 * GET a URL with a timeout and a size limit; network failures become one line (naming the URL as `shown`).
 * Redirects are followed (at most 5, never https to http); another origin gets none of the request's
 * credentials (the client keeps only harmless headers across origins, and has no cookie jar).
 */
export async function fetchText(
  url: string,
  shown: string,
  http: HttpClient,
  max: number,
  timeoutMs = FETCH_TIMEOUT_MS,
  hooks: FetchHooks = {},
): Promise<string> {
  const hint = 'Check the URL and your network, or download the file and import it from disk.';
  if (new URL(url).username || new URL(url).password) {
    throw new CliError(`${shown}: a user name or password in the URL is not supported`, { hint: 'Download the file and import it from disk.' });
  }
  let res;
  try {
    res = await http.request({
      method: 'GET',
      url,
      timeoutMs,
      maxBytes: max,
      redirect: 'follow',
      onRedirect: (from, to) => {
        if (from.origin !== to.origin) hooks.onRedirect?.(to);
      },
      lookup: hooks.lookup,
      headers: { accept: 'application/json, application/yaml;q=0.9, */*;q=0.5' },
    });
  } catch (e) {
    if (e instanceof CancelError || e instanceof UsageError || !(e instanceof CliError)) throw e;
    if (/larger than/.test(e.message)) throw tooBig(shown, max);
    // The client's own hint (a proxy that is down: which variables to check) beats the generic one.
    throw new CliError(`${shown}: ${e.message}`, { hint: e.hint && !/--base-url/.test(e.hint) ? e.hint : hint, cause: e });
  }
  if (res.status < 200 || res.status > 299) {
    throw new CliError(`${shown}: HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`, { hint });
  }
  return res.body.toString('utf8');
}
