import type { Context } from '../context.js';
import type { ConnectorRecord } from '../model.js';
import type { ResolvedConnection } from '../connections/types.js';
import { CancelError, CliError } from '../errors.js';
import { findOperation, type Operation } from '../operation/find.js';
import { schemeFor, type AuthScheme } from '../auth/index.js';
import { buildRequest } from './build.js';
import { isLoopback } from './proxy.js';
import { withRetries } from './retry.js';
import { deleteHeader, getHeader, requestUrl, setHeader } from './headers.js';
import { Redactor } from './redact.js';
import { sanitizeLine } from '../io/sanitize.js';
import type { CallOptions, HttpResult, PreparedRequest, RawResponse } from './types.js';

export interface PreparedCall {
  /** The connector the call is for (its response-side policies apply to the answer). */
  record?: ConnectorRecord;
  op: Operation;
  req: PreparedRequest;
  scheme: AuthScheme;
  redactor: Redactor;
  /** A `-H` header replaced one the auth scheme set: the credential is not sent, so a 401 is no reason to renew it. */
  userAuth?: boolean;
}

/**
 * Everything before the wire: find the operation, build and check the request,
 * authorize it, apply the connector's policies, refuse credentials over plain
 * http off loopback. Throws a UsageError naming the parameter on any mistake.
 */
export async function prepareCall(ctx: Context, record: ConnectorRecord, operationId: string, opts: CallOptions): Promise<PreparedCall> {
  const op = findOperation(record, operationId);
  const req = buildRequest(record.definition, op, {
    params: opts.params,
    body: opts.body,
    headers: opts.headers,
    baseUrl: opts.baseUrl,
    warn: (m) => ctx.warn(m),
    ...(opts.declared ? { declared: opts.declared } : {}),
  });
  const conn = opts.connection;
  for (const s of conn?.secrets ?? []) req.secretValues.add(s);
  // A `format: password` parameter's value is masked like the connection's secrets (traces, --dry-run, echoes).
  for (const p of op.params) {
    const v = p.schema.format === 'password' ? opts.params[p.name] : undefined;
    for (const one of v === undefined ? [] : Array.isArray(v) ? v : [v]) if (typeof one === 'string' && one) req.secretValues.add(one);
  }
  const scheme = await schemeFor(record, conn, ctx);
  await scheme.authorize(req, conn);
  const userAuth = userHeadersWin(ctx, req, opts.headers, conn);
  const redactor = makeRedactor(req);
  const traced: string[] = [];
  // The policy modules load only for a connector that has policies (start-up of `run` on the others).
  if (!hasPolicies(record)) {
    for (const [k, v] of Object.entries(req.headers)) if (v === '' && k) deleteHeader(req.headers, k); // as applyPolicies ends
  } else
    await (await import('../policies/index.js')).applyPolicies(record, req, {
      connectionValues: conn?.values ?? {},
      secretNames: new Set(conn?.record.secretParams ?? []),
      baseUrlFixed: Boolean(opts.baseUrl),
      warn: (m) => ctx.warn(m),
      ...(ctx.verbose ? { trace: (line: string) => traced.push(line) } : {}),
      // setvaluefromurl's own call: same origin as the request, same credentials, same plain-http rule.
      ...(opts.dryRun
        ? {}
        : {
            send: (sub: PreparedRequest) => {
              refuseInsecure(op, sub, redactor, opts);
              return ctx.http.send(sub, { timeoutMs: opts.timeoutMs });
            },
          }),
    });
  // Printed once every policy ran: the redactor then knows every secret a policy put on the request.
  for (const line of traced) ctx.debug(shorten(redactor.text(line)));
  refuseInsecure(op, req, redactor, opts);
  return { record, op, req, scheme, redactor, ...(userAuth ? { userAuth } : {}) };
}

/** Whether the connector declares policy templates (apiProperties' policyTemplateInstances, as policies/index.ts reads them). */
function hasPolicies(record: ConnectorRecord): boolean {
  const props = (record.apiProperties?.properties ?? record.apiProperties ?? {}) as Record<string, unknown>;
  return Array.isArray(props.policyTemplateInstances) && props.policyTemplateInstances.length > 0;
}

const warned = new WeakMap<Context, Set<string>>();

/**
 * A `-H` header the auth scheme also set: the user's wins, as in curl ("your externally set
 * header is used instead of the internal one"), so `-H 'Authorization: Bearer …'` can try
 * another token; said once per header on stderr, as the connection's credential is then not
 * sent in it. Its value stays secret in traces and --dry-run.
 */
function userHeadersWin(
  ctx: Context,
  req: PreparedRequest,
  user: Record<string, string> | undefined,
  conn: ResolvedConnection | undefined,
  quiet = false,
): boolean {
  let replaced = false;
  for (const [name, value] of Object.entries(user ?? {})) {
    const current = getHeader(req.headers, name);
    if (current === value) continue;
    replaced = true;
    setHeader(req.headers, name, value);
    req.secretHeaders.add(name.toLowerCase());
    // A credential of the user's own: masked wherever it shows up (an API echoing it), as the connection's are.
    req.secretValues.add(value);
    const seen = warned.get(ctx) ?? new Set<string>();
    warned.set(ctx, seen);
    if (quiet || seen.has(name.toLowerCase())) continue;
    seen.add(name.toLowerCase());
    const of = conn?.record.name ? ` of connection ${conn.record.connector}/${conn.record.name}` : '';
    ctx.warn(`-H ${name}: your header replaces the one the credentials${of} set (they are not sent in ${name})`);
  }
  return replaced;
}

/** The request's URL, refused when it would carry credentials over plain http off loopback (unless allowed). */
function refuseInsecure(op: Operation, req: PreparedRequest, redactor: Redactor, opts: CallOptions): URL {
  let url: URL;
  try {
    url = new URL(requestUrl(req));
  } catch {
    throw new CliError(`cannot build a URL for ${op.operationId}: ${redactor.text(requestUrl(req))}`, {
      hint: 'Check the connection parameters, or pass --base-url.',
    });
  }
  if (!opts.dryRun && url.protocol === 'http:' && !isLoopback(url.hostname) && req.carriesCredentials && !opts.allowInsecureHttp) {
    throw new CliError(`refusing to send credentials over plain http to ${url.host}`, {
      hint: 'Use https, or pass --allow-insecure-http if you accept that anyone on the path can read them.',
    });
  }
  return url;
}

export function makeRedactor(req: PreparedRequest): Redactor {
  return new Redactor(req.secretValues, req.secretHeaders, req.secretQuery);
}

/**
 * Call one operation of a connector with a resolved connection: the seam both
 * `connector run` and connection verification use. With `dryRun` nothing is
 * sent and status is 0.
 */
export async function callOperation(ctx: Context, record: ConnectorRecord, operationId: string, opts: CallOptions): Promise<HttpResult> {
  const prepared = await prepareCall(ctx, record, operationId, opts);
  return sendPrepared(ctx, prepared, opts);
}

export async function sendPrepared(ctx: Context, prepared: PreparedCall, opts: CallOptions): Promise<HttpResult> {
  const { req, scheme, redactor, userAuth } = prepared;
  const shown = () => ({ method: req.method, url: redactor.url(requestUrl(req)), headers: redactor.headers(req.headers) });
  if (opts.dryRun) return { status: 0, statusText: 'dry run', headers: {}, body: Buffer.alloc(0), request: shown(), durationMs: 0, redactor };
  const conn: ResolvedConnection | undefined = opts.connection;
  const client = ctx.http;
  const started = ctx.clock.now();
  const once = async (): Promise<RawResponse> => {
    if (ctx.verbose) trace(ctx, req, redactor);
    if (!scheme.exchange) return client.send(req, { timeoutMs: opts.timeoutMs });
    const session = client.session(new URL(requestUrl(req)).protocol);
    try {
      return await scheme.exchange(req, conn, session);
    } finally {
      session.close();
    }
  };
  try {
    const retry = () =>
      withRetries(once, req.method, {
        retries: opts.retries ?? 2,
        baseDelayMs: opts.retryBaseDelayMs,
        sleep: (ms) => ctx.clock.sleep(ms, ctx.signal),
        onRetry: ({ attempt, reason, delayMs }) => ctx.io.err(`retrying (${attempt}/${opts.retries ?? 2}) after ${reason} in ${(delayMs / 1000).toFixed(1)} s`),
      });
    let res = await retry();
    // A 401 to the user's own -H credential: renewing the connection's (an OAuth refresh grant) would not change what is sent.
    if (res.status === 401 && !userAuth && scheme.onUnauthorized && (await scheme.onUnauthorized(res, req, conn))) {
      await scheme.authorize(req, conn);
      userHeadersWin(ctx, req, opts.headers, conn, true);
      res = await retry();
    }
    const durationMs = Math.round(ctx.clock.now() - started);
    if (ctx.verbose) {
      // The redactor reads the request's live secret set: a token renewed after a 401 is masked here too.
      ctx.io.err(`< HTTP ${res.status} ${sanitizeLine(res.statusText)} (${durationMs} ms)`);
      for (const [k, vs] of Object.entries(redactor.responseHeaders(res.headers, opts.showSecrets)))
        for (const v of vs) ctx.io.err(`< ${sanitizeLine(k)}: ${v}`);
      ctx.io.err('<');
    }
    const result: HttpResult = { ...res, request: shown(), durationMs, redactor };
    if (prepared.record && hasPolicies(prepared.record)) {
      const { applyResponsePolicies } = await import('../policies/response.js');
      const outcome = applyResponsePolicies(prepared.record, prepared.op, result, {
        connectionValues: conn?.values ?? {},
        requestUrl: requestUrl(req),
        warn: (m) => ctx.warn(redactor.text(m)),
        ...(ctx.verbose ? { trace: (line: string) => ctx.io.err(shorten(sanitizeLine(redactor.text(line)))) } : {}),
      });
      if (outcome.unauthenticated) result.unauthenticated = outcome.unauthenticated;
    }
    return result;
  } catch (e) {
    if (e instanceof CliError && !(e instanceof CancelError))
      throw new CliError(redactor.text(e.message), { exitCode: e.exitCode, hint: e.hint, cause: e.cause });
    throw e;
  }
}

/** A policy's trace line, masked first (a value cut before masking would no longer match a secret), then cut. */
function shorten(line: string, max = 400): string {
  return line.length > max ? `${line.slice(0, max - 3)}...` : line;
}

function trace(ctx: Context, req: PreparedRequest, redactor: Redactor): void {
  ctx.io.err(`> ${req.method} ${redactor.url(requestUrl(req))}`);
  for (const [k, v] of Object.entries(req.headers)) ctx.io.err(`> ${sanitizeLine(k)}: ${redactor.headerValue(k, v)}`);
  if (req.body?.length) ctx.io.err(`> (${req.body.length} bytes of body)`);
  ctx.io.err('>');
}
