import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { CliError, UsageError } from '../errors.js';
import type { ConnectorRecord } from '../model.js';
import { validateName } from '../registry/registry.js';
import { checkDepth } from '../util/depth.js';
import { slugify } from '../util/suggest.js';
import { connectorDocumentProblem, stripSecrets, toConnectorDocument } from './envelope.js';
import { loadSource, type LoadedSource, type LoadOptions } from './load.js';
import type { RefNet } from './refs-net.js';
import { pointerLocator } from './jsonpos.js';
import { validateDefinition } from './validate.js';

export interface PreparedImport {
  record: ConnectorRecord;
  loaded: LoadedSource;
  warnings: string[];
  /** External $ref files (relative to the spec's folder) and URLs inlined into the definition. */
  bundled: string[];
}

export interface ImportOptions extends LoadOptions {
  name?: string;
  now?: Date;
  /** `--allow-remote-refs`: http(s) $refs are fetched (never from a loopback or private address other than the host the spec came from). */
  allowRemoteRefs?: boolean;
  /** Tests only: the resolver and address rule for remote $refs. */
  refNet?: RefNet;
}

/**
 * Load, validate and assemble the record for `connector import` without touching
 * the registry (so any failure leaves it exactly as it was).
 * Name: --name, else the connector document's name, else slug of info.title, else of the file/folder name.
 */
export async function prepareImport(source: string, opts: ImportOptions = {}): Promise<PreparedImport> {
  if (opts.name !== undefined) validateName(opts.name);
  const loaded = await loadSource(source, opts);
  // Each part nests at most MAX_DEPTH levels (its file, or a connector document's section), so
  // everything that walks it later (validation, run, the one-level-deeper YAML export) can.
  checkDepth(loaded.definition, loaded.definitionFile);
  if (loaded.apiProperties) checkDepth(loaded.apiProperties, `${loaded.location} (apiProperties)`);
  if (loaded.settings) checkDepth(loaded.settings, `${loaded.location} (settings)`);
  const v = await validateDefinition(loaded.definition, {
    file: loaded.definitionFile,
    locate: loaded.definitionText === undefined ? undefined : pointerLocator(loaded.definitionText),
    refBase: loaded.refBase,
    http: opts.http,
    allowRemoteRefs: opts.allowRemoteRefs,
    refNet: opts.refNet,
    onRedirect: opts.onRedirect,
  });
  checkDepth(v.definition, `${loaded.definitionFile} (with its $refs bundled)`);
  const info = (v.definition.info ?? {}) as Record<string, unknown>;
  const title = typeof info.title === 'string' && info.title.trim() ? info.title : (loaded.document?.title ?? loaded.baseName);
  const name = opts.name ?? loaded.document?.name ?? (slugify(title) || slugify(loaded.baseName));
  if (!name) throw new UsageError(`cannot derive a connector name from '${source}'`, 'Give one with --name <name>.');
  try {
    validateName(name);
  } catch {
    throw new UsageError(`cannot use '${name}' (from ${loaded.document ? 'the document' : 'the title'}) as a connector name`, 'Give one with --name <name>.');
  }
  const warnings = [...loaded.warnings, ...v.warnings];
  const stripped: string[] = [];
  const record: ConnectorRecord = {
    name,
    title,
    specFormat: v.specFormat,
    source: { kind: loaded.kind, location: loaded.location },
    importedAt: (opts.now ?? new Date()).toISOString(),
    definition: v.definition,
  };
  if (typeof info.version === 'string') record.version = info.version;
  if (loaded.apiProperties) record.apiProperties = stripSecrets(loaded.apiProperties, '#/apiProperties', stripped);
  if (loaded.settings) record.settings = stripSecrets(loaded.settings, '#/settings', stripped);
  if (loaded.script !== undefined) record.script = loaded.script;
  if (loaded.icon !== undefined) record.icon = loaded.icon;
  for (const p of stripped) warnings.push(`removed a secret-looking value at ${p} (secrets belong in a connection, not the connector)`);
  if (record.script !== undefined) {
    warnings.push('custom code cannot run locally; operations listed in scriptOperations will be sent to the API as-is');
  }
  await checkExportable(record, loaded);
  return { record, loaded, warnings, bundled: v.bundled };
}

/**
 * Import refuses what `export` could not write back: the record's connector document must pass
 * schema/connector.schema.json, which import of that document checks (a paconn apiProperties.json
 * whose `properties` is an array imported, then its export failed to import). Connector documents
 * passed this check on the way in.
 */
async function checkExportable(record: ConnectorRecord, loaded: LoadedSource): Promise<void> {
  if (loaded.document) return;
  const problem = await connectorDocumentProblem(toConnectorDocument(record).doc);
  if (!problem) return;
  const m = /^#\/(definition|apiProperties|settings)(\/.*)?$/.exec(problem.where);
  const file = !m ? loaded.location : m[1] === 'definition' ? loaded.definitionFile : `${loaded.location} (${m[1]})`;
  throw new CliError(`${file}: at ${m ? `#${m[2] ?? ''}` : problem.where}: ${problem.message}`, {
    hint: 'connector could not export it as a connector document (schema/connector.schema.json) that imports back.',
  });
}

/** One connector found in a folder of connectors. */
export interface FolderEntry {
  /** Its file or folder name, as printed. */
  name: string;
  /** Absolute path to import. */
  path: string;
  /** Why it cannot be imported, found while listing (a symbolic link). */
  problem?: string;
}

/** A file directly in a folder of connectors that is taken for a spec (Swagger/OpenAPI or a connector document). */
const SPEC_FILE = /\.(json|ya?ml)$/i;
/** What makes a folder one paconn connector (the names loadSource looks for, in any case). */
const PACONN_FILE = /^(apidefinition\.swagger\.json|apiproperties\.json|settings\.json)$/i;

/**
 * The connectors in a folder of connectors — each folder and each .json/.yaml/.yml file directly
 * inside (hidden ones skipped), sorted by name — or undefined when `source` is one connector
 * (a URL, a file, a paconn folder with its own apiDefinition.swagger.json or settings.json) or
 * holds no candidate at all (then importing it as one folder gives the usual error).
 * Symbolic links are listed with a problem instead of being followed: what is imported is what
 * is in the folder.
 */
export async function connectorsInFolder(source: string): Promise<FolderEntry[] | undefined> {
  if (/^https?:\/\//i.test(source)) return undefined;
  const dir = resolve(source);
  const st = await stat(dir).catch(() => undefined);
  if (!st?.isDirectory()) return undefined;
  const entries = await readdir(dir, { withFileTypes: true });
  if (entries.some((e) => PACONN_FILE.test(e.name))) return undefined;
  const found: FolderEntry[] = [];
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const path = join(dir, e.name);
    if (e.isSymbolicLink()) {
      if (e.name.match(SPEC_FILE) || (await stat(path).catch(() => undefined))?.isDirectory())
        found.push({ name: e.name, path, problem: `${path}: a symbolic link; import what it points to by its own path` });
    } else if (e.isDirectory() || (e.isFile() && SPEC_FILE.test(e.name))) found.push({ name: e.name, path });
  }
  if (!found.length) return undefined;
  return found.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
