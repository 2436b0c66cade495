import { readFile } from 'node:fs/promises';
import { CliError } from '../errors.js';
import type { ConnectionRecord } from './types.js';
import { load } from '../util/load.js';

/** What `connection export` writes and `connection create --from` reads. Never holds a secret. */
export interface ConnectionTemplate {
  connector: string;
  name?: string;
  auth?: string;
  values: Record<string, string>;
  /** Parameters each user supplies themselves (prompted, or --param-env / --param-stdin). */
  secrets: string[];
  testOperation?: string;
}

export async function dumpTemplate(record: ConnectionRecord): Promise<string> {
  const { stringify } = load<typeof import('yaml')>('yaml');
  const t: ConnectionTemplate = {
    connector: record.connector,
    name: record.name,
    auth: record.authOption || undefined,
    values: record.values,
    // Tokens and client credentials (oauth:*) belong to one person's sign-in, not to the template.
    secrets: record.secretParams.filter((p) => !p.startsWith('oauth:')),
    testOperation: record.testOperation,
  };
  const clean = Object.fromEntries(Object.entries(t).filter(([, v]) => v !== undefined));
  return (
    `# Connection template for connector '${record.connector}' (no secrets inside).\n` +
    `# Use it with: connector connection create ${record.connector} --from <this file>\n` +
    stringify(clean)
  );
}

export async function loadTemplate(path: string): Promise<ConnectionTemplate> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new CliError(`cannot read the connection template ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const { parse } = load<typeof import('yaml')>('yaml');
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    throw new CliError(`${path} is not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  const o = doc && typeof doc === 'object' && !Array.isArray(doc) ? (doc as Record<string, unknown>) : undefined;
  if (!o || typeof o.connector !== 'string') {
    throw new CliError(`${path} is not a connection template (no 'connector:' key)`, {
      hint: 'Make one with: connector connection export <connector>/<connection> -o file.yaml',
    });
  }
  const values: Record<string, string> = {};
  for (const [k, v] of Object.entries((o.values as Record<string, unknown>) ?? {})) {
    if (v !== null && v !== undefined && typeof v !== 'object') values[k] = String(v);
  }
  return {
    connector: o.connector,
    name: typeof o.name === 'string' ? o.name : undefined,
    auth: typeof o.auth === 'string' ? o.auth : undefined,
    values,
    secrets: Array.isArray(o.secrets) ? o.secrets.map(String) : [],
    testOperation: typeof o.testOperation === 'string' ? o.testOperation : undefined,
  };
}
