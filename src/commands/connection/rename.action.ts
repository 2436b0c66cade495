import type { Context } from '../../context.js';
import { CliError, UsageError } from '../../errors.js';
import { printJson } from '../../io/output.js';
import { validateName } from '../../registry/registry.js';
import { getConnection, notFound, parseAddress, resolveAddress, updateConnections } from '../../connections/store.js';
import { storeFor } from '../../secrets/open.js';
import { secretAccount } from '../../secrets/store.js';

/**
 * `connector connection rename <connector>/<name> <new-name>`: copy secrets to the new
 * accounts, switch the record, then delete the old accounts. A failure before the switch
 * removes the copies; the old connection stays intact.
 */
export default async function rename(ctx: Context, address: string, newName: string): Promise<number> {
  const { connector, name } = await resolveAddress(ctx, address);
  let target = newName;
  if (newName.includes('/')) {
    const parsed = parseAddress(newName);
    if (parsed.connector !== connector) throw new UsageError(`cannot move a connection to another connector ('${parsed.connector}')`);
    target = parsed.name;
  }
  validateName(target, 'connection name');
  const conn = await getConnection(ctx, connector, name);
  if (target === name) return 0;
  const store = conn.secretParams.length ? await storeFor(ctx, conn.secretStore) : undefined;
  const copied: string[] = [];
  try {
    await updateConnections(ctx, async (list) => {
      const rec = list.find((c) => c.connector === connector && c.name === name);
      if (!rec)
        throw notFound(
          connector,
          name,
          list.filter((c) => c.connector === connector),
        );
      if (list.some((c) => c.connector === connector && c.name === target)) {
        throw new CliError(`connection '${connector}/${target}' already exists`);
      }
      for (const p of rec.secretParams) {
        const value = await store!.get(secretAccount(connector, name, p));
        if (value === undefined) throw new CliError(`secret '${p}' of ${connector}/${name} is missing from the ${store!.describe()}; nothing was renamed`);
        const to = secretAccount(connector, target, p);
        await store!.set(to, value);
        copied.push(to);
      }
      rec.name = target;
      rec.updatedAt = new Date().toISOString();
    });
  } catch (e) {
    for (const account of copied) await store!.delete(account).catch(() => {});
    throw e;
  }
  for (const p of conn.secretParams) await store!.delete(secretAccount(connector, name, p));
  if (ctx.json) printJson(ctx.io, { renamed: `${connector}/${name}`, to: `${connector}/${target}` });
  else ctx.io.err(`Renamed ${connector}/${name} to ${connector}/${target}.`);
  return 0;
}
