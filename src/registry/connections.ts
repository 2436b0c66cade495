import { CliError } from '../errors.js';
import type { ConnectionRecord } from '../connections/types.js';
import { readJsonFile } from '../fs/json.js';
import { pluginFor } from '../auth/kinds.js';

/** home/connections.json: every connection record (no secret values). */
export interface ConnectionsFile {
  version: 1;
  connections: ConnectionRecord[];
}

/** The file, or an empty one when it does not exist; a file of another shape is a one-line error. */
export async function readConnectionsFile(path: string): Promise<ConnectionsFile> {
  const file = await readJsonFile<unknown>(path);
  if (file === undefined) return { version: 1, connections: [] };
  const why = await shapeProblem(file);
  if (why) {
    throw new CliError(`${path}: not a connections file (${why})`, {
      hint: 'Restore it from a backup, or move it away to start with no connections (connector never writes half a file).',
    });
  }
  return file as ConnectionsFile;
}

const OPTIONAL = [
  ['authOption', 'string'],
  ['isDefault', 'boolean'],
  ['updatedAt', 'string'],
  ['testOperation', 'string'],
] as const;

const isObject = (v: unknown): v is Record<string, unknown> => Boolean(v) && typeof v === 'object' && !Array.isArray(v);

/**
 * What is wrong with `file` as a ConnectionsFile (the fields every command reads, and
 * the record fields of each kind, checked by the kind's plug-in), or undefined.
 */
async function shapeProblem(file: unknown): Promise<string | undefined> {
  if (!isObject(file)) return `expected an object, found ${Array.isArray(file) ? 'an array' : file === null ? 'null' : typeof file}`;
  if (file.version !== 1) return `version is ${JSON.stringify(file.version)}, expected 1`;
  if (!Array.isArray(file.connections)) return "no 'connections' list";
  for (const [i, c] of file.connections.entries()) {
    const at = `connections[${i}]`;
    if (!isObject(c)) return `${at} is not an object`;
    for (const k of ['connector', 'name', 'kind', 'secretStore', 'createdAt'] as const) {
      if (typeof c[k] !== 'string') return `${at}.${k} is not a string`;
    }
    if (!isObject(c.values) || Object.values(c.values).some((v) => typeof v !== 'string')) return `${at}.values is not a map of strings`;
    if (!Array.isArray(c.secretParams) || c.secretParams.some((v) => typeof v !== 'string')) return `${at}.secretParams is not a list of strings`;
    for (const [k, type] of OPTIONAL) if (c[k] !== undefined && typeof c[k] !== type) return `${at}.${k} is not a ${type}`;
    const own = (await pluginFor(c.kind as string)).checkRecord?.(c);
    if (own) return `${at}.${own}`;
  }
  return undefined;
}
