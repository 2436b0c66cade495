import type { Context } from '../../context.js';
import { printJson, printTable, truncate } from '../../io/output.js';
import { FORMAT_LABEL } from '../../spec/validate.js';

/** `connector list`: reads only index.json, never a spec. */
export default async function list(ctx: Context): Promise<number> {
  const all = await (await ctx.registry()).list();
  if (ctx.json) {
    printJson(ctx.io, all);
    return 0;
  }
  if (!all.length) {
    ctx.io.err('No connectors yet. Import one: connector import <file|url|folder>');
    return 0;
  }
  printTable(
    ctx.io,
    ['NAME', 'TITLE', 'OPS', 'AUTH', 'FORMAT'],
    all.map((c) => [c.name, truncate(c.title, 40), c.operationCount, c.authKinds.join('+'), FORMAT_LABEL[c.specFormat] ?? c.specFormat]),
    { flexible: 'TITLE' },
  );
  return 0;
}
