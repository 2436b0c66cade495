import { sanitizeLine } from '../io/sanitize.js';
import type { DynamicSchemaDescription, OperationDescription, ParameterDescription } from './describe.js';
import { typeLabel, type DynamicSource, type SchemaNode } from './schema-tree.js';

/**
 * The text of `connector operations K OP` (and of `run K OP --help`): sections of aligned rows,
 * a required name marked `*`, a description on its own line below. Every line is made of
 * spec text, so each goes through sanitizeLine (no control character reaches the terminal).
 */

/** Enum values listed in text (--json has them all). */
const ENUM_SHOWN = 12;
/** The name column never grows wider than this (deep trees, long names). */
const NAME_WIDTH = 36;

interface Row {
  name: string;
  cells: string[];
  below: string[];
}

const one = (text: string) => text.replace(/\s+/g, ' ').trim();
/** A value in a list: as it is when plain, else as JSON (a blank edge, a comma, an empty string). */
const show = (v: unknown) => (typeof v === 'string' && /^[^\s,"](?:[^,"]*[^\s,"])?$/.test(v) ? v : JSON.stringify(v));
/** x-ms-summary and description on one line: one of them when they say the same, neither when they only repeat the name. */
function about(summary: string | undefined, description: string | undefined, name = ''): string {
  const bare = (t: string) =>
    t
      .toLowerCase()
      .replace(/^(the|a|an) |\.$/g, '')
      .replace(/[\s_-]+/g, '');
  const a = one(summary ?? '');
  const b = one(description ?? '');
  const parts = [a, b].filter((t) => t && bare(t) !== bare(name));
  if (parts.length < 2) return parts[0] ?? '';
  return a.toLowerCase() === b.toLowerCase() || b.toLowerCase().startsWith(a.toLowerCase()) ? b : `${a}: ${b}`;
}

/** One output line; the style is added after the text is sanitized (so it is the only escape that reaches the terminal). */
interface Line {
  text: string;
  style?: 'bold' | 'dim';
}

export function renderDescription(d: OperationDescription, opts: { color?: boolean } = {}): string {
  const out: Line[] = [];
  const line = (text: string, style?: Line['style']) => out.push({ text, style });
  const head = (text: string) => line(text, 'bold');
  head(`${d.method} ${d.url ?? d.path}`);
  line(`${d.operationId}${d.summary ? `: ${one(d.summary)}` : ''}`);
  if (d.description && one(d.description) !== one(d.summary ?? '')) {
    for (const l of d.description.replace(/\t/g, '  ').split(/\r?\n/)) line(`  ${l}`.trimEnd());
  }
  const facts = [
    d.url === null ? 'no host in the spec (a policy, the connection or --base-url gives it)' : '',
    d.auth.length ? `auth: ${d.auth.join(', ')}` : d.connection.length ? `auth: the connection's (${d.connection.join(', ')})` : 'auth: none',
    d.deprecated ? 'deprecated' : '',
    d.visibility ? `visibility: ${d.visibility}` : '',
    d.trigger ? `trigger: ${d.trigger}` : '',
    d.customCode ? 'custom code (script.csx) changes it in Power Platform; connector run sends it as written' : '',
  ].filter(Boolean);
  line(facts.join(' · '));

  line('');
  head('Parameters:');
  if (d.parameters.length) out.push(...rows(d.parameters.map(paramRow)));
  else line('  (none)');

  if (d.body) {
    const b = d.body;
    line('');
    head(`Body${b.required ? ' (required)' : ''}: ${typeLabel(b.schema)}${b.contentTypes.length ? `, ${b.contentTypes.join(', ')}` : ''}`);
    const intro = about(b.summary, b.description);
    if (intro) line(`      ${intro}`, 'dim');
    for (const f of fetchedIn(d, 'body')) line(`      ${fetchedLine(f)}`, 'dim');
    const body: Row[] = dynamicLines(b.schema.dynamic).map((l) => ({ name: '', cells: [], below: [l] }));
    treeRows(b.schema, 0, body);
    out.push(...rows(body));
    line('');
    head('Example body:');
    for (const l of JSON.stringify(b.example ?? null, null, 2).split('\n')) line(`  ${l}`);
  }

  line('');
  head('Responses:');
  if (!d.responses.length) line('  (none declared)');
  const responses: Row[] = d.responses.map((r) => {
    const schema = r.schema ? `${r.schema.type}${r.schema.properties?.length ? `: ${list(r.schema.properties, 8)}` : ''}` : '';
    const description = r.description && one(r.description) !== r.status ? one(r.description) : '';
    const fetched = fetchedIn(d, `response ${r.status}`).map(fetchedLine);
    return { name: r.status, cells: [[description, schema].filter(Boolean).join(' — ')], below: [...dynamicLines(r.schema?.dynamic), ...fetched] };
  });
  out.push(...rows(responses));

  if (d.policies.length) {
    line('');
    head('Policies:');
    for (const p of d.policies) line(`  ${p.templateId}${p.title ? ` (${one(p.title)})` : ''}: ${one(p.does)}`);
  }
  line('');
  head('Example:');
  line(`  ${d.example}`);
  if (d.example.endsWith(' --body @body.json') || d.example.includes(' --body @body.json ')) line('  (body.json: the example body above, with your values)');
  // -f builds JSON: not offered for a multipart, form or binary body (run refuses it there).
  if (d.body && !d.example.includes(' -f ') && d.body.contentTypes.some((t) => /json/i.test(t)))
    line('  Body fields can also be flags: -f name=value, -f count:=3, -f tags[]=a, -f user.name=x (connector run --help).');
  const codes = { bold: '\x1b[1m', dim: '\x1b[2m' };
  return `${out.map((l) => (opts.color && l.style && l.text ? `${codes[l.style]}${sanitizeLine(l.text)}\x1b[0m` : sanitizeLine(l.text))).join('\n')}\n`;
}

const fetchedIn = (d: OperationDescription, where: string) => (d.dynamicSchemas ?? []).filter((f) => f.in === where);

/** `fetched from GetRecordSchema for /fields: size, color (shown in place)`. */
function fetchedLine(f: DynamicSchemaDescription): string {
  const props = f.properties.length ? `: ${list(f.properties, 8)}` : '';
  return `fetched from ${f.operationId}${f.at ? ` for ${f.at}` : ''}${props} (shown in place)`;
}

function paramRow(p: ParameterDescription): Row {
  let type = p.type === 'array' && p.items ? `array of ${p.items.type}${p.items.format ? ` (${p.items.format})` : ''}` : p.type;
  if (p.type !== 'array' && p.format) type += ` (${p.format})`;
  if (p.collectionFormat && p.type === 'array') type += `, ${p.collectionFormat}`;
  const notes = [valuesNote(p.enum, p.allowedValues), p.default !== undefined ? `default: ${show(p.default)}` : '', visibilityNote(p.visibility)];
  const below = [about(p.summary, p.description, p.name), ...dynamicLines(p.dynamic)];
  if (p.example !== undefined && JSON.stringify(p.example) !== JSON.stringify(p.default)) below.push(`example: ${show(p.example)}`);
  if (p.several) below.push(p.several);
  return { name: `${p.name}${p.required ? '*' : ''}`, cells: [p.in, [type, ...notes].filter(Boolean).join('  ')], below: below.filter(Boolean) };
}

/** The rows of a body tree: a node's properties indented two spaces per level, an array's item properties under it. */
function treeRows(n: SchemaNode, depth: number, out: Row[]): void {
  const children = childrenOf(n);
  for (const c of children) {
    const pad = '  '.repeat(depth);
    const label = c.name === '' ? '[]' : c.name;
    const notes = [
      valuesNote(c.enum, c.allowedValues),
      c.default !== undefined ? `default: ${show(c.default)}` : '',
      visibilityNote(c.visibility),
      c.readOnly ? 'read-only' : '',
      c.recursive || innermost(c).recursive ? '(recursive: as above)' : '',
      c.truncated || innermost(c).truncated ? '(deeper levels not shown)' : '',
    ];
    const below = [about(c.summary, c.description, c.name), ...dynamicLines(c.dynamic)];
    out.push({ name: `${pad}${label}${c.required ? '*' : ''}`, cells: [[typeLabel(c), ...notes].filter(Boolean).join('  ')], below: below.filter(Boolean) });
    treeRows(c, depth + 1, out);
  }
  if (n.truncated && depth === 0 && !children.length) out.push({ name: '(not shown: nested too deep)', cells: [], below: [] });
}

/** What is listed under a node: its properties, a map's value, an array's (nested) item's properties, the variants. */
function childrenOf(n: SchemaNode): SchemaNode[] {
  const item = innermost(n);
  const kids = [...(item.properties ?? [])];
  if (item.additionalProperties && (item.additionalProperties.properties?.length || kids.length))
    kids.push({ ...item.additionalProperties, name: '<any name>' });
  if (item.additionalProperties && !kids.length) kids.push(...childrenOf(item.additionalProperties));
  for (const [i, v] of (item.variants ?? []).entries()) kids.push({ ...v, name: `(${item.variants!.length > 1 ? `option ${i + 1}` : 'option'})` });
  return kids;
}

/** An array's innermost item (the node itself when it is no array). */
function innermost(n: SchemaNode): SchemaNode {
  let item = n;
  while (item.type === 'array' && item.items) item = item.items;
  return item;
}

function valuesNote(values: unknown[] | undefined, named: { value: unknown; title: string }[] | undefined): string {
  if (named?.length)
    return `one of: ${list(
      named.map((v) => (show(v.value) === v.title ? v.title : `${show(v.value)} (${v.title})`)),
      ENUM_SHOWN,
    )}`;
  if (values?.length) return `one of: ${list(values.map(show), ENUM_SHOWN)}`;
  return '';
}

function visibilityNote(v: string | undefined): string {
  if (!v || v === 'none') return '';
  return v === 'internal' ? 'internal (hidden in Power Automate)' : v;
}

function list(items: string[], max: number): string {
  return items.length > max ? `${items.slice(0, max).join(', ')}, … (${items.length - max} more)` : items.join(', ');
}

/** The newer extension of each pair: x-ms-dynamic-list replaces -values, -properties replaces -schema. */
const NEWER: Partial<Record<DynamicSource['extension'], DynamicSource['extension']>> = {
  'x-ms-dynamic-values': 'x-ms-dynamic-list',
  'x-ms-dynamic-schema': 'x-ms-dynamic-properties',
};

/** One line per source; an old and a new extension naming the same operation (specs carry both) share one line. */
export function dynamicLines(list: DynamicSource[] | undefined): string[] {
  const all = list ?? [];
  const out: string[] = [];
  for (const d of all) {
    const twin = all.find((o) => o.extension === NEWER[d.extension] && o.operationId === d.operationId);
    if (twin) continue; // said by the newer one
    const older = all.find((o) => NEWER[o.extension] === d.extension && o.operationId === d.operationId);
    out.push(dynamicLine(d, older ? [older.extension, d.extension] : [d.extension]));
  }
  return out;
}

/** `values from GetSites (value: id, title: name; siteId = parameter site) [x-ms-dynamic-values]`. */
function dynamicLine(d: DynamicSource, tags: string[]): string {
  const what: Record<DynamicSource['extension'], string> = {
    'x-ms-dynamic-values': 'values from',
    'x-ms-dynamic-list': 'values from',
    'x-ms-dynamic-tree': 'a tree from',
    'x-ms-dynamic-schema': 'schema from',
    'x-ms-dynamic-properties': 'properties from',
  };
  const source = d.operationId ?? (d.capability ? `the ${d.capability} capability` : '(no operation named)');
  const paths = [
    d.collection ? `items: ${d.collection}` : '',
    d.valuePath ? (d.extension === 'x-ms-dynamic-schema' || d.extension === 'x-ms-dynamic-properties' ? `at ${d.valuePath}` : `value: ${d.valuePath}`) : '',
    d.valueTitle ? `title: ${d.valueTitle}` : '',
    d.browseOperationId ? `browse: ${d.browseOperationId}` : '',
  ].filter(Boolean);
  const args = Object.entries(d.parameters).map(([k, v]) => ('parameter' in v ? `${k} = parameter ${v.parameter}` : `${k} = ${show(v.value)}`));
  const inner = [paths.join(', '), args.join(', ')].filter(Boolean).join('; ');
  const missing = d.found === false ? ' — not an operation of this connector' : '';
  return `${what[d.extension]} ${source}${inner ? ` (${inner})` : ''} [${tags.join(', ')}]${missing}`;
}

/** Rows aligned in columns (on their sanitized text); the lines below a row indented under its name. */
function rows(list: Row[]): Line[] {
  const clean = list.map((r) => ({ name: sanitizeLine(r.name), cells: r.cells.map(sanitizeLine), below: r.below }));
  const width = Math.min(NAME_WIDTH, Math.max(0, ...clean.map((r) => r.name.length)));
  const cols = Math.max(0, ...clean.map((r) => r.cells.length));
  const widths = Array.from({ length: cols }, (_, i) => Math.max(0, ...clean.filter((r) => i < r.cells.length - 1).map((r) => r.cells[i].length)));
  const out: Line[] = [];
  for (const r of clean) {
    const cells = r.cells.map((c, i) => (i < r.cells.length - 1 ? c.padEnd(widths[i]) : c));
    if (r.name || cells.length) out.push({ text: `  ${[r.name.padEnd(width), ...cells].join('  ')}`.trimEnd() });
    // deeper than the next level's names (two spaces a level), so a description never reads as a child
    const indent = ' '.repeat(6 + (r.name.length - r.name.trimStart().length));
    for (const b of r.below) out.push({ text: `${indent}${b}`, style: 'dim' });
  }
  return out;
}
