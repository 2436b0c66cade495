import type { Context } from '../context.js';
import { CancelError, NotFoundError, UsageError } from '../errors.js';
import { printJson } from '../io/output.js';
import { packageVersion } from '../util/package-root.js';
import type { Finding } from '../validate/findings.js';

/** `connector validate <path | name>… [--strict] [--rule id=level]… [--format text|sarif]` (issue 11). */
export default async function validate(
  ctx: Context,
  targets: string[],
  opts: { strict?: boolean; rule?: string[]; format?: 'text' | 'sarif' },
): Promise<number> {
  const format = opts.format ?? 'text';
  if (ctx.json && format === 'sarif')
    throw new UsageError('--json and --format sarif are two output formats: give one', 'SARIF is JSON too: connector validate <path> --format sarif');
  // Spectral and the rules load here only: no other command pays for them.
  const { knownRules, parseOverrides, applyOverrides, validateFiles, ruleDescriptions } = await import('../validate/engine.js');
  const { readPath, recordFiles } = await import('../validate/files.js');
  const { sortFindings, summarize } = await import('../validate/findings.js');
  const out = await import('../validate/output.js');
  const overrides = parseOverrides(opts.rule ?? [], knownRules());

  // Every target is found before anything is checked: an unknown one is a usage error with nothing printed.
  const read = [];
  for (const t of targets) {
    const found = await readPath(t);
    if (found) {
      read.push(...found);
      continue;
    }
    try {
      read.push(recordFiles(await (await ctx.registry()).get(t)));
    } catch (e) {
      if (!(e instanceof NotFoundError)) throw e;
      throw new UsageError(
        `'${t}' is no file, folder or imported connector`,
        e.hint ?? 'Give a Swagger/OpenAPI file, a paconn folder, a connector YAML, or a name from `connector list`.',
      );
    }
  }

  const findings: Finding[] = [];
  const files: import('../validate/output.js').ValidatedFile[] = [];
  const texts = new Map<string, string>();
  for (const r of read) {
    if (ctx.signal.aborted) throw new CancelError();
    findings.push(...applyOverrides(r.findings, overrides));
    if (!r.files) continue;
    const f = r.files;
    for (const [role, file] of [
      ['swagger', f.swagger],
      ['apiProperties', f.apiProperties],
      ['settings', f.settings],
      ['script', f.script],
    ] as const) {
      if (!file || files.some((x) => x.path === file.path && x.role === role)) continue;
      files.push({ path: file.path, role });
      if (!texts.has(file.path)) texts.set(file.path, file.text); // a connector YAML's parts share its text (the swagger part comes first)
    }
    findings.push(...(await validateFiles(f, overrides)));
  }
  const sorted = sortFindings(findings);
  const { errors, warnings } = summarize(sorted);
  const code = errors || (opts.strict && warnings) ? 1 : 0;
  if (format === 'sarif') {
    ctx.io.stdout.write(`${JSON.stringify(out.sarifLog(sorted, ruleDescriptions(), packageVersion()), null, 2)}\n`);
  } else if (ctx.json) {
    printJson(ctx.io, out.jsonDocument(files, sorted));
  } else {
    out.printText(ctx.io, sorted, texts);
  }
  const shownFiles = new Set([...files.map((f) => f.path), ...sorted.map((f) => f.file)]).size;
  ctx.io.err(out.summaryLine(sorted, shownFiles));
  return code;
}
