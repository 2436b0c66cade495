import { existsSync } from 'node:fs';
import type { Context } from '../context.js';
import { CliError, NotFoundError, UsageError } from '../errors.js';
import { atomicWrite } from '../fs/atomic.js';
import { isCI } from '../io/progress.js';
import { usesVars } from '../smoke/suite.js';
import { closingLine, totals, type Suite, type SuiteResult } from '../smoke/types.js';

interface Opts {
  connection?: string;
  reporter?: string[];
  bail?: boolean;
  concurrency?: string;
  filter?: string;
  shard?: string;
  output?: string;
  includeWrites?: boolean;
  force?: boolean;
}

/** `connector test …`: exit 0 all passed, 1 a failure, 2 an invalid suite or flag, 4 authentication failed before any step ran. */
export default async function test(ctx: Context, args: string[], opts: Opts): Promise<number> {
  if (args[0] === 'init') return init(ctx, args.slice(1), opts);
  if (!args.length)
    throw new UsageError('name the suite files to run', 'Try: connector test suite.yaml, or write one: connector test init <connector> -o suite.yaml');
  const { parseReporters, makeReporter } = await import('../smoke/report.js');
  const wanted = withJson(ctx.json, parseReporters(opts.reporter));
  const filter = opts.filter === undefined ? undefined : pattern(opts.filter);
  const shard = opts.shard === undefined ? undefined : parseShard(opts.shard);
  const concurrency = Number(opts.concurrency ?? '1');
  if (!/^\d+$/.test(opts.concurrency ?? '1') || concurrency < 1 || concurrency > 64)
    throw new UsageError(`--concurrency ${opts.concurrency}: expected a whole number from 1 to 64`);

  // Every suite is read and checked before anything runs: a malformed one is exit 2 with nothing sent.
  const { loadSuite } = await import('../smoke/suite.js');
  const suites: Suite[] = [];
  for (const a of args) suites.push(existsSync(a) ? await loadSuite(a) : await generated(ctx, a));

  // The same rule as ctx.progress: CI=false or CI=0 is no CI, and TERM=dumb draws no spinner.
  const live = ctx.io.stderr.isTTY === true && !isCI(ctx.io.env) && ctx.io.env.TERM !== 'dumb';
  const reporters = wanted.map((w) => ({ ...w, r: makeReporter(w.name, { err: (t) => ctx.io.err(t), color: ctx.io.color('stderr'), live }) }));
  const { progress } = await import('../smoke/progress.js');
  // On a terminal: a spinner while a step waits; in CI or a pipe, plain lines only.
  const spinner = progress({ write: (t) => ctx.io.stderr.write(t), live: live && wanted.some((w) => w.name === 'pretty') });
  const { runSuite } = await import('../smoke/run.js');
  const results: SuiteResult[] = [];
  try {
    for (const suite of suites) {
      results.push(
        await runSuite(ctx, suite, {
          connection: opts.connection,
          bail: opts.bail,
          concurrency,
          filter,
          only: shard ? shardOf(suite, shard) : undefined,
          onStart: (name) => spinner.start(name),
          onStep: (s) => {
            spinner.stop();
            for (const { r } of reporters) r.step?.(s);
          },
        }),
      );
      if (opts.bail && totals(results).failed) break;
    }
  } finally {
    spinner.stop();
  }
  for (const { r, file } of reporters) {
    const doc = r.end(results);
    if (doc === undefined) continue;
    if (file) await atomicWrite(file, doc.endsWith('\n') ? doc : `${doc}\n`, 0o644);
    else ctx.io.out(doc);
  }
  ctx.io.err(closingLine(results));
  return totals(results).failed ? 1 : 0;
}

/** `connector test init <connector> [-o file] [--include-writes]`. */
async function init(ctx: Context, args: string[], opts: Opts): Promise<number> {
  if (args.length !== 1) throw new UsageError('test init takes one connector name', 'Try: connector test init petstore -o petstore.suite.yaml');
  const record = await (await ctx.registry()).get(args[0]);
  const { generateSuite } = await import('../smoke/init.js');
  const out = generateSuite(record, { source: record.name, connection: opts.connection, includeWrites: opts.includeWrites });
  if (!opts.output) {
    ctx.io.out(out.yaml);
  } else {
    if (existsSync(opts.output) && !opts.force) throw new CliError(`${opts.output} exists`, { hint: 'Pass --force to replace it, or choose another -o.' });
    await atomicWrite(opts.output, out.yaml, 0o644);
  }
  ctx.io.err(
    `Wrote a suite with ${out.included} step${out.included === 1 ? '' : 's'} for '${record.name}'${out.commented ? ` (${out.commented} more commented out: they need values${opts.includeWrites ? '' : ' or --include-writes'})` : ''}${out.triggers ? `; ${out.triggers} trigger${out.triggers === 1 ? '' : 's'} left out` : ''}${opts.output ? ` to ${opts.output}` : ''}.`,
  );
  return 0;
}

/** `connector test <connector>`: the suite `test init` would write, run without writing it. */
async function generated(ctx: Context, asked: string): Promise<Suite> {
  const registry = await ctx.registry();
  if (!(await registry.has(asked))) {
    throw new NotFoundError(`${asked}: no such suite file, and no connector of that name`, (await registry.notFound(asked)).hint);
  }
  const record = await registry.get(asked);
  const { generateSuite } = await import('../smoke/init.js');
  const { loadSuiteText } = await import('../smoke/suite.js');
  return loadSuiteText(generateSuite(record, { source: record.name }).yaml, `(generated suite of ${record.name})`);
}

/**
 * `--json` prints one JSON document on stdout: the json report. It joins the reporters unless one
 * already writes json to stdout; another reporter on stdout (junit, tap) is refused, not mixed in.
 */
function withJson<R extends { name: string; file?: string }>(json: boolean, wanted: R[]): R[] {
  if (!json || wanted.some((w) => w.name === 'json' && w.file === undefined)) return wanted;
  const other = wanted.find((w) => w.name !== 'pretty' && w.file === undefined);
  if (other)
    throw new UsageError(
      `--json and --reporter ${other.name} would both write to stdout`,
      `Give it a file: --reporter ${other.name}=${other.name === 'junit' ? 'junit.xml' : `report.${other.name}`}`,
    );
  return [...wanted, { name: 'json' } as R];
}

function pattern(text: string): RegExp {
  try {
    return new RegExp(text, 'i');
  } catch (e) {
    throw new UsageError(`--filter ${text}: not a regular expression (${(e as Error).message})`);
  }
}

function parseShard(text: string): { i: number; n: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text);
  const i = Number(m?.[1]);
  const n = Number(m?.[2]);
  if (!m || n < 1 || i < 1 || i > n) throw new UsageError(`--shard ${text}: expected i/n with 1 <= i <= n, e.g. 2/4`);
  return { i, n };
}

/**
 * The step ids of shard i of n: by a hash of each step's id, so adding a step moves no other one.
 * Steps that capture values or use captured ones travel together (with the first capturing step).
 */
export function shardOf(suite: Suite, { i, n }: { i: number; n: number }): Set<string> {
  const chained = suite.steps.filter((s) => s.capture || usesVars(s));
  const anchor = chained[0]?.id;
  const ids = suite.steps.filter((s) => bucket(chained.includes(s) ? anchor! : s.id, n) === i - 1).map((s) => s.id);
  return new Set(ids);
}

/** FNV-1a over the id, mod n. */
function bucket(id: string, n: number): number {
  let h = 0x811c9dc5;
  for (let k = 0; k < id.length; k++) {
    h ^= id.charCodeAt(k);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % n;
}
