import type { Context } from '../context.js';
import type { ConnectorRecord } from '../model.js';
import type { ResolvedConnection } from '../connections/types.js';
import type { ParamValue } from '../http/types.js';
import { UsageError } from '../errors.js';
import { getHeader } from '../http/headers.js';
import { tooDeepAt } from '../util/depth.js';
import type { Operation } from './find.js';
import { checkAgainst, type Problem } from './schema-check.js';

/**
 * `connector run`'s request body, before anything is built or sent: asked for field by field
 * when a required one is not given and a terminal can answer (./prompt-body.ts), then checked against the
 * operation's body schema (Swagger 2 `in: body`, OpenAPI 3 requestBody; its dynamic parts
 * fetched, ./dynamic-schema.ts), as parameters are checked: a mismatch is a UsageError (exit 2)
 * naming the JSON pointer. `--no-validate-body` sends it anyway. `--dry-run` checks too (it
 * shows what would be sent), against the static schema: it sends nothing, no source call either. Only JSON bodies are checked; text that is not JSON is left to the
 * request builder's own error.
 */

export interface BodyOptions {
  params: Record<string, ParamValue>;
  /** --body with any -f fields applied. */
  body?: string;
  /** -f given: a body is being built on the command line, so nothing is asked. */
  fields?: boolean;
  /** The -f fields and the --body text under them: applied again once a dynamic schema is fetched (its types decide `=` values). */
  fieldArgs?: string[];
  baseBody?: string;
  headers?: Record<string, string>;
  connection: ResolvedConnection;
  /** false: --no-validate-body. */
  validate?: boolean;
  baseUrl?: string;
  /** --dry-run: nothing is sent, not even a dynamic schema's source call (the static part is checked). */
  dryRun?: boolean;
}

/**
 * -f fields were coerced by the static schema (`count=3` a string where it says nothing); with a
 * dynamic schema fetched, they are applied again with its types (`count=3` a number where it says
 * integer). The fetch is cached per context: the check below reuses it.
 */
async function fieldsAgain(ctx: Context, record: ConnectorRecord, op: Operation, dyn: object, body: string, opts: BodyOptions): Promise<string> {
  const { hasDynamicSchema, resolveDynamicSchema } = await import('./dynamic-schema.js');
  if (!op.body || !hasDynamicSchema(op.body.schema)) return body;
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch {
    return body;
  }
  const r = await resolveDynamicSchema({ ...(dyn as Parameters<typeof resolveDynamicSchema>[0]), body: data }, op.body.schema);
  if (r.schema === op.body.schema) return body;
  const { bodyWithFields } = await import('./fields.js');
  return bodyWithFields({ ...op, body: { ...op.body, schema: r.schema } }, opts.baseBody, opts.fieldArgs ?? [], record.name, (m) => ctx.warn(m));
}

/** Problems listed in the error after the first one. */
export const MORE_SHOWN = 9;

export async function requestBody(ctx: Context, record: ConnectorRecord, op: Operation, opts: BodyOptions): Promise<string | undefined> {
  let body = opts.body;
  if (!op.body || !isJson(op, opts.headers)) return body;
  const fromParams = body === undefined ? given(op, opts.params) : undefined;
  const dyn = {
    ctx,
    record,
    op,
    connection: opts.connection,
    params: opts.params,
    baseUrl: opts.baseUrl,
    offline: opts.dryRun ? 'under --dry-run nothing is sent' : undefined,
  };
  // Asked only for a required body: an optional one left out is a choice.
  if (body === undefined && fromParams === undefined && op.body.required && !opts.fields && !ctx.noInput && ctx.io.canPrompt()) {
    const asked = await (await import('./prompt-body.js')).promptBody(dyn);
    if (asked !== undefined) body = JSON.stringify(asked);
  }
  if (opts.fieldArgs?.length && body !== undefined && !opts.dryRun) body = await fieldsAgain(ctx, record, op, dyn, body, opts);
  const text = body ?? fromParams;
  if (text === undefined || opts.validate === false) return body;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return body; // the builder says it is not JSON, with its own hint
  }
  if (tooDeepAt(data) !== undefined) return body; // the builder refuses it, naming the depth
  let schema = op.body.schema;
  const { hasDynamicSchema, resolveDynamicSchema, fetchNote } = await import('./dynamic-schema.js');
  if (hasDynamicSchema(schema)) {
    const r = await resolveDynamicSchema({ ...dyn, body: data }, schema);
    for (const f of r.fetched) if (f.failed) ctx.io.err(fetchNote('request body', f));
    schema = r.schema;
  }
  const result = checkAgainst(record, schema, data, 'request', (m) => ctx.warn(m));
  if ('unchecked' in result) {
    ctx.warn(`the request body is not checked against the ${op.operationId} schema: ${result.unchecked}`);
    return body;
  }
  if (result.problems.length) throw bodyError(op, result.problems);
  return body;
}

/** The body given as `-p <body parameter name>=…` (Swagger 2), which the builder also reads. */
function given(op: Operation, params: Record<string, ParamValue>): string | undefined {
  if (!op.body) return undefined;
  const v = params[op.body.name ?? 'body'] ?? (op.params.some((p) => p.name === 'body') ? undefined : params.body);
  return typeof v === 'string' ? v : undefined;
}

function isJson(op: Operation, headers: Record<string, string> | undefined): boolean {
  const ct = getHeader(headers ?? {}, 'content-type') ?? op.body?.contentTypes[0] ?? 'application/json';
  return /json/i.test(ct);
}

const line = (p: Problem) => `request body${p.pointer ? ` ${p.pointer}` : ''}: ${p.message}`;

/** One line per problem (the first is the error's own), at most MORE_SHOWN more. */
export function bodyError(op: Operation, problems: Problem[]): UsageError {
  const [first, ...rest] = problems;
  const shown = rest.slice(0, MORE_SHOWN).map((p) => `  ${line(p)}`);
  if (rest.length > MORE_SHOWN) shown.push(`  … and ${rest.length - MORE_SHOWN} more`);
  return new UsageError([`${line(first)} (schema of ${op.operationId})`, ...shown].join('\n'), 'Fix the body, or pass --no-validate-body to send it anyway.');
}
