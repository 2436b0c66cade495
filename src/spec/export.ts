import { mkdir, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { CliError } from '../errors.js';
import type { ConnectorRecord } from '../model.js';
import { atomicWrite } from '../fs/atomic.js';
import { KEPT_FILE, splitForUpload, toConnectorDocument } from './envelope.js';
import { checkDepth } from '../util/depth.js';
import { load } from '../util/load.js';

/**
 * The connector document as YAML. No line folding (lineWidth 0) and no anchors,
 * so one changed value is one changed line and importing gives the same values back.
 */
export async function exportYaml(record: ConnectorRecord): Promise<{ text: string; stripped: string[] }> {
  // Import refuses deeper parts, so this only meets a record stored by an older version: one line, not a stack overflow.
  checkDepth(record, `connector '${record.name}'`, 1);
  const { doc, stripped } = toConnectorDocument(record);
  const YAML = load<typeof import('yaml')>('yaml');
  const text = YAML.stringify(doc, { lineWidth: 0, minContentWidth: 0, aliasDuplicateObjects: false });
  return { text, stripped };
}

export const PACONN_FILES = ['apiDefinition.swagger.json', 'apiProperties.json', 'settings.json', 'script.csx', 'icon.png', KEPT_FILE];

/** Generated when the record has none: paconn refuses a folder without apiProperties.json. */
const MINIMAL_API_PROPERTIES = { properties: { connectionParameters: {}, iconBrandColor: '#007ee5', capabilities: [] } };

/**
 * Write a paconn folder (`paconn create --api-def ... --api-prop ...`). OpenAPI 3 is
 * converted to Swagger 2.0 (all paconn takes); `notes` says what 2.0 could not express
 * (`<pointer>: <what>`). Refuses a non-empty folder that is not a previous export
 * (has no apiDefinition.swagger.json). Files the record lacks are
 * removed from a previous export, so re-importing the folder gives the record back.
 * apiProperties.json holds only what `paconn create` uploads; the fields it refuses
 * (stackOwner, …) go to connector.meta.json, which `connector import` of the folder reads back.
 */
export async function exportPaconn(record: ConnectorRecord, dir: string): Promise<{ written: string[]; warnings: string[]; notes: string[] }> {
  let definition: object = record.definition;
  const notes: string[] = [];
  if (record.specFormat !== 'swagger2') {
    // paconn takes Swagger 2.0 only: convert, and say what 2.0 cannot express.
    const converted = (await import('./downconvert.js')).toSwagger2(record.definition);
    definition = converted.swagger;
    notes.push(...converted.notes);
  }
  let entries: string[] = [];
  try {
    entries = await readdir(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR') throw new CliError(`${dir}: exists and is not a folder`);
    if (code !== 'ENOENT') throw new CliError(`${dir}: cannot read (${(e as Error).message})`);
  }
  const lower = entries.map((e) => e.toLowerCase());
  if (entries.length && !lower.includes('apidefinition.swagger.json')) {
    throw new CliError(`${dir}: folder is not empty and is not a previous paconn export; refusing to write into it`, {
      hint: 'Choose a new or empty folder with -o.',
    });
  }
  await mkdir(dir, { recursive: true });
  const warnings: string[] = [];
  const { doc, stripped } = toConnectorDocument(record);
  if (stripped.length) warnings.push(`left out secret-looking values at ${stripped.join(', ')}`);
  const { upload, kept } = splitForUpload(doc.apiProperties ?? MINIMAL_API_PROPERTIES);
  const files: Record<string, string | Buffer | undefined> = {
    'apiDefinition.swagger.json': JSON.stringify(definition, null, 2) + '\n',
    'apiProperties.json': JSON.stringify(upload, null, 2) + '\n',
    'settings.json': doc.settings ? JSON.stringify(doc.settings, null, 2) + '\n' : undefined,
    'script.csx': record.script,
    'icon.png': record.icon !== undefined ? Buffer.from(record.icon, 'base64') : undefined,
    [KEPT_FILE]: kept ? JSON.stringify(kept, null, 2) + '\n' : undefined,
  };
  if (!doc.apiProperties) warnings.push(`'${record.name}' has no apiProperties; wrote a minimal apiProperties.json (no connection parameters)`);
  // A previous export may spell a file differently (apidefinition.swagger.json); clear every spelling first.
  for (const e of entries) {
    const own = PACONN_FILES.find((f) => f.toLowerCase() === e.toLowerCase());
    if (own && (own !== e || files[own] === undefined)) await unlink(join(dir, e)).catch(() => {});
  }
  const written: string[] = [];
  for (const [file, content] of Object.entries(files)) {
    if (content === undefined) continue;
    await atomicWrite(join(dir, file), content, 0o644);
    written.push(join(dir, file));
  }
  return { written, warnings, notes };
}
