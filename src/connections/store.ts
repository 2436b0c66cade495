import type { Context } from '../context.js';
import { CliError, NotFoundError, UsageError } from '../errors.js';
import { isValidName, validateName } from '../registry/registry.js';
import { closest } from '../util/suggest.js';
import type { AuthOption, ConnectionParameter, ConnectorRecord } from '../model.js';
import { envConnectionNames, envConnectorNames, envOverlay, envVarName } from '../secrets/env.js';
import { secretAccount } from '../secrets/store.js';
import type { ConnectionRecord, ResolvedConnection } from './types.js';
import { checkValue } from './check.js';
import { pluginFor } from '../auth/kinds.js';
import { valueParameters } from '../auth/parameters.js';

export { valueParameters } from '../auth/parameters.js';

/** `<connector>/<name>` → parts, with a usage error naming the expected shape. */
export function parseAddress(text: string): { connector: string; name: string } {
  const parts = text.split('/');
  if (parts.length !== 2 || !parts[0] || !parts[1]) {
    throw new UsageError(`'${text}' is not a connection address`, 'Write it as <connector>/<connection>, e.g. jira/default.');
  }
  return { connector: validateName(parts[0]), name: validateName(parts[1], 'connection name') };
}

/** All connection records (no secrets), sorted by connector then name. */
export async function listConnections(ctx: Context, connector?: string): Promise<ConnectionRecord[]> {
  const all = await (await ctx.registry()).connections();
  return all.filter((c) => !connector || c.connector === connector).sort((a, b) => a.connector.localeCompare(b.connector) || a.name.localeCompare(b.name));
}

/**
 * Read-modify-write the connection records under the registry lock (Registry.updateConnections),
 * keeping one default per connector. `fn` mutates the list in place; its return value is passed
 * through. Nothing is written when it throws.
 */
export async function updateConnections<T>(
  ctx: Context,
  fn: (list: ConnectionRecord[]) => T | Promise<T>,
  opts: { afterWrite?: (result: T) => Promise<void> } = {},
): Promise<T> {
  return (await ctx.registry()).updateConnections(async (list) => {
    const result = await fn(list);
    normaliseDefaults(list);
    return result;
  }, opts);
}

/**
 * Delete a connection: the record first, then its secrets, both under the registry lock.
 * A crash in between leaves only secrets no record points at (invisible; `doctor` removes
 * them), never a listed connection whose secrets are gone; and a `connection create` of the
 * same name cannot write new secrets that this deletion would then remove.
 */
export async function deleteConnection(ctx: Context, connector: string, name: string): Promise<ConnectionRecord> {
  const { storeFor } = await import('../secrets/open.js');
  // Open the store before taking the lock: the vault derives its key (scrypt, ~0.1 s) on its first read,
  // which would otherwise hold up every other writer.
  const seen = (await listConnections(ctx, connector)).find((c) => c.name === name);
  const warm = seen?.secretParams.length ? await storeFor(ctx, seen.secretStore) : undefined;
  await warm?.get(secretAccount(connector, name, seen!.secretParams[0]));
  return updateConnections(
    ctx,
    (list) => {
      const i = list.findIndex((c) => c.connector === connector && c.name === name);
      if (i < 0)
        throw notFound(
          connector,
          name,
          list.filter((c) => c.connector === connector),
        );
      return list.splice(i, 1)[0];
    },
    {
      afterWrite: async (conn) => {
        if (!conn.secretParams.length) return;
        const store = warm?.kind === conn.secretStore ? warm : await storeFor(ctx, conn.secretStore);
        try {
          for (const p of conn.secretParams) await store.delete(secretAccount(connector, name, p));
        } catch (e) {
          const why = e instanceof CliError ? e.message : String(e);
          throw new CliError(`deleted the connection ${connector}/${name}, but not its secrets in the ${store.describe()}: ${why}`, {
            hint: e instanceof CliError && e.hint ? e.hint : 'Remove them once the store is reachable (connector doctor lists them).',
            cause: e,
          });
        }
      },
    },
  );
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
  const near = closest(
    name,
    list.map((c) => c.name),
  );
  return new NotFoundError(
    `no connection '${connector}/${name}'`,
    near.length
      ? `Did you mean: ${near.map((n) => `${connector}/${n}`).join(', ')}?`
      : `Create it: connector connection create ${connector}${name === 'default' ? '' : ` --name ${name}`}`,
  );
}

/**
 * A connection address as typed → the stored connector and connection names. The connector part
 * is looked up as Registry.resolve does (any case; an old slug). With `short`, `K` alone is
 * allowed and means K's default connection: the one `run` uses without `-c` (its only one, or
 * `K/default`, unless `connection default` chose another). Commands that change or remove a
 * connection (delete, rename, default) take the full address only.
 */
export async function resolveAddress(ctx: Context, text: string, opts: { short?: boolean } = {}): Promise<{ connector: string; name: string }> {
  if (opts.short && !text.includes('/') && text) {
    const registry = await ctx.registry();
    const record = await registry.get(text);
    const { deriveConnectionModel } = await import('../spec/connection-model.js');
    const chosen = await defaultConnection(ctx, record, deriveConnectionModel(record).options, await listConnections(ctx, record.name));
    if (!chosen) throw new NotFoundError(`connector '${record.name}' has no connection`, `Create one: connector connection create ${record.name}`);
    return { connector: record.name, name: chosen.name };
  }
  const parsed = text.split('/');
  if (parsed.length === 2 && parsed[0] && parsed[1]) {
    const registry = await ctx.registry();
    parsed[0] = await registry.resolve(parsed[0]);
    if (!isValidName(parsed[0])) throw await registry.notFound(parsed[0]);
  }
  return parseAddress(parsed.join('/'));
}

/** No stored connection and none from the environment (`connector test` stops on it before any step, as on an auth failure). */
export class NoConnectionError extends CliError {
  constructor(message: string, hint: string) {
    super(message, { hint });
    this.name = 'NoConnectionError';
  }
}

/**
 * A connection ready to use: stored values, secrets from the store the record names,
 * and the CONNECTOR_<K>__<C>__<PARAM> environment overlay on top. `name` omitted → the
 * default connection; a connector that needs none gets a synthetic empty one.
 */
export async function resolveConnection(ctx: Context, connector: string, name?: string): Promise<ResolvedConnection> {
  const registry = await ctx.registry();
  const connectorRecord = await registry.get(connector);
  const { deriveConnectionModel } = await import('../spec/connection-model.js');
  const model = deriveConnectionModel(connectorRecord);
  const list = await listConnections(ctx, connector);
  let record = name ? list.find((c) => c.name === name) : await defaultConnection(ctx, connectorRecord, model.options, list);
  if (!record) {
    const fromEnv = name ? await envOnlyRecord(ctx, connectorRecord, model.options, name) : undefined;
    if (fromEnv) record = fromEnv;
    else {
      const plugins = await Promise.all(model.options.map((o) => pluginFor(o.kind)));
      if (!name && model.options.every((o, i) => !plugins[i].needsConnection(o))) return synthetic(connector);
      // In CI the environment can stand in for a stored connection: name the variables it takes.
      const names = model.options.map((o, i) => (plugins[i].needsConnection(o) ? plugins[i].environment(o)?.names : undefined)).find(Boolean) ?? [];
      const vars = names.map((n) => envVarName(connector, name ?? 'default', n));
      const ci = vars.length ? `\nOr, in CI, set ${vars.join(' and ')}.` : '';
      if (name) {
        const e = notFound(connector, name, list);
        throw new NoConnectionError(e.message, `${e.hint}${ci}`);
      }
      throw new NoConnectionError(`connector '${connector}' needs a connection and has none`, `Create one: connector connection create ${connector}${ci}`);
    }
  }
  // Some kinds keep secrets read only when a request needs them (OAuth: the token set, and the
  // client's secret or certificate only to renew tokens): each keychain read costs ~10 ms.
  const { lazySecrets } = await pluginFor(record.kind);
  const option = model.options.find((o) => o.id === record.authOption);
  const resolved = await resolveRecord(ctx, record, option, { defer: lazySecrets });
  if (!list.includes(record)) requireEnvValues(resolved);
  return resolved;
}

/**
 * A connection made of environment variables alone has no `connection create` to have asked for
 * its required values: one still missing (defaults are applied by envOnlyRecord) is said here,
 * naming the variable to set, rather than sent as an empty host or header (`https:///3e/...`).
 */
function requireEnvValues(conn: ResolvedConnection): void {
  const { connector, name } = conn.record;
  const missing = valueParameters(conn.option).filter((p) => p.required && (conn.values[p.name] ?? '') === '');
  if (!missing.length) return;
  const vars = missing.map((p) => envVarName(connector, name, p.name));
  const what = missing.map((p) => `'${p.name}'${p.label !== p.name ? ` (${p.label})` : ''}`).join(', ');
  throw new UsageError(
    `connection ${connector}/${name} comes from the environment, and has no value for the required parameter${missing.length > 1 ? 's' : ''} ${what}`,
    `Set ${vars.join(' and ')}, or create the connection: connector connection create ${connector}${name === 'default' ? '' : ` --name ${name}`}`,
  );
}

/**
 * K's default connection, the one `run` uses without `-c` and `K` alone means: the stored one
 * flagged default (else the first), else — none stored — `K/default` when the CONNECTOR_K__DEFAULT__*
 * variables stand in for a whole connection (CI). `list` is K's stored connections.
 */
export async function defaultConnection(
  ctx: Context,
  connector: ConnectorRecord,
  options: AuthOption[],
  list: ConnectionRecord[],
): Promise<ConnectionRecord | undefined> {
  return list.find((c) => c.isDefault) ?? list[0] ?? (await envOnlyRecord(ctx, connector, options, 'default'));
}

/**
 * One connection by name for the commands that show it: the stored record, else the one the
 * environment stands in for (with its variables' names, never their values), else a CliError
 * naming near matches.
 */
export async function findConnection(ctx: Context, connector: string, name: string): Promise<{ record: ConnectionRecord; variables?: string[] }> {
  const list = await listConnections(ctx, connector);
  const found = list.find((c) => c.name === name);
  if (found) return { record: found };
  const env = (await envConnections(ctx, list, connector)).find((e) => e.record.name === name);
  if (env) return env;
  throw notFound(connector, name, list);
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

/** Why a stored secret may be gone, by the store the record names (the keychain's advice only for the keychain). */
const MISSING_CAUSE: Record<string, string> = {
  keychain: 'The item may have been deleted from the keychain, or this is another machine or user. ',
  vault: 'The vault file may have been replaced or restored from an older copy (its passphrase opened it, so it is not locked). ',
  memory: 'The in-memory store forgets everything when the process exits. ',
};

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
  const secretNames = new Set([
    ...record.secretParams,
    ...valueParameters(option)
      .filter((p) => p.secret)
      .map((p) => p.name),
  ]);
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
        `${MISSING_CAUSE[record.secretStore] ?? ''}Set ${missing.map((m) => envVarName(record.connector, record.name, m)).join(', ')}; ` +
        `or recreate it: connector connection delete ${record.connector}/${record.name} && connector connection create ${record.connector} --name ${record.name}`,
    });
  }
  const secrets = [...secretNames].map((n) => values[n]).filter((v): v is string => Boolean(v));
  return { record, option, values, secrets, origins, ...(deferred.length ? { deferred } : {}) };
}

function synthetic(connector: string): ResolvedConnection {
  const now = new Date(0).toISOString();
  return {
    record: {
      connector,
      name: '',
      authOption: '',
      kind: 'none',
      values: {},
      secretParams: [],
      secretStore: 'memory',
      isDefault: true,
      createdAt: now,
      updatedAt: now,
    },
    option: undefined,
    values: {},
    secrets: [],
    origins: {},
  };
}

/**
 * Connections that exist only as CONNECTOR_<K>__<C>__* variables (CI), for `connection list`:
 * each connector the environment names, each connection name not stored, whose variables
 * stand in for a whole connection (resolveConnection would use it). Never reads a value out.
 */
export async function envConnections(
  ctx: Context,
  stored: ConnectionRecord[],
  connector?: string,
): Promise<{ record: ConnectionRecord; variables: string[] }[]> {
  const registry = await ctx.registry();
  // Only the connectors the environment names (not every connector of the registry: completion reads this too).
  let names = connector ? [connector] : envConnectorNames(ctx.io.env);
  if (!connector && names.length) {
    const known = new Set((await registry.list()).map((s) => s.name));
    names = names.filter((n) => known.has(n));
  }
  const out: { record: ConnectionRecord; variables: string[] }[] = [];
  const { deriveConnectionModel } = await import('../spec/connection-model.js');
  for (const k of names) {
    const candidates = envConnectionNames(ctx.io.env, k).filter((c) => !stored.some((s) => s.connector === k && s.name === c));
    if (!candidates.length) continue;
    const record = await registry.get(k);
    const { options } = deriveConnectionModel(record);
    const hasStored = stored.some((s) => s.connector === k);
    for (const c of candidates) {
      const found = await envOnlyRecord(ctx, record, options, c);
      if (!found) continue;
      const option = options.find((o) => o.id === found.authOption);
      const params = option ? ((await pluginFor(option.kind)).environment(option)?.names ?? []) : [];
      const variables = params.flatMap((p) => envOverlay(ctx.io.env, k, c, p)?.name ?? []);
      // Unstored, `default` is what resolveConnection falls back to when the connector has no stored connection.
      out.push({ record: { ...found, values: {}, isDefault: c === 'default' && !hasStored }, variables });
    }
  }
  return out;
}

/** CI without a stored connection: the first option whose plug-in takes the environment's values as one. */
async function envOnlyRecord(ctx: Context, connector: ConnectorRecord, options: AuthOption[], name: string): Promise<ConnectionRecord | undefined> {
  for (const option of options) {
    const env = (await pluginFor(option.kind)).environment(option);
    const standIn = env?.standIn((param) => Boolean(envOverlay(ctx.io.env, connector.name, name, param)));
    if (!standIn) continue;
    // Defaults as `connection create --no-input` would store them, hidden ones too (3E Events' host);
    // the environment's own values are laid over these by resolveRecord.
    const values: Record<string, string> = {};
    for (const p of valueParameters(option)) if (p.default !== undefined && !p.secret) values[p.name] = p.default;
    Object.assign(values, standIn);
    const now = new Date(ctx.clock.now()).toISOString();
    return {
      connector: connector.name,
      name,
      authOption: option.id,
      kind: option.kind,
      values,
      secretParams: [],
      secretStore: 'memory',
      isDefault: true,
      createdAt: now,
      updatedAt: now,
    };
  }
  return undefined;
}
