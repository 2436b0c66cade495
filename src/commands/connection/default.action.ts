import type { Context } from '../../context.js';
import { printJson } from '../../io/output.js';
import { notFound, resolveAddress, updateConnections } from '../../connections/store.js';

/** `connector connection default <connector>/<name>`. */
export default async function makeDefault(ctx: Context, address: string): Promise<number> {
  const { connector, name } = await resolveAddress(ctx, address);
  await updateConnections(ctx, (list) => {
    const mine = list.filter((c) => c.connector === connector);
    if (!mine.some((c) => c.name === name)) throw notFound(connector, name, mine);
    for (const c of mine) c.isDefault = c.name === name;
  });
  if (ctx.json) printJson(ctx.io, { connection: `${connector}/${name}`, isDefault: true });
  else ctx.io.err(`${connector}/${name} is now the default connection of ${connector}.`);
  return 0;
}
