import { sanitizeLine } from '../../io/sanitize.js';
import type { Context } from '../../context.js';
import { CancelError, CliError, UsageError } from '../../errors.js';
import { printJson } from '../../io/output.js';
import type { ConnectorRecord, ConnectorSummary } from '../../model.js';
import { diffOperations, formatDiff } from '../../spec/diff.js';
import { displayUrl } from '../../spec/load.js';
import { connectorsInFolder, prepareImport, type FolderEntry } from '../../spec/import.js';
import { summarize } from '../../spec/normalize.js';
import { FORMAT_LABEL } from '../../spec/validate.js';

interface ImportOpts {
  name?: string;
  force?: boolean;
  allowRemoteRefs?: boolean;
}

/**
 * `connector import <source> [--name N] [--force] [--allow-remote-refs]`. A folder that holds
 * connector folders or spec files (and no apiDefinition of its own) imports each of them.
 */
export default async function importCommand(ctx: Context, source: string, opts: ImportOpts): Promise<number> {
  const many = await connectorsInFolder(source);
  if (many) return importFolder(ctx, source, many, opts);
  const { summary } = await importOne(ctx, source, opts, { spin: true });
  if (ctx.json) printJson(ctx.io, summary);
  return 0;
}

/**
 * Import one source: load and validate it (a spinner on a terminal while that lasts), save it
 * (`--force` to replace), and print its lines. `taken` refuses a name another source of the same
 * run already used; `prefix` names the source in its warnings.
 */
async function importOne(
  ctx: Context,
  source: string,
  opts: ImportOpts,
  how: { spin?: boolean; taken?: (name: string) => string | undefined; prefix?: string },
): Promise<{ summary: ConnectorSummary; replaced: boolean }> {
  const prepare = () =>
    prepareImport(source, {
      name: opts.name,
      http: ctx.http,
      allowRemoteRefs: opts.allowRemoteRefs,
      onRedirect: (to) => ctx.io.err(`connector: followed redirect to ${to.origin}`),
    });
  const { record, warnings, bundled } = how.spin
    ? await ctx.progress.spin(`Importing ${/^https?:\/\//i.test(source) ? displayUrl(source) : source}`, prepare)
    : await prepare();
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
  const other = how.taken?.(record.name);
  if (other) {
    throw new CliError(`its name '${record.name}' is that of ${other}, imported just before`, {
      hint: `Import it alone under another name: connector import ${JSON.stringify(source)} --name <name>`,
    });
  }
  for (const w of warnings) ctx.warn(how.prefix ? `${how.prefix}: ${w}` : w);
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
  return { summary, replaced: previous !== undefined };
}

/**
 * Every connector in a folder, one after the other: each one's own lines as a single import
 * prints them (or one `Failed …` line), a bar on a terminal, then a count. One failure does not
 * stop the others; any failure makes the exit code 1. Ctrl-C stops at once (what was imported stays).
 */
async function importFolder(ctx: Context, source: string, entries: FolderEntry[], opts: ImportOpts): Promise<number> {
  if (opts.name !== undefined) {
    throw new UsageError(
      `--name names one connector, and ${source} holds ${entries.length} (each takes the name in its own spec)`,
      `Import one of them with --name: connector import ${JSON.stringify(entries[0].path)} --name ${opts.name}`,
    );
  }
  const imported: ConnectorSummary[] = [];
  const failed: { source: string; message: string }[] = [];
  let replaced = 0;
  const from = new Map<string, string>(); // registry name → the entry it came from, in this run
  const bar = ctx.progress.bar(entries.length, 'Importing');
  try {
    for (const entry of entries) {
      bar.step(entry.name);
      try {
        if (entry.problem) throw new CliError(entry.problem);
        const { summary, replaced: r } = await importOne(ctx, entry.path, opts, { taken: (n) => from.get(n), prefix: entry.name });
        from.set(summary.name, entry.name);
        imported.push(summary);
        if (r) replaced++;
      } catch (e) {
        if (e instanceof CancelError) throw e;
        const message = e instanceof CliError ? e.message : `unexpected error: ${(e as Error)?.message ?? String(e)}`;
        if (!(e instanceof CliError)) ctx.debug(String((e as Error)?.stack ?? e));
        failed.push({ source: entry.path, message });
        ctx.io.err(sanitizeLine(`Failed '${entry.name}': ${message}`));
      }
      bar.tick();
    }
  } finally {
    bar.done();
  }
  if (ctx.json) printJson(ctx.io, { imported, failed });
  const total = `${entries.length} connector${entries.length === 1 ? '' : 's'} in ${source}`;
  if (!failed.length) {
    ctx.io.err(sanitizeLine(`Imported all ${total}${replaced ? ` (${replaced} replaced)` : ''}.`));
    return 0;
  }
  throw new CliError(
    `${failed.length} of the ${total} could not be imported (each is listed above); ${imported.length} ${imported.length === 1 ? 'was' : 'were'} imported`,
    {
      hint: 'Fix those and import them again, one at a time or the whole folder (--force replaces what is already there).',
    },
  );
}
