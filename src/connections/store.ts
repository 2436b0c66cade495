import { join } from 'node:path';
import type { Context } from '../context.js';
import { CliError, UsageError } from '../errors.js';
import { atomicWrite } from '../fs/atomic.js';
import { readJsonFile } from '../fs/json.js';
import { validateName } from '../registry/registry.js';
import { closest } from '../util/suggest.js';
import type { AuthOption, ConnectionParameter, ConnectorRecord } from '../model.js';
import { envOverlay, envVarName } from '../secrets/env.js';
import { secretAccount } from '../secrets/store.js';
import type { ConnectionRecord, ResolvedConnection } from './types.js';
import { checkValue } from './check.js';
import { OAUTH_SECRETS } from './oauth-names.js';

interface ConnectionsFile {
  version: 1;
  connections: ConnectionRecord[];
}

/** `<connector>/<name>` → parts, with a usage error naming the expected shape. */
export function parseAddress(text: string): { connector: string; name: string } {
  const parts = text.split('/');
  if (parts.length !== 2 || !parts[0] || !parts[1]) {
    throw new UsageError(`'${text}' is not a connection address`, 'Write it as <connector>/<connection>, e.g. jira/default.');
  }
  return { connector: validateName(parts[0]), name: validateName(parts[1], 'connection name') };
}

const filePath = (ctx: Context) => join(ctx.home, 'connections.json');

/** All connection records (no secrets), sorted by connector then name. */
export async function listConnections(ctx: Context, connector?: string): Promise<ConnectionRecord[]> {
  const file = await readJsonFile<ConnectionsFile>(filePath(ctx));
  const all = file?.connections ?? [];
  return all
    .filter((c) => !connector || c.connector === connector)
    .sort((a, b) => a.connector.localeCompare(b.connector) || a.name.localeCompare(b.name));
}

/**
 * Read-modify-write connections.json under the registry lock. `fn` mutates the list
 * in place; its return value is passed through. Nothing is written when it throws.
 */
export async function updateConnections<T>(ctx: Context, fn: (list: ConnectionRecord[]) => T | Promise<T>): Promise<T> {
  const registry = await ctx.registry();
  return registry.locked(async () => {
    const file = (await readJsonFile<ConnectionsFile>(filePath(ctx))) ?? { version: 1 as const, connections: [] };
    const result = await fn(file.connections);
    normaliseDefaults(file.connections);
    await atomicWrite(filePath(ctx), JSON.stringify(file, null, 1) + '\n');
    return result;
  });
}

/** Exactly one default per connector that has connections: keep the flagged one, else the oldest. */
function normaliseDefaults(list: ConnectionRecord[]) {
  const by = new Map<string, ConnectionRecord[]>();
  for (const c of list) by.set(c.connector, [...(by.get(c.connector) ?? []), c]);
  for (const group of by.values()) {
    const flagged = group.filter((c) => c.isDefault);
    const keep = flagged[0] ?? [...group].sort((a, b) => a.createdAt.localeCompare(b.createdAt))[0];
    for (const c of group) c.isDefault = c === keep;
  }
}

/** One record, or a CliError naming near matches and the create command. */
export async function getConnection(ctx: Context, connector: string, name: string): Promise<ConnectionRecord> {
  const list = await listConnections(ctx, connector);
  const found = list.find((c) => c.name === name);
  if (found) return found;
  throw notFound(connector, name, list);
}

export function notFound(connector: string, name: string, list: ConnectionRecord[]): CliError {
  const near = closest(name, list.map((c) => c.name));
  return new CliError(`no connection '${connector}/${name}'`, {
    hint: near.length
      ? `Did you mean: ${near.map((n) => `${connector}/${n}`).join(', ')}?`
      : `Create it: connector connection create ${connector}${name === 'default' ? '' : ` --name ${name}`}`,
  });
}

/** Parameters of the record's option that a connection holds (OAuth/gateway placeholders excluded). */
export function valueParameters(option: AuthOption | undefined): ConnectionParameter[] {
  return (option?.parameters ?? []).filter((p) => p.type !== 'oauthSetting' && p.type !== 'gatewaySetting');
}

/**
 * A connection ready to use: stored values, secrets from the store the record names,
 * and the CONNECTOR_<K>_<C>_<PARAM> environment overlay on top. `name` omitted → the
 * default connection; a connector that needs none gets a synthetic empty one.
 */
export async function resolveConnection(ctx: Context, connector: string, name?: string): Promise<ResolvedConnection> {
  const registry = await ctx.registry();
  const connectorRecord = await registry.get(connector);
  const { deriveConnectionModel } = await import('../spec/connection-model.js');
  const model = deriveConnectionModel(connectorRecord);
  const list = await listConnections(ctx, connector);
  let record = name ? list.find((c) => c.name === name) : (list.find((c) => c.isDefault) ?? list[0]);
  if (!record) {
    const fromEnv = envOnlyRecord(ctx, connectorRecord, model.options, name ?? 'default');
    if (fromEnv) record = fromEnv;
    else if (name) throw notFound(connector, name, list);
    else if (!model.options.length || model.options.every((o) => o.kind === 'none')) return synthetic(connector);
    else {
      // In CI the environment can stand in for a stored connection: name the variables it takes.
      const option = model.options.find((o) => o.kind !== 'gateway' && o.kind !== 'none');
      const required = valueParameters(option).filter((p) => p.required && !p.hidden && p.default === undefined);
      const vars = option?.kind === 'oauth2' ? [envVarName(connector, 'default', 'access_token')] : required.map((p) => envVarName(connector, 'default', p.name));
      throw new CliError(`connector '${connector}' needs a connection and has none`, {
        hint: `Create one: connector connection create ${connector}` + (vars.length ? `\nOr, in CI, set ${vars.join(' and ')}.` : ''),
      });
    }
  }
  // The OAuth token set is read by the token storage when a request needs it, and the client's
  // secret or certificate only when the tokens must be renewed: each keychain read costs ~10 ms.
  return resolveRecord(ctx, record, model.options.find((o) => o.id === record.authOption), { defer: OAUTH_SECRETS });
}

/** An environment value checked like a typed one (allowed values may be given by their text). */
function checked(param: ConnectionParameter, value: string, variable: string): string {
  try {
    return checkValue(param, value);
  } catch (e) {
    if (e instanceof UsageError) throw new UsageError(`${variable}: ${e.message}`, e.hint);
    throw e;
  }
}

/** Values of a stored record: registry values, secrets from its store, env overlay on top. */
export async function resolveRecord(
  ctx: Context,
  record: ConnectionRecord,
  option: AuthOption | undefined,
  opts: { defer?: readonly string[] } = {},
): Promise<ResolvedConnection> {
  const deferred: string[] = [];
  const values: Record<string, string> = {};
  const origins: Record<string, string> = {};
  for (const [k, v] of Object.entries(record.values)) {
    values[k] = v;
    origins[k] = 'registry';
  }
  const names = new Set([...Object.keys(record.values), ...record.secretParams, ...valueParameters(option).map((p) => p.name)]);
  const secretNames = new Set([...record.secretParams, ...valueParameters(option).filter((p) => p.secret).map((p) => p.name)]);
  const missing: string[] = [];
  let store: Awaited<ReturnType<typeof import('../secrets/open.js').storeFor>> | undefined;
  for (const n of names) {
    const env = envOverlay(ctx.io.env, record.connector, record.name, n);
    if (env) {
      const param = valueParameters(option).find((p) => p.name === n);
      values[n] = param ? checked(param, env.value, env.name) : env.value;
      origins[n] = `env:${env.name}`;
      continue;
    }
    if (!record.secretParams.includes(n)) continue;
    if (opts.defer?.includes(n)) {
      deferred.push(n);
      continue;
    }
    if (!store) {
      const { storeFor } = await import('../secrets/open.js');
      store = await storeFor(ctx, record.secretStore);
    }
    const v = await store.get(secretAccount(record.connector, record.name, n));
    if (v === undefined) missing.push(n);
    else {
      values[n] = v;
      origins[n] = record.secretStore;
    }
  }
  if (missing.length) {
    const where = store?.describe() ?? record.secretStore;
    throw new CliError(`secret ${missing.map((m) => `'${m}'`).join(', ')} of connection ${record.connector}/${record.name} is missing from the ${where}`, {
      hint:
        `If the keychain is unreachable or locked, unlock it or use --secret-store vault; or set ${missing.map((m) => envVarName(record.connector, record.name, m)).join(', ')}; ` +
        `or recreate it: connector connection delete ${record.connector}/${record.name} && connector connection create ${record.connector} --name ${record.name}`,
    });
  }
  const secrets = [...secretNames].map((n) => values[n]).filter((v): v is string => Boolean(v));
  return { record, option, values, secrets, origins, ...(deferred.length ? { deferred } : {}) };
}

function synthetic(connector: string): ResolvedConnection {
  const now = new Date(0).toISOString();
  return {
    record: { connector, name: '', authOption: '', kind: 'none', values: {}, secretParams: [], secretStore: 'memory', isDefault: true, createdAt: now, updatedAt: now },
    option: undefined,
    values: {},
    secrets: [],
    origins: {},
  };
}

/** CI without a stored connection: the first option whose required parameters all come from the environment. */
function envOnlyRecord(ctx: Context, connector: ConnectorRecord, options: AuthOption[], name: string): ConnectionRecord | undefined {
  for (const option of options) {
    const params = valueParameters(option).filter((p) => !p.hidden);
    if (option.kind === 'oauth2' && envOverlay(ctx.io.env, connector.name, name, 'access_token')) {
      // CI: a bearer token from CONNECTOR_<K>_<C>_ACCESS_TOKEN, no sign-in stored.
      const now = new Date().toISOString();
      return { connector: connector.name, name, authOption: option.id, kind: 'oauth2', values: {}, secretParams: [], secretStore: 'memory', isDefault: true, createdAt: now, updatedAt: now };
    }
    if (option.kind === 'oauth2' || option.kind === 'gateway' || !params.length) continue;
    const got = params.filter((p) => envOverlay(ctx.io.env, connector.name, name, p.name));
    if (!got.length || params.some((p) => p.required && !got.includes(p) && p.default === undefined)) continue;
    const values: Record<string, string> = {};
    for (const p of params) if (p.default !== undefined) values[p.name] = p.default;
    const now = new Date().toISOString();
    return { connector: connector.name, name, authOption: option.id, kind: option.kind, values, secretParams: [], secretStore: 'memory', isDefault: true, createdAt: now, updatedAt: now };
  }
  return undefined;
}
