import { readFile } from 'node:fs/promises';
import { CliError } from '../errors.js';
import type { ConnectorRecord, SpecFormat } from '../model.js';
import { packagePath } from '../util/package-root.js';
import { load } from '../util/load.js';

/**
 * The shareable connector document (`connector export --format yaml`):
 *
 *   apiVersion: connector/v1
 *   kind: Connector
 *   name, title, version, specFormat   header
 *   definition                         the API definition, exactly as stored
 *   apiProperties, settings            paconn side files, verbatim (secrets stripped)
 *   script, icon                       script.csx text, icon.png base64
 *
 * Only the envelope has a fixed key order; everything inside keeps the order it
 * was imported with, because paths, properties and parameters are ordered by
 * their authors and re-sorting them would make the first export of a
 * connector kept in git a diff of every line. Validated by schema/connector.schema.json.
 */
export const API_VERSION = 'connector/v1';
export const KIND = 'Connector';
const ORDER = ['apiVersion', 'kind', 'name', 'title', 'version', 'specFormat', 'definition', 'apiProperties', 'settings', 'script', 'icon'] as const;

export interface ConnectorDocument {
  apiVersion: string;
  kind: string;
  name: string;
  title?: string;
  version?: string;
  specFormat?: SpecFormat;
  definition: Record<string, unknown>;
  apiProperties?: Record<string, unknown>;
  settings?: Record<string, unknown>;
  script?: string;
  icon?: string;
}

/** True when a parsed document carries our envelope marker rather than being a bare definition. */
export function isConnectorDocument(doc: unknown): boolean {
  const d = doc as Record<string, unknown> | null;
  return Boolean(d && typeof d === 'object' && !Array.isArray(d) && d.kind === KIND && typeof d.apiVersion === 'string');
}

/** The envelope for a record, keys in the fixed order, secret-looking values removed. */
export function toConnectorDocument(record: ConnectorRecord): { doc: ConnectorDocument; stripped: string[] } {
  const stripped: string[] = [];
  const src: Record<string, unknown> = {
    apiVersion: API_VERSION,
    kind: KIND,
    name: record.name,
    title: record.title,
    version: record.version,
    specFormat: record.specFormat,
    definition: record.definition,
    apiProperties: record.apiProperties && stripSecrets(record.apiProperties, '#/apiProperties', stripped),
    settings: record.settings && stripSecrets(record.settings, '#/settings', stripped),
    script: record.script,
    icon: record.icon,
  };
  const doc: Record<string, unknown> = {};
  for (const k of ORDER) if (src[k] !== undefined) doc[k] = src[k];
  return { doc: doc as unknown as ConnectorDocument, stripped };
}

/**
 * Keys whose string value would be a credential. apiProperties and settings hold
 * none by design (paconn takes the OAuth client secret on its command line), but a
 * hand-edited file might; such values never reach the registry or an export.
 */
const SECRET_KEY = /^(client_?secret|password|secret|access_?token|refresh_?token|api_?key_?value)$/i;

/** A copy of `value` without secret-looking string values; their pointers are pushed to `stripped`. */
export function stripSecrets<T>(value: T, pointer: string, stripped: string[]): T {
  if (Array.isArray(value)) return value.map((v, i) => stripSecrets(v, `${pointer}/${i}`, stripped)) as T;
  if (!value || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const p = `${pointer}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    if (SECRET_KEY.test(k) && typeof v === 'string' && v !== '') {
      stripped.push(p);
      continue;
    }
    out[k] = stripSecrets(v, p, stripped);
  }
  return out as T;
}

let validator: (((doc: unknown) => boolean) & { errors?: any[] | null }) | undefined;

/** What is wrong with a connector document by schema/connector.schema.json (ajv, loaded lazily): a pointer and a message, or undefined. */
export async function connectorDocumentProblem(doc: unknown): Promise<{ where: string; message: string } | undefined> {
  if (!validator) {
    const schema = JSON.parse(await readFile(packagePath('schema', 'connector.schema.json'), 'utf8'));
    const { default: Ajv } = load<{ default: new (o: object) => { compile(s: object): any } }>('ajv');
    validator = new Ajv({ allErrors: false, strict: false }).compile(schema);
  }
  if (validator!(doc)) return undefined;
  const e = validator!.errors?.[0];
  let message = String(e?.message ?? 'is invalid');
  if (e?.keyword === 'additionalProperties') message += ` ('${e.params.additionalProperty}')`;
  if (e?.instancePath === '/name') message = "must be a lower-case slug: letters, digits, '.', '_' and '-', no '/' and no '..'";
  if (e?.keyword === 'const' || e?.keyword === 'enum') message += ` (${JSON.stringify(e.params.allowedValue ?? e.params.allowedValues)})`;
  return { where: `#${e?.instancePath ?? ''}`, message };
}

/** Validate a parsed connector document against schema/connector.schema.json. */
export async function validateConnectorDocument(doc: unknown, file: string): Promise<ConnectorDocument> {
  const problem = await connectorDocumentProblem(doc);
  if (problem) {
    throw new CliError(`${file}: not a valid connector document at ${problem.where}: ${problem.message}`, {
      hint: 'The format is described by schema/connector.schema.json; `connector export <name>` writes it.',
    });
  }
  const d = doc as ConnectorDocument;
  if (d.apiVersion !== API_VERSION) {
    throw new CliError(`${file}: unsupported connector document version '${d.apiVersion}' (this connector reads ${API_VERSION})`);
  }
  return d;
}

/**
 * The apiProperties `properties` fields `paconn create` uploads: what `paconn download` writes
 * back, less `stackOwner`, which the service refuses ("Could not find member 'stackOwner' on
 * object of type 'ApiPropertiesDefinition'", microsoft/PowerPlatformConnectors#614) although
 * certified connectors must carry it. Anything else is refused the same way.
 */
export const UPLOADED_PROPERTIES = [
  'connectionParameters',
  'connectionParameterSets',
  'iconBrandColor',
  'scriptOperations',
  'capabilities',
  'policyTemplateInstances',
  'publisher',
] as const;

/** The sidecar of a paconn export holding what apiProperties.json leaves out; `connector import` of the folder restores it. */
export const KEPT_FILE = 'connector.meta.json';

export interface KeptFields {
  comment?: string;
  /** The left-out parts, shaped as apiProperties (`{ properties: { stackOwner } }`). */
  apiProperties: Record<string, unknown>;
  /** The order of `properties` keys as imported, so a restored folder exports byte for byte the same. */
  propertiesOrder?: string[];
}

const isObject = (v: unknown): v is Record<string, unknown> => Boolean(v) && typeof v === 'object' && !Array.isArray(v);

/** apiProperties split into what `paconn create` accepts and the rest (undefined when nothing is left out). */
export function splitForUpload(apiProperties: Record<string, unknown>): { upload: Record<string, unknown>; kept?: KeptFields } {
  const upload: Record<string, unknown> = {};
  const kept: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(apiProperties)) if (k !== 'properties') kept[k] = v;
  const props = apiProperties.properties;
  if (isObject(props)) {
    const up: Record<string, unknown> = {};
    const aside: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(props)) ((UPLOADED_PROPERTIES as readonly string[]).includes(k) ? up : aside)[k] = v;
    upload.properties = up;
    if (Object.keys(aside).length) kept.properties = aside;
  } else if (props !== undefined) upload.properties = props;
  if (!Object.keys(kept).length) return { upload };
  return {
    upload,
    kept: {
      comment: `apiProperties fields paconn create refuses, kept out of apiProperties.json; 'connector import' of this folder restores them`,
      apiProperties: kept,
      ...(isObject(props) ? { propertiesOrder: Object.keys(props) } : {}),
    },
  };
}

/** apiProperties with the fields of a KEPT_FILE put back (apiProperties.json wins where both have one). */
export function restoreKept(apiProperties: Record<string, unknown> | undefined, meta: Record<string, unknown>, file: string): Record<string, unknown> {
  const kept = meta.apiProperties;
  if (!isObject(kept))
    throw new CliError(`${file}: expected "apiProperties" to be an object`, {
      hint: `It holds apiProperties fields paconn create refuses; delete the file if it is not wanted.`,
    });
  const base = apiProperties ?? {};
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(kept)) if (k !== 'properties' && !(k in out)) out[k] = v;
  if (isObject(kept.properties)) {
    const merged: Record<string, unknown> = { ...kept.properties, ...(isObject(base.properties) ? base.properties : {}) };
    const order = Array.isArray(meta.propertiesOrder) ? meta.propertiesOrder.filter((k): k is string => typeof k === 'string' && k in merged) : [];
    const props: Record<string, unknown> = {};
    for (const k of order) props[k] = merged[k];
    for (const k of Object.keys(merged)) if (!(k in props)) props[k] = merged[k];
    out.properties = props;
  }
  return out;
}
