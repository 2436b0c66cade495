import type { Context } from '../../context.js';
import { AuthError, InputNeededError } from '../../errors.js';
import { printJson, printTable } from '../../io/output.js';
import { sanitizeLine } from '../../io/sanitize.js';
import { deriveConnectionModel } from '../../spec/connection-model.js';
import { findConnection, resolveAddress, resolveRecord } from '../../connections/store.js';
import { envVarName } from '../../secrets/env.js';
import { pluginFor } from '../../auth/kinds.js';
import { isValueParameter } from '../../auth/parameters.js';
import type { ConnectionRecord } from '../../connections/types.js';
import type { AuthOption } from '../../model.js';

const MASK = '********';

/** `connector connection show <connector>/<name>`: every value (secrets masked) and where it comes from. */
export default async function show(ctx: Context, address: string): Promise<number> {
  const { connector, name } = await resolveAddress(ctx, address, { short: true });
  const record = await (await ctx.registry()).get(connector);
  const { record: conn, variables } = await findConnection(ctx, connector, name);
  const option = deriveConnectionModel(record).options.find((o) => o.id === conn.authOption);
  if (variables) return showEnvOnly(ctx, conn, option, variables);
  let resolved: Awaited<ReturnType<typeof resolveRecord>> | undefined;
  let problem: string | undefined;
  try {
    resolved = await resolveRecord(ctx, conn, option);
  } catch (e) {
    if (e instanceof AuthError || e instanceof InputNeededError) throw e;
    problem = (e as Error).message;
  }
  // The kind's own secret-store items (OAuth's tokens, client secret) are described by the kind, not listed as parameters.
  const plugin = await pluginFor(conn.kind);
  const own = plugin.ownSecrets ?? {};
  const names = [...new Set([...(option?.parameters.map((p) => p.name) ?? []), ...Object.keys(conn.values), ...conn.secretParams])].filter((n) => {
    const p = option?.parameters.find((x) => x.name === n);
    return (!p || isValueParameter(p)) && !(n in own);
  });
  const described = await plugin.describe?.(ctx, conn);
  const rows = names.map((n) => {
    const p = option?.parameters.find((x) => x.name === n);
    const secret = conn.secretParams.includes(n) || Boolean(p?.secret);
    const value = resolved?.values[n] ?? conn.values[n];
    const origin =
      resolved?.origins[n] ?? (conn.values[n] !== undefined ? 'registry' : conn.secretParams.includes(n) ? `${conn.secretStore} (unreadable)` : 'not set');
    return {
      name: n,
      label: p?.label ?? n,
      secret,
      value: value === undefined ? undefined : secret ? MASK : value,
      origin,
      env: envVarName(connector, name, n),
    };
  });
  if (ctx.json) {
    printJson(ctx.io, {
      ...conn,
      address: `${connector}/${name}`,
      authLabel: option?.label,
      parameters: rows,
      ...described?.json,
      ...(problem ? { problem } : {}),
    });
    return 0;
  }
  ctx.io.out(`${connector}/${name}`);
  ctx.io.out(`  auth:     ${conn.kind}${option ? ` (${sanitizeLine(option.label)})` : ''}`);
  ctx.io.out(`  default:  ${conn.isDefault ? 'yes' : 'no'}`);
  ctx.io.out(`  secrets:  ${conn.secretParams.length ? conn.secretStore : 'none'}`);
  if (conn.testOperation) ctx.io.out(`  test:     ${sanitizeLine(conn.testOperation)}`);
  for (const [label, value] of described?.facts ?? []) ctx.io.out(`  ${`${label}:`.padEnd(10)}${sanitizeLine(value)}`);
  ctx.io.out(`  created:  ${conn.createdAt}`);
  if (rows.length) {
    ctx.io.out('');
    printTable(
      ctx.io,
      // OVERRIDE: the variable that beats the stored value (CI), as the README promises `show` prints.
      ['PARAMETER', 'VALUE', 'FROM', 'OVERRIDE'],
      rows.map((r) => [r.label === r.name ? r.name : `${r.name} (${r.label})`, r.value ?? '', r.origin, r.env]),
      { flexible: 'VALUE' },
    );
  }
  if (problem) ctx.warn(problem);
  return 0;
}

/**
 * A connection only the CONNECTOR_<K>__<C>__* variables stand in for (CI), shown as `connection list`
 * shows it: source env and the variables' names, never a value (not even a non-secret one).
 */
function showEnvOnly(ctx: Context, conn: ConnectionRecord, option: AuthOption | undefined, variables: string[]): number {
  const address = `${conn.connector}/${conn.name}`;
  if (ctx.json) {
    printJson(ctx.io, {
      address,
      connector: conn.connector,
      name: conn.name,
      authOption: conn.authOption,
      kind: conn.kind,
      authLabel: option?.label,
      isDefault: conn.isDefault,
      source: 'env',
      variables,
    });
    return 0;
  }
  ctx.io.out(address);
  ctx.io.out(`  auth:     ${conn.kind}${option ? ` (${sanitizeLine(option.label)})` : ''}`);
  ctx.io.out(`  default:  ${conn.isDefault ? 'yes' : 'no'}`);
  ctx.io.out(`  source:   env: ${variables.join(', ')}`);
  return 0;
}
