import type { Context } from '../context.js';
import type { ConnectorRecord } from '../model.js';
import { ExitCode } from '../errors.js';
import type { PreparedCall } from '../http/call.js';
import { colorJson } from '../http/render.js';
import type { CallOptions, HttpResult } from '../http/types.js';
import { sanitizeLine, sanitizeText } from '../io/sanitize.js';
import { pages, pagingFor } from '../operation/paginate.js';
import { load } from '../util/load.js';
import { exitCodeFor, writeBody, type RunOptions } from './run.action.js';

/**
 * `connector run … --paginate`, once the first page came back 2xx: the items of every page, as
 * one JSON array (--json, --format json, auto), YAML, or one item a line (--format ndjson,
 * printed as each page arrives). `--query` selects from the whole array (io/present.ts reads what
 * is printed here). Masked as run masks a body, unless --show-secrets; `-o` writes the items as
 * received, and only when the pages ended without an error (the file is all or nothing).
 *
 * What ends the pages (operation/paginate.ts) and what is then said:
 * - the last page: nothing;
 * - --max-pages: a stderr line that more pages exist (exit 0);
 * - a next link already fetched: a warning (exit 0);
 * - a page answering non-2xx: what was gathered is printed, then that page's status and body on
 *   stderr; the exit code is run's for that status (--no-fail: 0);
 * - a link to another origin without --allow-cross-origin, or a page that is not a list: what was
 *   gathered is printed, then the error (exit 1).
 * Ctrl-C between pages is exit 3; ndjson lines already printed stay, nothing else is printed.
 */
export async function runPaginated(
  ctx: Context,
  record: ConnectorRecord,
  first: PreparedCall,
  call: CallOptions,
  firstRes: HttpResult,
  opts: RunOptions,
  maxPages: number,
): Promise<number> {
  const paging = pagingFor(first.op);
  if (!paging.declared)
    ctx.warn(`${first.op.operationId} is not x-ms-pageable: following nextLink or @odata.nextLink in the body, else a Link rel="next" header`);
  const format = ctx.json ? 'json' : opts.format;
  const stream = format === 'ndjson' && !opts.output;
  const redactor = first.redactor;
  const shown = (v: unknown) => (opts.showSecrets ? v : redactor.json(v));
  const items: unknown[] = [];
  let seen = 0; // items of every page, streamed or gathered
  let mismatches = 0;

  const walk = pages(ctx, first, firstRes, {
    call,
    paging,
    maxPages,
    allowCrossOrigin: Boolean(opts.allowCrossOrigin),
    onNext: (_n, url, cross) => {
      if (cross) ctx.warn(`following the next link to ${url.origin} without the connection's credentials (--allow-cross-origin)`);
    },
  });
  let step = await walk.next();
  while (!step.done) {
    const page = step.value;
    seen += page.items.length;
    if (stream) for (const item of page.items) ctx.io.stdout.write(`${JSON.stringify(shown(item))}\n`);
    else items.push(...page.items);
    if (opts.validate) mismatches += await validatePage(ctx, record, first, call, page.res, page.n);
    step = await walk.next();
  }
  const end = step.value;

  const failed = end.kind === 'failed' || end.kind === 'error';
  if (!stream) {
    if (opts.output && !failed) await writeBody(ctx, { ...firstRes, body: await encode(items, format) }, opts.output);
    else if (!opts.output)
      ctx.io.stdout.write(await encode(shown(items) as unknown[], format, ctx.io.stdout.isTTY ? { color: ctx.io.color('stdout') } : undefined));
  }
  const count = `${end.pages} page${end.pages === 1 ? '' : 's'}`;
  if (end.kind === 'max') ctx.io.err(`stopped after ${count} (--max-pages ${maxPages}): more pages exist`);
  else if (end.kind === 'loop') ctx.warn(`the next link of page ${end.pages} repeats a page already fetched (${end.url}): stopped after ${count}`);
  else if (end.kind === 'error') throw end.error;
  else if (end.kind === 'failed') {
    const { res } = end;
    ctx.io.err(`page ${end.pages + 1}: HTTP ${res.status} ${sanitizeLine(res.statusText)} (${res.durationMs} ms); stopped after ${count}`);
    const body = res.body.toString('utf8').trim();
    if (body) ctx.io.err(sanitizeText(opts.showSecrets ? body : redactor.mask(body)).slice(0, 2000));
    return exitCodeFor(res.status, opts.fail, Boolean(res.unauthenticated));
  } else if (ctx.io.stdout.isTTY || opts.output) ctx.io.err(`${seen} items from ${count}`);
  if (mismatches) return opts.fail ? ExitCode.FAILURE : ExitCode.OK;
  if (opts.validate) ctx.io.err('every page matches the schema');
  return ExitCode.OK;
}

/**
 * The items as printed or written: one JSON array (indented), YAML, or one JSON line each; `auto`
 * on a terminal (`tty`) as run prints a body there (colourised, control characters escaped).
 */
async function encode(items: unknown[], format: RunOptions['format'], tty?: { color: boolean }): Promise<Buffer> {
  if (format === 'yaml') return Buffer.from(load<typeof import('yaml')>('yaml').stringify(items));
  if (format === 'ndjson') return Buffer.from(items.map((i) => `${JSON.stringify(i)}\n`).join(''));
  return Buffer.from(`${format === 'auto' && tty ? colorJson(items, tty.color) : JSON.stringify(items, null, 2)}\n`);
}

/** --validate, page by page: the mismatches of one page on stderr; how many there were. */
async function validatePage(ctx: Context, record: ConnectorRecord, first: PreparedCall, call: CallOptions, res: HttpResult, n: number): Promise<number> {
  const { validateResponse } = await import('../operation/response.js');
  // As run checks one page: a dynamic response schema is fetched with the run's inputs (once: the answer is cached per context).
  let body: unknown;
  try {
    body = call.body === undefined ? undefined : JSON.parse(call.body);
  } catch {
    body = undefined;
  }
  const dynamic = call.connection ? { ctx, connection: call.connection, params: call.params, body, baseUrl: call.baseUrl } : undefined;
  const found = await validateResponse(record, first.op, res, (m) => ctx.warn(m), dynamic);
  if (!found.length) return 0;
  ctx.io.err(sanitizeLine(`page ${n} does not match the ${first.op.operationId} response schema:`));
  for (const v of found) ctx.io.err(sanitizeLine(first.redactor.text(`  ${v}`)));
  return found.length;
}
