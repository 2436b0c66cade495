import type { Context } from '../../context.js';
import { atomicWrite } from '../../fs/atomic.js';
import { getConnection, resolveAddress } from '../../connections/store.js';
import { dumpTemplate } from '../../connections/template.js';

/** `connector connection export <connector>/<name>`: a YAML template with no secrets. */
export default async function exportConnection(ctx: Context, address: string, opts: { output?: string }): Promise<number> {
  const { connector, name } = await resolveAddress(ctx, address, { short: true });
  const conn = await getConnection(ctx, connector, name);
  const text = await dumpTemplate(conn);
  if (opts.output) {
    await atomicWrite(opts.output, text, 0o644);
    ctx.io.err(`Wrote ${opts.output} (no secrets; a teammate runs: connector connection create ${connector} --from ${opts.output}).`);
  } else ctx.io.stdout.write(text);
  return 0;
}
