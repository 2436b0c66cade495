import type { Context } from '../../context.js';
import { printJson } from '../../io/output.js';
import { deleteConnection, getConnection, resolveAddress } from '../../connections/store.js';
import { confirmOrYes } from '../../io/confirm.js';

/**
 * `connector connection delete <connector>/<name> [--yes]`: the record first, then its secrets
 * (connections/store.ts deleteConnection), so a crash never leaves a connection whose
 * secrets are gone; at worst secrets no record points at, which `doctor` removes.
 */
export default async function remove(ctx: Context, address: string, opts: { yes?: boolean } = {}): Promise<number> {
  const { connector, name } = await resolveAddress(ctx, address);
  const known = await getConnection(ctx, connector, name); // a wrong address is heard before any question
  const secrets = known.secretParams.length
    ? ` and its ${known.secretParams.length === 1 ? 'secret' : `${known.secretParams.length} secrets`} (${known.secretStore} store)`
    : '';
  await confirmOrYes(ctx, `Delete the connection ${connector}/${name}${secrets}?`, {
    yes: opts.yes,
    what: `deleting ${connector}/${name}`,
    retry: `connector connection delete ${connector}/${name}`,
  });
  const conn = await deleteConnection(ctx, connector, name);
  if (ctx.json) printJson(ctx.io, { deleted: `${connector}/${name}`, secretsRemoved: conn.secretParams.length });
  else
    ctx.io.err(
      `Deleted ${connector}/${name}${conn.secretParams.length ? ` and its ${conn.secretParams.length === 1 ? 'secret' : `${conn.secretParams.length} secrets`}` : ''}.`,
    );
  return 0;
}
