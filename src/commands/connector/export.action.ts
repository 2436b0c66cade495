import { resolve } from 'node:path';
import type { Context } from '../../context.js';
import { UsageError } from '../../errors.js';
import { printJson } from '../../io/output.js';
import { sanitizeText } from '../../io/sanitize.js';
import { atomicWrite } from '../../fs/atomic.js';
import { toConnectorDocument } from '../../spec/envelope.js';
import { exportPaconn, exportYaml } from '../../spec/export.js';

/** `connector export <name> [--format yaml|paconn] [-o path]` */
export default async function exportCommand(ctx: Context, name: string, opts: { format?: 'yaml' | 'paconn'; output?: string }): Promise<number> {
  const format = opts.format ?? 'yaml';
  if (format === 'paconn' && !opts.output) {
    throw new UsageError('--format paconn writes a folder; give it with -o <folder>', `Example: connector export ${name} --format paconn -o ./${name}-paconn`);
  }
  const record = await (await ctx.registry()).get(name);
  if (format === 'paconn') {
    const dir = resolve(opts.output!);
    const { written, warnings, notes } = await exportPaconn(record, dir);
    for (const w of warnings) ctx.warn(w);
    // One line each: what Swagger 2.0 could not express and how it was approximated.
    for (const n of notes) ctx.io.err(`note: ${sanitizeText(n)}`);
    ctx.io.err(`Exported '${name}' as a paconn folder: ${dir} (${written.length} files)`);
    if (ctx.json) printJson(ctx.io, { name, format, path: dir, files: written });
    return 0;
  }
  const { text, stripped } = await exportYaml(record);
  if (stripped.length) ctx.warn(`left out secret-looking values at ${stripped.join(', ')}`);
  if (!opts.output || opts.output === '-') {
    // With --json the same document is printed as JSON (`connector import` reads that too).
    if (ctx.json) printJson(ctx.io, toConnectorDocument(record).doc);
    else ctx.io.stdout.write(text);
    return 0;
  }
  const file = resolve(opts.output);
  await atomicWrite(file, text, 0o644);
  ctx.io.err(`Exported '${name}' to ${file}`);
  if (ctx.json) printJson(ctx.io, { name, format, path: file });
  return 0;
}
