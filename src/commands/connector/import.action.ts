import { sanitizeLine } from '../../io/sanitize.js';
import type { Context } from '../../context.js';
import { CliError } from '../../errors.js';
import { printJson } from '../../io/output.js';
import type { ConnectorRecord } from '../../model.js';
import { diffOperations, formatDiff } from '../../spec/diff.js';
import { prepareImport } from '../../spec/import.js';
import { summarize } from '../../spec/normalize.js';
import { FORMAT_LABEL } from '../../spec/validate.js';

/** `connector import <source> [--name N] [--force] [--allow-remote-refs]` */
export default async function importCommand(
  ctx: Context,
  source: string,
  opts: { name?: string; force?: boolean; allowRemoteRefs?: boolean },
): Promise<number> {
  const { record, warnings, bundled } = await prepareImport(source, {
    name: opts.name,
    http: ctx.http,
    allowRemoteRefs: opts.allowRemoteRefs,
    onRedirect: (to) => ctx.io.err(`connector: followed redirect to ${to.origin}`),
  });
  for (const w of warnings) ctx.warn(w);
  const registry = await ctx.registry();
  // Imported before apostrophes were dropped from slugs (africa-s-talking-sms): the same connector
  // keeps its name, so importing it again replaces it (with --force) instead of adding a twin.
  const old = opts.name === undefined ? await registry.resolve(record.name) : record.name;
  if (
    old !== record.name &&
    (await registry.get(old).then(
      (r) => r.title === record.title,
      () => false,
    ))
  )
    record.name = old;
  // What a spec pulled in from elsewhere is part of the connector (and of every export): say so, one line each.
  for (const b of bundled) ctx.io.err(sanitizeLine(`Bundled external $ref ${b}`));
  const summary = summarize(record);
  if (summary.operationCount === 0) ctx.warn(`${record.source.location} has no operations: '${record.name}' is imported, but there is nothing to run`);
  let previous: ConnectorRecord | undefined;
  await registry.put(record, summary, (prev) => {
    if (prev && !opts.force) {
      throw new CliError(`connector '${record.name}' exists; use --force to replace it`, {
        hint: `Or import under another name: connector import ${JSON.stringify(source)} --name <name>`,
      });
    }
    previous = prev;
  });
  if (previous) for (const line of formatDiff(record.name, diffOperations(previous, record))) ctx.io.err(sanitizeLine(line));
  const auth = summary.authKinds.join('+');
  ctx.io.err(
    `${previous ? 'Replaced' : 'Imported'} '${record.name}' (${FORMAT_LABEL[record.specFormat]}, ${summary.operationCount} operation${summary.operationCount === 1 ? '' : 's'}, auth: ${auth}) from ${record.source.location}`,
  );
  if (ctx.json) printJson(ctx.io, summary);
  return 0;
}
