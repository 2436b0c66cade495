import type { ConnectorRecord, PolicyTemplateInstance } from '../model.js';
import { baseUrl } from '../http/build.js';
import { isSupported, policyInstances, policyOperations, policySection, policyStatus } from '../policies/index.js';
import { evaluate, type ExprScope } from '../policies/expressions.js';
import { operations, scriptOperations } from '../spec/normalize.js';
import { deriveConnectionModel } from '../spec/connection-model.js';
import { exampleParams, exampleValue } from './example.js';
import { fieldsOf, renderField, type Field } from './fields.js';
import { checkValue } from './validate.js';
import type { Operation, OpParam } from './find.js';
import { deref } from './refs.js';
import { dynamicSources, schemaTree, treeExample, typeLabel, type DynamicSource, type SchemaNode } from './schema-tree.js';
import { operationAt, walkOperations } from './walk.js';

/**
 * Everything a person needs to call one operation, as one plain document: what
 * `connector operations K OP` prints (./describe-render.ts) and, as it is, its `--json`.
 * Optional fields are left out when the spec says nothing; the shape is in the README.
 */
export interface OperationDescription {
  connector: string;
  operationId: string;
  method: string;
  path: string;
  /**
   * Where `connector run` sends it: scheme, host and basePath (or servers[0]) and the path, after
   * the dynamichosturl and routerequesttoendpoint policies, a connection value shown as
   * `<name>`; null when neither the spec nor a policy gives a host.
   */
  url: string | null;
  summary: string | null;
  description: string | null;
  deprecated: boolean;
  /** x-ms-visibility of the operation. */
  visibility: string | null;
  /** x-ms-trigger (batch, single) when the operation is a trigger. */
  trigger: string | null;
  /** Security scheme names of the spec that apply. */
  auth: string[];
  /** The auth kinds a connection of this connector can have (apiProperties or securityDefinitions); [] when it needs none. */
  connection: string[];
  /** script.csx intercepts it in Power Platform (it is sent as-is here). */
  customCode: boolean;
  parameters: ParameterDescription[];
  body: BodyDescription | null;
  responses: ResponseDescription[];
  policies: PolicyDescription[];
  /** A `connector run` line with a value for every required parameter. */
  example: string;
  /** The dynamic schema parts fetched from their source operation (describe-command.ts); absent when none was. */
  dynamicSchemas?: DynamicSchemaDescription[];
}

/** One x-ms-dynamic-schema / -properties node whose schema was fetched and is shown in place. */
export interface DynamicSchemaDescription {
  /** `body`, or `response <status>`. */
  in: string;
  /** JSON pointer of the node ('' = the whole body or response; `[]` steps into array items). */
  at: string;
  operationId: string;
  /** The properties the fetched schema has. */
  properties: string[];
}

/** Schemas with their dynamic parts fetched (dynamic-schema.ts), shown instead of the spec's. */
export interface FetchedSchemas {
  body?: Record<string, any>;
  responses?: Record<string, Record<string, any>>;
  sources: DynamicSchemaDescription[];
}

export interface ParameterDescription {
  name: string;
  in: string;
  /** `string`, `array`, ... (`any` when the spec says nothing). */
  type: string;
  format?: string;
  /** An array's items. */
  items?: { type: string; format?: string };
  collectionFormat?: string;
  required: boolean;
  default?: unknown;
  enum?: unknown[];
  allowedValues?: { value: unknown; title: string }[];
  visibility?: string;
  summary?: string;
  description?: string;
  example?: unknown;
  /** For an array: how to pass several values with -p, and how they are sent. */
  several?: string;
  dynamic?: DynamicSource[];
}

export interface BodyDescription {
  /** The Swagger 2 body parameter's name (OAS3: x-bodyName or `body`). */
  name?: string;
  required: boolean;
  contentTypes: string[];
  summary?: string;
  description?: string;
  schema: SchemaNode;
  /** A body built from the schema (its own example when that validates). */
  example: unknown;
}

export interface ResponseDescription {
  status: string;
  description?: string;
  schema?: { type: string; ref?: string; properties?: string[]; dynamic?: DynamicSource[] };
}

export interface PolicyDescription {
  templateId: string;
  title?: string;
  /** `connector run` applies it. */
  supported: boolean;
  /** x-ms-apimTemplate-policySection: Request (the default) or Response. */
  section: string;
  /** One line: what it does to this operation's request. */
  does: string;
  /** The operations it is limited to; null: every operation. */
  operations: string[] | null;
}

type Obj = Record<string, any>;
const isObj = (v: unknown): v is Obj => Boolean(v) && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * Describe `op` (from findOperation) of `record`. Pure: reads nothing but the record (and
 * `fetched`, the dynamic schema parts describe-command.ts fetched).
 */
export function describeOperation(record: ConnectorRecord, op: Operation, fetched?: FetchedSchemas): OperationDescription {
  const def = record.definition as Obj;
  const { known, auth, connection } = connectorFacts(record);
  const entry = operationAt(def, op.path, op.method);
  const raw = entry?.operation ?? op.raw;
  const policies = describePolicies(record, op.operationId);
  return {
    connector: record.name,
    operationId: op.operationId,
    method: op.method,
    path: op.path,
    url: effectiveUrl(record, op),
    summary: str(raw.summary) ?? null,
    description: str(raw.description) ?? null,
    deprecated: raw.deprecated === true,
    visibility: str(raw['x-ms-visibility']) ?? null,
    trigger: str(raw['x-ms-trigger']) ?? null,
    auth: auth.get(op.operationId) ?? op.security,
    connection,
    customCode: record.script !== undefined && scriptOperations(record).includes(op.operationId),
    parameters: op.params.map((p) => describeParam(p, known)),
    body: describeBody(def, op, entry?.parameters ?? [], known, fetched?.body),
    responses: describeResponses(def, raw, known, fetched?.responses),
    policies,
    example: exampleCommand(record.name, fetched?.body && op.body ? { ...op, body: { ...op.body, schema: fetched.body } } : op),
    ...(fetched?.sources.length ? { dynamicSchemas: fetched.sources } : {}),
  };
}

/** What every operation of a record shares, computed once per record (a connector has up to a few hundred operations). */
const facts = new WeakMap<ConnectorRecord, { known: Set<string>; auth: Map<string, string[]>; connection: string[] }>();

function connectorFacts(record: ConnectorRecord) {
  let f = facts.get(record);
  if (!f) {
    const summaries = operations(record);
    f = {
      known: new Set([...walkOperations(record.definition as Obj)].map((e) => e.operationId)),
      auth: new Map(summaries.map((o) => [o.operationId, o.auth])),
      connection: [...new Set(deriveConnectionModel(record).options.map((o) => o.kind))],
    };
    facts.set(record, f);
  }
  return f;
}

/** The URL as `connector run` builds it before the parameters are filled in (see applyPolicies). */
/** Policy expressions as a reader sees them: a connection value is `<name>`, in the URL line and the policy lines alike. */
const SHOWN: ExprScope = {
  connectionParameter: (name) => `<${name}>`,
  header: (name) => `<header ${name}>`,
  query: (name) => `<query ${name}>`,
  body: () => undefined,
};

function effectiveUrl(record: ConnectorRecord, op: Operation): string | null {
  const scope = SHOWN;
  let base: string | null = null;
  try {
    base = baseUrl(record.definition as Obj);
  } catch {
    // no host / no absolute server: a policy or --base-url gives it
  }
  let path = op.path;
  for (const t of policyInstances(record)) {
    if (policySection(t).toLowerCase() !== 'request' || !isSupported(t) || !appliesTo(t, op.operationId)) continue;
    const get = (k: string) => t.parameters[`x-ms-apimTemplateParameter.${k}`];
    const id = t.templateId.toLowerCase();
    if ((id === 'dynamichosturl' || id === 'dynamicsubdomain') && typeof get('urlTemplate') === 'string') {
      base = evaluate(get('urlTemplate') as string, scope).replace(/\/+$/, '') || base;
    } else if (id === 'routerequesttoendpoint' && typeof get('newPath') === 'string' && get('newPath')) {
      path = evaluate(get('newPath') as string, scope);
    }
  }
  return base === null ? null : base + path;
}

function describeParam(p: OpParam, known: ReadonlySet<string>): ParameterDescription {
  const s = p.schema;
  const x = (k: string) => p.raw[k] ?? s[k];
  const d: ParameterDescription = {
    name: p.name,
    in: p.in,
    type: Array.isArray(s.type) ? s.type.join(' | ') : (str(s.type) ?? (s.items ? 'array' : 'any')),
    required: p.required,
  };
  if (str(s.format)) d.format = s.format;
  if (isObj(s.items)) d.items = { type: str(s.items.type) ?? 'any', ...(str(s.items.format) ? { format: s.items.format } : {}) };
  if (p.collectionFormat) d.collectionFormat = p.collectionFormat;
  if (d.type === 'array') d.several = severalValues(p);
  if (s.default !== undefined) d.default = s.default;
  const values = Array.isArray(s.enum) ? s.enum : Array.isArray(s.items?.enum) ? s.items.enum : undefined;
  if (values) d.enum = values;
  const named = x('x-ms-enum-values');
  if (Array.isArray(named)) d.allowedValues = named.filter(isObj).map((e) => ({ value: e.value, title: String(e.displayName ?? e.value) }));
  if (p.visibility) d.visibility = p.visibility;
  if (str(x('x-ms-summary'))) d.summary = x('x-ms-summary');
  if (str(p.description)) d.description = p.description;
  const example = s.example ?? p.raw['x-example'] ?? s['x-ms-test-value'];
  if (example !== undefined) d.example = example;
  const dynamic = dynamicSources({ ...s, ...p.raw }, known);
  if (dynamic.length) d.dynamic = dynamic;
  return d;
}

/**
 * How to give an array parameter several values, as src/http/build.ts sends them: each repeated
 * `-p` is one item (a comma inside one value is no separator), or one `-p` with a JSON array;
 * query and form parameters in `multi` format repeat the name, every other one is joined.
 */
function severalValues(p: OpParam): string {
  const fmt =
    p.collectionFormat ??
    (p.style === 'form'
      ? p.explode === false
        ? 'csv'
        : 'multi'
      : p.style === 'spaceDelimited'
        ? p.explode
          ? 'multi'
          : 'ssv'
        : p.style === 'pipeDelimited'
          ? p.explode
            ? 'multi'
            : 'pipes'
          : 'csv');
  const sep = ({ csv: ',', ssv: ' ', tsv: '\t', pipes: '|' } as Record<string, string>)[fmt] ?? ',';
  const sent = fmt === 'multi' && (p.in === 'query' || p.in === 'formData') ? `${p.name}=a&${p.name}=b` : `one value ${JSON.stringify(`a${sep}b`)}`;
  return `several values: repeat -p ${p.name}=a -p ${p.name}=b, or -p '${p.name}=["a","b"]' (sent as ${sent})`;
}

function describeBody(def: Obj, op: Operation, rawParams: Obj[], known: ReadonlySet<string>, fetched?: Obj): BodyDescription | null {
  if (!op.body) return null;
  // The tree is built from the document itself (refs kept), so each node can name its definition.
  let rawSchema: unknown = op.body.schema;
  let summary: string | undefined;
  let description: string | undefined;
  const bodyParam = rawParams.find((p) => p.in === 'body');
  if (bodyParam) {
    rawSchema = bodyParam.schema ?? {};
    summary = str(bodyParam['x-ms-summary']);
    description = str(bodyParam.description);
  } else if (isObj(op.raw.requestBody)) {
    const rb = deref<Obj>(def, op.raw.requestBody);
    const content = isObj(rb.content) ? rb.content : {};
    rawSchema = content[op.body.contentTypes[0]]?.schema ?? {};
    summary = str(rb['x-ms-summary']);
    description = str(rb.description);
  }
  const schema = schemaTree(def, fetched ?? rawSchema, { known, required: op.body.required });
  const own = op.body.example;
  const example = own !== undefined && checkValue(op.body.schema, own).length === 0 ? own : treeExample(schema);
  return {
    ...(op.body.name ? { name: op.body.name } : {}),
    required: op.body.required,
    contentTypes: op.body.contentTypes,
    ...(summary ? { summary } : {}),
    ...(description ? { description } : {}),
    schema,
    example,
  };
}

function describeResponses(def: Obj, raw: Obj, known: ReadonlySet<string>, fetched?: Record<string, Obj>): ResponseDescription[] {
  const out: ResponseDescription[] = [];
  for (const [status, r0] of Object.entries(isObj(raw.responses) ? raw.responses : {})) {
    const r = deref<Obj>(def, r0);
    if (!isObj(r)) continue;
    const d: ResponseDescription = { status };
    if (str(r.description)) d.description = r.description;
    let schema: unknown = fetched?.[status] ?? r.schema;
    if (schema === undefined && isObj(r.content)) {
      const types = Object.keys(r.content);
      const t = types.find((x) => /json/i.test(x)) ?? types[0];
      schema = t ? r.content[t]?.schema : undefined;
    }
    if (isObj(schema)) {
      const n = schemaTree(def, schema, { known, maxDepth: 2 }); // an array's item properties: names only
      const item = n.type === 'array' && n.items ? n.items : n;
      d.schema = { type: typeLabel(n) };
      if (n.ref ?? item.ref) d.schema.ref = n.ref ?? item.ref;
      if (item.properties?.length) d.schema.properties = item.properties.map((p) => p.name);
      const dynamic = [...(n.dynamic ?? []), ...(item === n ? [] : (item.dynamic ?? []))];
      if (dynamic.length) d.schema.dynamic = dynamic;
    }
    out.push(d);
  }
  return out;
}

/** The instance's operation filter includes the operation (policies/index.ts matches the same way). */
function appliesTo(t: PolicyTemplateInstance, operationId: string): boolean {
  const ops = policyOperations(t);
  return !ops || ops.some((o) => o.toLowerCase() === operationId.toLowerCase());
}

function describePolicies(record: ConnectorRecord, operationId: string): PolicyDescription[] {
  const out: PolicyDescription[] = [];
  for (const t of policyInstances(record)) {
    if (!appliesTo(t, operationId)) continue;
    const ops = policyOperations(t);
    const status = policyStatus(t);
    const supported = status.applied;
    const section = policySection(t);
    const does = policyEffect(t.templateId, t.parameters);
    const d: PolicyDescription = {
      templateId: t.templateId,
      supported,
      section,
      does: section.toLowerCase() === 'request' ? does : `on the ${section.toLowerCase()}: ${does}`,
      operations: ops ?? null,
    };
    if (str(t.title)) d.title = t.title;
    if (!status.applied) d.does += ` (not applied by connector run: ${status.reason})`;
    else if (status.limitation) d.does += ` (locally: ${status.limitation})`;
    out.push(d);
  }
  return out;
}

/** One line for what a policy template instance does, from its parameters. */
export function policyEffect(templateId: string, p: Record<string, unknown>): string {
  const get = (k: string) => {
    const v = p[`x-ms-apimTemplateParameter.${k}`];
    return v === undefined || v === null ? '' : typeof v === 'string' ? v : JSON.stringify(v);
  };
  /** A literal as written, quoted when its edges are blank (" !" is not "!"). */
  const lit = (k: string) => {
    const v = get(k);
    return v === '' || v.trim() !== v ? JSON.stringify(v) : v;
  };
  const at = (parent: string, sub: string) => {
    const a = get(parent) || '@body()';
    const b = get(sub) === 'null' ? '' : get(sub); // "null": the parent itself (as run reads it)
    return !b ? a : b.startsWith('[') ? `${a}${b}` : `${a}.${b}`;
  };
  const when = (a: string) => (a ? ` (if present: ${a.toLowerCase()})` : '');
  switch (templateId.toLowerCase()) {
    case 'dynamichosturl':
    case 'dynamicsubdomain':
      return `sends the request to the base URL ${get('urlTemplate') ? evaluate(get('urlTemplate'), SHOWN) : '(no urlTemplate)'}`;
    case 'setheader':
      return `sets header ${get('name')}: ${lit('value')}${when(get('existsAction'))}`;
    case 'setqueryparameter':
      return `sets query parameter ${get('name')}=${lit('value')}${when(get('existsAction'))}`;
    case 'routerequesttoendpoint': {
      const method = get('httpMethod');
      return `routes the request to ${get('newPath') ? evaluate(get('newPath'), SHOWN) : 'the same path'}${method && !/^@Request\.OriginalHTTPMethod$/i.test(method) ? ` as ${method.toUpperCase()}` : ''}`;
    }
    case 'setproperty':
      return `sets ${at('newPropertyParentPathTemplate', 'newPropertySubPathTemplate')} to ${lit('propertyValuePathTemplate')}`;
    case 'setvaluefromurl':
      return `sets ${get('parameterTemplate') || 'a value'} from ${get('parameterValuePathTemplate') || 'the response'} of ${get('httpMethod') || 'GET'} ${get('parameterValueUrl')}`;
    case 'stringtoarray':
      return `splits ${at('propertyParentPath', 'propertySubPath')} at ${lit('delimiterList')} into an array${get('childPropertyName') ? ` of { ${get('childPropertyName')} }` : ''}`;
    case 'stringreplace':
      return `replaces ${lit('sourceString')} with ${lit('replacementString')} in ${at('propertyParentPath', 'propertySubPath')}`;
    case 'encodepropertyvalue':
      return `URL-encodes ${at('propertyParentPath', 'propertySubPath')}`;
    case 'convertarraytoobject':
      return `turns the array ${at('propertyParentPath', 'propertySubPath')} into an object keyed by ${get('keyWithinCollectionPath') || 'its items'}`;
    case 'convertobjecttoarray':
      return `turns the object ${at('propertyParentPath', 'propertySubPath')} into an array${get('keyName') ? ` of { ${get('keyName')}, ${get('valueName') || 'value'} }` : ''}`;
    case 'pollingtrigger':
      return 'polls the operation as a trigger';
    case 'moveproperties': {
      const from = [get('srcParentPath') || '@body()', get('srcSubPath')].filter(Boolean).join('.');
      const to = [get('dstParentPath') || '@body()', get('dstSubPath')].filter(Boolean).join('.');
      return `moves ${get('copyOnlySubProperties').toLowerCase() === 'true' ? 'the properties of ' : ''}${from} to ${to}`;
    }
    case 'setconnectionstatustounauthenticated':
      return `treats HTTP ${get('statusCode') || '(a status)'} as "sign in again"`;
    case 'updatenextlink':
      return `rewrites the next-page link${get('nextLinkPropertyName') ? ` ${get('nextLinkPropertyName')}` : ''}`;
    default:
      return `template ${templateId}`;
  }
}

/** A shell word: as it is when safe, else single-quoted. */
export function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Where the run line's --body points when the required body is too much for -f flags. */
export const EXAMPLE_FILE = '@body.json';

/** `connector run K OP -p ...` with a value for every required parameter (and the body when required). */
function exampleCommand(connector: string, op: Operation): string {
  const { params, body: requiredBody } = exampleParams(op);
  // a body not marked required whose schema has required fields (Encodian's FileName*) still needs them
  let body = requiredBody;
  if (body === undefined && op.body && /json/i.test(op.body.contentTypes[0] ?? '')) {
    const v = exampleValue(op.body.schema);
    if (v !== null && typeof v === 'object' && Object.keys(v).length) body = JSON.stringify(v);
  }
  const words = ['connector', 'run', connector, op.operationId];
  const isFile = (name: string) => op.params.some((p) => p.name === name && p.in === 'formData' && (p.schema.type === 'file' || p.schema.format === 'binary'));
  for (const [k, v] of Object.entries(params)) {
    if (isFile(k)) words.push('-p', `${k}=@path/to/file`);
    else for (const one of Array.isArray(v) ? v : [v]) words.push('-p', shellWord(`${k}=${one}`));
  }
  if (body !== undefined) {
    let fields: Field[] | undefined;
    try {
      fields = /json/i.test(op.body?.contentTypes[0] ?? '') ? fieldsOf(JSON.parse(body)) : undefined;
    } catch {
      // not JSON: --body as it is
    }
    if (fields?.length && fields.length <= 4 && fields.every((f) => f.path.length <= 3)) for (const f of fields) words.push('-f', shellWord(renderField(f)));
    else if (fields?.length)
      words.push('--body', EXAMPLE_FILE); // too much for flags: the example body printed above, saved
    else words.push('--body', shellWord(body));
  }
  return words.join(' ');
}
