import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import type { Context } from '../context.js';
import { atomicWrite } from '../fs/atomic.js';
import type { ConnectorRecord } from '../model.js';
import type { ResolvedConnection } from '../connections/types.js';
import type { HttpResult, ParamValue } from '../http/types.js';
import { CliError, ExitCode, UsageError } from '../errors.js';
import { printJson } from '../io/output.js';
import { sanitizeLine } from '../io/sanitize.js';
import { prepareCall, sendPrepared } from '../http/call.js';
import { findOperation } from '../operation/find.js';
import { toCurl } from '../http/curl.js';
import type { Redactor } from '../http/redact.js';
import { renderBody, isBinary } from '../http/render.js';
import { validateResponse } from '../operation/response.js';

export interface RunOptions {
  connection?: string;
  param?: string[];
  body?: string;
  /** `-f path=value` body fields. */
  field?: string[];
  header?: string[];
  format: Format;
  /** The file the body is written to (`-o`); a bare format name is the old `--output <format>` (see outputOptions). */
  output?: string;
  include?: boolean;
  dryRun?: boolean;
  validate?: boolean;
  /** false: --no-validate-body (the body is sent without checking it against the schema). */
  validateBody?: boolean;
  baseUrl?: string;
  timeout: string;
  retries: string;
  /** Old name of --output <file> (hidden, warns). */
  out?: string;
  fail: boolean;
  allowInsecureHttp?: boolean;
  showSecrets?: boolean;
  /** --paginate: follow the next-page links (run.paginate.ts). */
  paginate?: boolean;
  maxPages?: string;
  allowCrossOrigin?: boolean;
}

/** `connector run <connector> <operation>`: call one operation with a stored connection. */
export default async function run(ctx: Context, connector: string, operation: string, given: RunOptions, command?: Command): Promise<number> {
  const opts = outputOptions(ctx, given, outputSpelledLong(command));
  queryCombination(command?.optsWithGlobals().query, opts);
  const timeout = Number(opts.timeout);
  if (!Number.isFinite(timeout) || timeout <= 0) throw new UsageError(`--timeout must be a positive number of seconds, got '${opts.timeout}'`);
  const retries = Number(opts.retries);
  if (!Number.isInteger(retries) || retries < 0 || retries > 10) throw new UsageError(`--retries must be an integer from 0 to 10, got '${opts.retries}'`);
  const maxPages = pagingOptions(opts);
  const params = parseParams(opts.param ?? []);
  const headers = parseHeaders(opts.header ?? []);
  const body = await readBody(ctx, opts.body);

  const record = await (await ctx.registry()).get(connector);
  const op = findOperation(record, operation); // a wrong operation name is the first thing to hear about, before any connection
  if (op.raw.deprecated === true)
    ctx.warn(`'${op.operationId}' is deprecated in the connector's spec (see: connector operations ${record.name} ${op.operationId})`);
  // -f fields go on top of --body (operation/fields.ts); loaded only when given
  const bodyText = opts.field?.length ? (await import('../operation/fields.js')).bodyWithFields(op, body, opts.field, record.name, (m) => ctx.warn(m)) : body;
  const connection = await connectionFor(ctx, record, opts.connection);
  // On a terminal (not --no-input), the required parameters not given are asked for (dynamic values offered).
  const asked =
    ctx.noInput || !ctx.io.canPrompt()
      ? params
      : await (await import('../operation/prompt-params.js')).promptMissingParams(ctx, record, op, params, connection, { baseUrl: opts.baseUrl });
  // The body asked for on a terminal when none is given, and checked against its schema (operation/validate-body.ts).
  const sentBody = op.body
    ? await (await import('../operation/validate-body.js')).requestBody(ctx, record, op, {
        params: asked,
        body: bodyText,
        fields: Boolean(opts.field?.length),
        fieldArgs: opts.field,
        baseBody: body,
        headers,
        connection,
        validate: opts.validateBody,
        baseUrl: opts.baseUrl,
        dryRun: opts.dryRun,
      })
    : bodyText;
  const callOpts = {
    params: asked,
    body: sentBody,
    headers,
    baseUrl: opts.baseUrl,
    timeoutMs: timeout * 1000,
    retries,
    connection,
    allowInsecureHttp: opts.allowInsecureHttp,
    dryRun: opts.dryRun,
    showSecrets: opts.showSecrets,
  };
  const prepared = await prepareCall(ctx, record, operation, callOpts);
  if (opts.dryRun) {
    const curl = toCurl(prepared.req, prepared.redactor);
    if (ctx.json) printJson(ctx.io, { operationId: prepared.op.operationId, curl, request: (await sendPrepared(ctx, prepared, callOpts)).request });
    else ctx.io.out(curl);
    if (opts.paginate) ctx.io.err('--paginate: this is the first request only; the next ones are GETs of the links the pages give');
    return ExitCode.OK;
  }
  const res = await ctx.progress.spin(`Waiting for ${prepared.op.operationId} (${prepared.op.method.toUpperCase()} ${prepared.op.path})`, () =>
    sendPrepared(ctx, prepared, callOpts),
  );
  // A first page that is not 2xx is printed as any run's response is.
  if (maxPages !== undefined && res.status >= 200 && res.status < 300)
    return (await import('./run.paginate.js')).runPaginated(ctx, record, prepared, callOpts, res, opts, maxPages);
  const code = exitCodeFor(res.status, opts.fail, Boolean(res.unauthenticated));

  let validation: string[] | undefined;
  if (opts.validate)
    validation = await validateResponse(record, prepared.op, res, (m) => ctx.warn(m), {
      ctx,
      connection,
      params: asked,
      body: jsonOf(sentBody),
      baseUrl: opts.baseUrl,
    });

  if (ctx.json) {
    // -o writes the body under --json too (curl's -o is where the body goes, whatever else prints).
    if (opts.output) await writeBody(ctx, res, opts.output);
    printJson(ctx.io, {
      status: res.status,
      statusText: res.statusText,
      // Masked unless --show-secrets: cookies, token headers, and any secret the API echoes (a renewed token too).
      headers: opts.showSecrets ? res.headers : responseHeaders(prepared.redactor, res),
      body: opts.showSecrets ? jsonOrText(res) : prepared.redactor.json(jsonOrText(res)),
      durationMs: res.durationMs,
      ...(validation ? { validation } : {}),
    });
  } else {
    await printResult(ctx, res, opts, prepared.redactor);
  }
  if (maxPages === undefined && prepared.op.raw['x-ms-pageable'] !== undefined) {
    const hint = (await import('../operation/paginate.js')).morePagesHint(prepared.op, res);
    if (hint) ctx.io.err(hint);
  }
  if (validation?.length) {
    ctx.io.err(sanitizeLine(`response does not match the ${prepared.op.operationId} response schema:`));
    for (const v of validation) ctx.io.err(sanitizeLine(prepared.redactor.text(`  ${v}`)));
    return opts.fail ? ExitCode.FAILURE : ExitCode.OK;
  }
  if (validation) ctx.io.err('response matches the schema');
  return code;
}

type Format = 'auto' | 'json' | 'raw' | 'yaml' | 'ndjson';
const FORMATS: readonly string[] = ['auto', 'json', 'raw', 'yaml'];

/**
 * `-o/--output <file>` and `--format <name>`, as in curl, httpie and `export`. `--output` used to be
 * the format: given as `--output`, a value that is exactly a format name (no dot, no slash: never
 * a file anyone means) is still read as one, with a warning (`long`); `-o` was always a file (the
 * old `--out`), so `-o json` writes a file named json, and so does `--output ./json`. `--out` is
 * the old name of `--output <file>`.
 */
export function outputOptions(ctx: Context, opts: RunOptions, long = true): RunOptions {
  let { format, output } = opts;
  if (long && output !== undefined && FORMATS.includes(output)) {
    if (format !== 'auto' && format !== output)
      throw new UsageError(`--format ${format} and --output ${output} disagree`, `--output names a file now; use --format ${format} alone.`);
    ctx.warn(`--output ${output} is deprecated: use --format ${output} (-o/--output now names a file; -o ${output} writes one called ${output})`);
    format = output as Format;
    output = undefined;
  }
  if (opts.out !== undefined) {
    if (output !== undefined) throw new UsageError('--out and --output both name the file', 'Use -o/--output <file> alone.');
    ctx.warn('--out is deprecated: use -o/--output <file>');
    output = opts.out;
  }
  return { ...opts, format, output, out: undefined };
}

/**
 * Whether -o/--output was last given as `--output` (commander reads both the same; the words
 * are the root command's). A word starting `-i*o` is `-o` (-i is run's one short flag without a
 * value, so `-io json` is both; `-pfoo` is -p's value).
 */
export function outputSpelledLong(command: Command | undefined): boolean {
  if (!command) return true;
  let root = command;
  while (root.parent) root = root.parent;
  // rawArgs: the argv parse() was given (set on the root command; commander's typings leave it out)
  const words = (root as unknown as { rawArgs?: string[] }).rawArgs ?? [];
  const end = words.indexOf('--');
  let long = true;
  for (const w of end < 0 ? words : words.slice(0, end)) {
    if (w === '--output' || w.startsWith('--output=')) long = true;
    else if (/^-i*o/.test(w)) long = false;
  }
  return long;
}

/**
 * `--query` selects from the body as it comes (JSON), on stdout: refused, before anything is
 * sent, with what would print something else (-i, --dry-run, a format but auto/json) or nothing (-o).
 */
function queryCombination(query: string | undefined, opts: RunOptions): void {
  if (query === undefined) return;
  const clash = opts.include
    ? '-i/--include'
    : opts.dryRun
      ? '--dry-run'
      : opts.output !== undefined
        ? '-o/--output'
        : opts.format !== 'auto' && opts.format !== 'json'
          ? `--format ${opts.format}`
          : undefined;
  if (clash) throw new UsageError(`--query and ${clash} do not go together`, '--query selects from the JSON response body on stdout; drop one of them.');
}

/**
 * --paginate's options, checked before anything is sent: the page limit (undefined without
 * --paginate), or a UsageError for what does not go with them.
 */
function pagingOptions(opts: RunOptions): number | undefined {
  if (!opts.paginate) {
    const alone =
      opts.maxPages !== undefined ? '--max-pages' : opts.allowCrossOrigin ? '--allow-cross-origin' : opts.format === 'ndjson' ? '--format ndjson' : undefined;
    if (alone) throw new UsageError(`${alone} goes with --paginate`, 'Add --paginate to follow the next-page links (x-ms-pageable).');
    return undefined;
  }
  const clash = opts.include ? '-i/--include' : opts.format === 'raw' ? '--format raw' : undefined;
  if (clash)
    throw new UsageError(
      `--paginate and ${clash} do not go together`,
      "--paginate prints the items of every page: --format json, ndjson or yaml (--verbose shows each page's status and headers).",
    );
  const given = opts.maxPages ?? String(DEFAULT_MAX_PAGES);
  const n = Number(given);
  if (!/^\d+$/.test(given.trim()) || !Number.isSafeInteger(n) || n < 1)
    throw new UsageError(`--max-pages must be a whole number of at least 1, got '${given}'`);
  return n;
}

/** --max-pages when not given (run.ts says it in the help). */
export const DEFAULT_MAX_PAGES = 100;

/** `unauthenticated`: the connector's own policy says this status means "sign in again" (an auth failure, whatever the code). */
export function exitCodeFor(status: number, fail: boolean, unauthenticated = false): number {
  if (!fail || (status >= 200 && status < 300)) return ExitCode.OK;
  return unauthenticated || status === 401 || status === 403 ? ExitCode.AUTH : ExitCode.FAILURE;
}

async function printResult(ctx: Context, res: HttpResult, opts: RunOptions, redactor: Redactor): Promise<void> {
  const tty = Boolean(ctx.io.stdout.isTTY);
  const statusLine = `HTTP ${res.status} ${sanitizeLine(res.statusText)} (${res.durationMs} ms)`;
  if (opts.include) {
    ctx.io.stdout.write(`${statusLine}\n`);
    const shown = redactor.responseHeaders(res.headers, opts.showSecrets);
    for (const [k, vs] of Object.entries(shown)) for (const one of vs) ctx.io.stdout.write(`${sanitizeLine(k)}: ${one}\n`);
    ctx.io.stdout.write('\n');
  } else if (tty || opts.output) {
    const ok = res.status >= 200 && res.status < 300;
    const color = ctx.io.color('stderr');
    ctx.io.err(color ? `\x1b[${ok ? 32 : 31}m${statusLine}\x1b[0m` : statusLine);
  } else if (res.status < 200 || res.status >= 300) {
    ctx.io.err(statusLine);
  }
  if (opts.output) return writeBody(ctx, res, opts.output, opts.format === 'json' || opts.format === 'yaml' ? opts.format : undefined);
  if (!res.body.length) return;
  if (tty && isBinary(res)) {
    throw new CliError(`the response is binary (${contentType(res) || 'unknown type'}, ${res.body.length} bytes)`, {
      hint: 'Save it with -o <file>.',
    });
  }
  // ndjson (--paginate's, when its first page failed): the error body as auto prints it.
  const mode = opts.format === 'auto' || opts.format === 'ndjson' ? (tty ? 'pretty' : 'raw') : opts.format;
  // A text body has the connection's secrets masked (an API that echoes a credential), unless --show-secrets.
  const shown = opts.showSecrets || isBinary(res) ? res : { ...res, body: Buffer.from(redactor.mask(res.body.toString('utf8')), 'utf8') };
  const out = await renderBody(shown, mode, ctx.io.color('stdout'));
  ctx.io.stdout.write(out);
}

/**
 * `-o <file>`: the body as received (`--format json|yaml`: converted, as `export --format` writes
 * its format), written atomically (a failed or interrupted write leaves no partial file), and one
 * line on stderr saying so.
 */
export async function writeBody(ctx: Context, res: HttpResult, file: string, format?: 'json' | 'yaml'): Promise<void> {
  const data = format ? await renderBody(res, format, false) : res.body;
  try {
    // As curl -o: the folder must exist (atomicWrite would create it).
    if (!existsSync(dirname(resolve(file)))) throw Object.assign(new Error('no such folder'), { code: 'ENOENT' });
    await atomicWrite(file, data, 0o666); // the umask decides, as for curl -o
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? ((e as CliError).cause as NodeJS.ErrnoException | undefined)?.code;
    throw new CliError(`cannot write the response body to ${file}: ${code ?? (e as Error).message}`, {
      hint: `HTTP ${res.status} was received; pick a writable path for -o.`,
    });
  }
  ctx.io.err(`wrote ${data.length} bytes to ${file}${format ? ` (as ${format})` : ''}`);
}

function responseHeaders(redactor: Redactor, res: HttpResult): Record<string, string | string[]> {
  return Object.fromEntries(Object.entries(redactor.responseHeaders(res.headers)).map(([k, vs]) => [k, Array.isArray(res.headers[k]) ? vs : vs[0]]));
}

function contentType(res: HttpResult): string {
  const ct = res.headers['content-type'];
  return (Array.isArray(ct) ? ct[0] : ct) ?? '';
}

function jsonOf(text: string | undefined): unknown {
  try {
    return text === undefined ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}

function jsonOrText(res: HttpResult): unknown {
  const text = res.body.toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return isBinary(res) ? { base64: res.body.toString('base64') } : text;
  }
}

/** `-p name=value` (repeated names become arrays). */
export function parseParams(list: string[]): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  for (const item of list) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new UsageError(`-p expects name=value, got '${item}'`, "Example: -p petId=1 -p 'tags=a'");
    const name = item.slice(0, eq);
    const value = item.slice(eq + 1);
    const prev = out[name];
    out[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return out;
}

/** `-H 'Name: value'`. */
export function parseHeaders(list: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list) {
    const colon = item.indexOf(':');
    const name = colon > 0 ? item.slice(0, colon).trim() : '';
    if (!name || /\s/.test(name)) throw new UsageError(`-H expects 'Name: value', got '${item}'`, "Example: -H 'X-Request-Id: 42'");
    out[name] = item.slice(colon + 1).trim();
  }
  return out;
}

/** `--body @file`: at most this many bytes (a FIFO, /dev/zero or a device is refused before reading). */
const MAX_BODY_BYTES = 100 * 1024 * 1024;

async function readBody(ctx: Context, body: string | undefined): Promise<string | undefined> {
  if (body === undefined) return undefined;
  if (body === '-') {
    const chunks: Buffer[] = [];
    for await (const c of ctx.io.stdin) chunks.push(Buffer.from(c));
    return Buffer.concat(chunks).toString('utf8');
  }
  if (body.startsWith('@')) {
    const { readRegularFile } = await import('../fs/read.js');
    const file = body.slice(1);
    try {
      return (await readRegularFile(file, { limit: MAX_BODY_BYTES, shown: `the body file ${file}` })).toString('utf8');
    } catch (e) {
      // Every failure to read the file is a usage mistake (exit 2), in one line naming it.
      throw e instanceof UsageError ? e : new UsageError((e as Error).message);
    }
  }
  return body;
}

/** The connection to use: -c, else the default one (a connector needing none gets an empty one). */
async function connectionFor(ctx: Context, record: ConnectorRecord, name: string | undefined): Promise<ResolvedConnection> {
  const { resolveConnection } = await import('../connections/store.js');
  return resolveConnection(ctx, record.name, name);
}
