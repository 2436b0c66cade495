import { UsageError } from '../errors.js';
import type { ConnectorRecord } from '../model.js';
import { validateName } from '../registry/registry.js';
import { slugify } from '../util/suggest.js';
import { stripSecrets } from './envelope.js';
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
  /** `--allow-remote-refs`: http(s) $refs are fetched (never from a loopback or private address). */
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
  const v = await validateDefinition(loaded.definition, {
    file: loaded.definitionFile,
    refBase: loaded.refBase,
    http: opts.http,
    allowRemoteRefs: opts.allowRemoteRefs,
    refNet: opts.refNet,
    onRedirect: opts.onRedirect,
  });
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
  return { record, loaded, warnings, bundled: v.bundled };
}
