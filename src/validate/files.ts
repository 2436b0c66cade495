/**
 * The files of one connector as the validator sees them (issue 11), and how a target on the
 * command line is read into them. Rule modules (src/validate/rules/*.ts) code against
 * ConnectorFiles: the swagger document always, the other paconn files when the target has
 * them. `text` is the exact text read (locations point into it); `doc` is its parsed value.
 * Reading is lenient: JSON with comments or trailing commas parses (jsonc-parser) and each of
 * those is a `json-strict` finding; a file that does not parse at all is one `file-parse`
 * finding, never an exception.
 */
import { readdir, stat } from 'node:fs/promises';
import { extname, isAbsolute, join, relative, resolve } from 'node:path';
import type { Finding } from './findings.js';
import { readRegularFile } from '../fs/read.js';
import { MAX_FILE_BYTES } from '../spec/load.js';
import { load } from '../util/load.js';
import { lineCol } from '../spec/jsonpos.js';

export { lineCol };

export type { RuleDefinition as RulesetRule } from '@stoplight/spectral-core';

/** One parsed JSON/YAML file of a connector. */
export interface ConnectorFile {
  /** What findings name: a path relative to the cwd, or `<name> (registry)`. */
  readonly path: string;
  /** The file's whole text (for a connector YAML document: the whole YAML file). */
  readonly text: string;
  readonly doc: any;
  /** Where `doc` sits in the file, as a JSON pointer: '' for a file of its own, '/definition' in a connector YAML document. */
  readonly base?: string;
  /** 'yaml' when `text` is YAML (locations are worked out with the YAML parser). */
  readonly syntax?: 'json' | 'yaml';
}

export interface ConnectorFiles {
  readonly swagger: ConnectorFile;
  readonly apiProperties?: ConnectorFile;
  readonly settings?: ConnectorFile;
  readonly script?: { readonly path: string; readonly text: string };
  /** What the swagger document is: the platform takes Swagger 2.0 only. */
  readonly format: 'swagger2' | 'openapi3.0' | 'openapi3.1';
}

/** What reading one target gave: its files (undefined when the swagger document is unreadable) and the findings of reading. */
export interface ReadTarget {
  /** The target as the user gave it. */
  readonly target: string;
  readonly files?: ConnectorFiles;
  readonly findings: Finding[];
}

type Jsonc = typeof import('jsonc-parser');

/** A path as findings show it: relative to the cwd when under it. */
export function shownPath(abs: string, cwd = process.cwd()): string {
  const rel = relative(cwd, abs);
  if (!rel) return '.';
  return !rel.startsWith('..') && !isAbsolute(rel) ? rel : abs;
}

/** A 1-based position. */
export interface Position {
  line: number;
  column: number;
}

const locators = new WeakMap<ConnectorFile, (pointer: readonly string[]) => Position>();

/**
 * Where the value at a path of a file's document starts (its key, when it is a property), 1-based;
 * the closest existing ancestor when the path goes further than the document. The file's text is
 * parsed for positions once, on the first call (most files have few findings).
 */
export function locate(file: ConnectorFile, path: readonly (string | number)[]): Position {
  let find = locators.get(file);
  if (!find) {
    find = positionsOf(file);
    locators.set(file, find);
  }
  const base = (file.base ?? '')
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  return find([...base, ...path.map(String)]);
}

function positionsOf(file: ConnectorFile): (path: readonly string[]) => Position {
  const starts = [0];
  for (let k = file.text.indexOf('\n'); k !== -1; k = file.text.indexOf('\n', k + 1)) starts.push(k + 1);
  const pos = (offset: number): Position => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo] + 1 };
  };
  if (file.syntax === 'yaml') {
    const YAML = load<typeof import('yaml')>('yaml');
    const d = YAML.parseDocument(file.text);
    return (path) => {
      for (let n = path.length; n >= 0; n--) {
        const sub = path.slice(0, n);
        const parent = n ? (d.getIn(sub.slice(0, -1), true) as any) : undefined;
        // A key of a map: point at the key (as for JSON), else at the value.
        const pair = parent?.items?.find?.((it: any) => it?.key && String(it.key.value ?? it.key) === sub[n - 1]);
        const node = (pair?.key ?? d.getIn(sub, true)) as { range?: [number, number] } | undefined;
        if (node?.range) return pos(node.range[0]);
        if (!n && (d.contents as any)?.range) return pos((d.contents as any).range[0]);
      }
      return { line: 1, column: 1 };
    };
  }
  const jsonc = load<typeof import('jsonc-parser')>('jsonc-parser');
  const tree = jsonc.parseTree(file.text, [], { allowTrailingComma: true, disallowComments: false });
  return (path) => {
    if (!tree) return { line: 1, column: 1 };
    let node: import('jsonc-parser').Node | undefined = tree;
    for (const k of path) {
      const next: import('jsonc-parser').Node | undefined = jsonc.findNodeAtLocation(node, [node.type === 'array' && /^\d+$/.test(k) ? Number(k) : k]);
      if (!next) break;
      node = next;
    }
    return pos(node.parent?.type === 'property' ? node.parent.offset : node.offset);
  };
}

const finding = (rule: string, severity: Finding['severity'], message: string, file: string, at: { line: number; column: number }, pointer = ''): Finding => ({
  rule,
  severity,
  message,
  file,
  pointer,
  line: at.line,
  column: at.column,
});

/**
 * Parse JSON leniently: comments and trailing commas are accepted, each a `json-strict`
 * warning at its place (the platform's JSON reader refuses them); any other syntax error is a
 * `file-parse` error and no document.
 */
export function parseJsonLenient(text: string, file: string): { doc?: unknown; findings: Finding[] } {
  const jsonc = load<Jsonc>('jsonc-parser');
  const findings: Finding[] = [];
  const errors: import('jsonc-parser').ParseError[] = [];
  const doc = jsonc.parse(text, errors, { allowTrailingComma: true, disallowComments: false, allowEmptyContent: false });
  if (errors.length) {
    const e = errors[0];
    const what = jsonc
      .printParseErrorCode(e.error)
      .replace(/([a-z])([A-Z])/g, '$1 $2')
      .toLowerCase();
    findings.push(finding('file-parse', 'error', `not valid JSON: ${what}; fix the syntax at this place`, file, lineCol(text, e.offset)));
    return { findings };
  }
  // The scanner sees what parse() forgave: comments, and a comma right before a closing bracket.
  const scan = jsonc.createScanner(text, false);
  let comma: number | undefined;
  for (let t = scan.scan(); t !== 17 /* EOF */; t = scan.scan()) {
    if (t === 12 /* LineComment */ || t === 13 /* BlockComment */) {
      findings.push(finding('json-strict', 'warning', 'the platform refuses comments in JSON: remove it', file, lineCol(text, scan.getTokenOffset())));
      continue;
    }
    if (t === 14 /* LineBreak */ || t === 15 /* Trivia */) continue;
    if ((t === 2 /* CloseBrace */ || t === 4) /* CloseBracket */ && comma !== undefined) {
      findings.push(finding('json-strict', 'warning', 'the platform refuses trailing commas in JSON: remove it', file, lineCol(text, comma)));
    }
    comma = t === 5 /* Comma */ ? scan.getTokenOffset() : undefined;
  }
  return { doc, findings };
}

/** Parse YAML; a syntax error is one `file-parse` finding. */
export function parseYaml(text: string, file: string): { doc?: unknown; findings: Finding[] } {
  const YAML = load<typeof import('yaml')>('yaml');
  const d = YAML.parseDocument(text, { uniqueKeys: true, logLevel: 'error' });
  const err = d.errors[0];
  if (err) {
    const pos = err.linePos?.[0];
    const msg = err.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    return {
      findings: [
        finding(
          'file-parse',
          'error',
          `not valid YAML: ${msg}; fix the syntax at this place`,
          file,
          pos ? { line: pos.line, column: pos.col } : { line: 1, column: 1 },
        ),
      ],
    };
  }
  try {
    return { doc: d.toJS({ maxAliasCount: 100 }), findings: [] };
  } catch (e) {
    return { findings: [finding('file-parse', 'error', `not readable YAML: ${(e as Error).message.split('\n')[0]}`, file, { line: 1, column: 1 })] };
  }
}

/** Parse a file's text by its name (.yaml/.yml: YAML; .json: JSON; otherwise by its first character). */
export function parseFile(text: string, file: string, name = file): { doc?: unknown; findings: Finding[]; syntax: 'json' | 'yaml' } {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const ext = extname(name).toLowerCase();
  const json = ext === '.json' || (ext !== '.yaml' && ext !== '.yml' && /^\s*[{[/]/.test(text));
  return json ? { ...parseJsonLenient(text, file), syntax: 'json' } : { ...parseYaml(text, file), syntax: 'yaml' };
}

/** The format a swagger document claims (a document claiming neither is taken as Swagger 2.0: schema-valid says what is wrong). */
export function formatOf(doc: any): ConnectorFiles['format'] {
  const v = typeof doc?.openapi === 'string' ? doc.openapi : undefined;
  if (v?.startsWith('3.1')) return 'openapi3.1';
  if (v?.startsWith('3.')) return 'openapi3.0';
  return 'swagger2';
}

const isObject = (v: unknown): v is Record<string, unknown> => Boolean(v) && typeof v === 'object' && !Array.isArray(v);

/** Each file read as import reads it: a regular file (no FIFO, no /dev/zero), at most 20 MB (a one-line error otherwise). */
async function readText(abs: string): Promise<string> {
  const text = (await readRegularFile(abs, { limit: MAX_FILE_BYTES })).toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Read and parse one JSON/YAML file of a connector; a parse failure is a finding and no file. */
async function readPart(abs: string, findings: Finding[]): Promise<ConnectorFile | undefined> {
  const path = shownPath(abs);
  const text = await readText(abs);
  const parsed = parseFile(text, path, abs);
  findings.push(...parsed.findings);
  if (parsed.doc === undefined) return undefined;
  return { path, text, doc: parsed.doc, syntax: parsed.syntax };
}

/** A paconn folder: apiDefinition.swagger.json (or its only *.swagger.json), apiProperties.json, settings.json, script.csx. */
async function readFolder(dir: string, target: string): Promise<ReadTarget> {
  const entries = await readdir(dir);
  const find = (name: string) => entries.find((e) => e.toLowerCase() === name.toLowerCase());
  const findings: Finding[] = [];
  const settingsName = find('settings.json');
  const settings = settingsName ? await readPart(join(dir, settingsName), findings) : undefined;
  const named = (key: string, dflt: string) => {
    const v = isObject(settings?.doc) ? settings.doc[key] : undefined;
    return (typeof v === 'string' && !/[\\/]/.test(v) && find(v)) || find(dflt);
  };
  let defName = named('apiDefinition', 'apiDefinition.swagger.json');
  if (!defName) {
    const swaggers = entries.filter((e) => /\.swagger\.json$/i.test(e));
    if (swaggers.length === 1) defName = swaggers[0];
  }
  if (!defName) return { target, findings: [...findings, noDefinition(dir)] };
  const swagger = await readPart(join(dir, defName), findings);
  const propsName = named('apiProperties', 'apiProperties.json');
  const apiProperties = propsName ? await readPart(join(dir, propsName), findings) : undefined;
  if (!propsName && swagger) {
    findings.push(
      finding('file-api-properties', 'warning', 'no apiProperties.json: paconn create needs one (connector init writes it)', shownPath(dir), {
        line: 1,
        column: 1,
      }),
    );
  }
  const scriptName = named('script', 'script.csx');
  const script = scriptName ? { path: shownPath(join(dir, scriptName)), text: await readText(join(dir, scriptName)) } : undefined;
  if (!swagger) return { target, findings };
  return { target, findings, files: { swagger, apiProperties, settings, script, format: formatOf(swagger.doc) } };
}

function noDefinition(dir: string): Finding {
  return finding(
    'file-parse',
    'error',
    'no apiDefinition.swagger.json in this folder: a paconn folder holds apiDefinition.swagger.json and apiProperties.json',
    shownPath(dir),
    {
      line: 1,
      column: 1,
    },
  );
}

/** A Swagger/OpenAPI file, or a connector YAML document (`kind: Connector`: its definition and apiProperties are checked where they are in it). */
async function readSpecFile(abs: string, target: string): Promise<ReadTarget> {
  const findings: Finding[] = [];
  const part = await readPart(abs, findings);
  if (!part) return { target, findings };
  const d = part.doc;
  if (isObject(d) && d.kind === 'Connector' && isObject(d.definition)) {
    const swagger: ConnectorFile = { ...part, doc: d.definition, base: '/definition' };
    const apiProperties: ConnectorFile | undefined = isObject(d.apiProperties) ? { ...part, doc: d.apiProperties, base: '/apiProperties' } : undefined;
    const settings: ConnectorFile | undefined = isObject(d.settings) ? { ...part, doc: d.settings, base: '/settings' } : undefined;
    const script = typeof d.script === 'string' ? { path: part.path, text: d.script } : undefined;
    return { target, findings, files: { swagger, apiProperties, settings, script, format: formatOf(d.definition) } };
  }
  return { target, findings, files: { swagger: part, format: formatOf(d) } };
}

/** An imported connector: its stored definition and apiProperties, serialized as `connector export` would (JSON, 2 spaces). */
export function recordFiles(record: import('../model.js').ConnectorRecord): ReadTarget {
  const text = JSON.stringify(record.definition, null, 2);
  const swagger: ConnectorFile = { path: `${record.name} (registry)`, text, doc: record.definition, syntax: 'json' };
  const part = (what: string, doc: unknown): ConnectorFile | undefined =>
    isObject(doc) ? { path: `${record.name} (registry ${what})`, text: JSON.stringify(doc, null, 2), doc, syntax: 'json' } : undefined;
  return {
    target: record.name,
    findings: [],
    files: {
      swagger,
      apiProperties: part('apiProperties', record.apiProperties),
      settings: part('settings', record.settings),
      script: record.script === undefined ? undefined : { path: `${record.name} (registry script)`, text: record.script },
      format: formatOf(record.definition),
    },
  };
}

/** A folder that holds connectors rather than being one (import's rule: no paconn file directly in it). */
const PACONN_FILE = /^(apidefinition\.swagger\.json|apiproperties\.json|settings\.json)$/i;

/**
 * Read a path target: a file, a paconn folder, or a folder of connectors (each folder and each
 * .json/.yaml/.yml file in it, sorted). Undefined when nothing is at the path.
 */
export async function readPath(target: string): Promise<ReadTarget[] | undefined> {
  const abs = resolve(target);
  const st = await stat(abs).catch(() => undefined);
  if (!st) return undefined;
  if (!st.isDirectory()) return [await readSpecFile(abs, target)];
  const entries = await readdir(abs, { withFileTypes: true });
  if (entries.some((e) => PACONN_FILE.test(e.name))) return [await readFolder(abs, target)];
  const inner = entries
    .filter((e) => !e.name.startsWith('.') && (e.isDirectory() || (e.isFile() && /\.(json|ya?ml)$/i.test(e.name))))
    .map((e) => e.name)
    .sort();
  if (!inner.length) return [{ target, findings: [noDefinition(abs)] }];
  const out: ReadTarget[] = [];
  for (const name of inner) {
    const p = join(abs, name);
    out.push((await stat(p)).isDirectory() ? await readFolder(p, join(target, name)) : await readSpecFile(p, join(target, name)));
  }
  return out;
}
