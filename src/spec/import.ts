import { CliError, UsageError } from '../errors.js';
import type { ConnectorRecord } from '../model.js';
import { validateName } from '../registry/registry.js';
import { checkDepth } from '../util/depth.js';
import { slugify } from '../util/suggest.js';
import { connectorDocumentProblem, stripSecrets, toConnectorDocument } from './envelope.js';
import { loadSource, type LoadedSource, type LoadOptions } from './load.js';
import type { RefNet } from './refs-net.js';
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
