import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createContext, type Context } from '../context.js';
import { AuthError, CancelError, CliError } from '../errors.js';
import type { ResolvedConnection } from '../connections/types.js';
import type { HttpResult } from '../http/types.js';
import type { ConnectorRecord } from '../model.js';
import { load } from '../util/load.js';
import { interpolate, SuiteError, usesVars, type Where } from './suite.js';
import type { Expectation, JsonAssertion, Step, StepResult, Suite, SuiteResult } from './types.js';

export interface RunOptions {
  /** Overrides the suite's default connection (-c). */
  connection?: string;
  /** Stop at the first failure (teardown still runs). */
  bail?: boolean;
  /** Only steps whose id or name matches (setup and teardown always run). */
  filter?: RegExp;
  /** Step ids to run (a shard); undefined: all. */
  only?: Set<string>;
  /** Independent steps in flight at once (default 1). Steps that capture or use captured values keep their order. */
  concurrency?: number;
  /** A step is about to be sent (its id). */
  onStart?: (id: string) => void;
  onStep?: (r: StepResult) => void;
}

/** The connector a suite names: a registry name, or a file/folder imported into a throw-away registry. */
async function connectorFor(ctx: Context, suite: Suite): Promise<{ ctx: Context; record: ConnectorRecord; cleanup(): Promise<void> }> {
  const registry = await ctx.registry();
  if (await registry.has(suite.connector)) {
    return { ctx, record: await registry.get(suite.connector), cleanup: async () => {} };
  }
  const path = resolve(dirname(suite.file), suite.connector);
  const { prepareImport } = await import('../spec/import.js');
  const { summarize } = await import('../spec/normalize.js');
  let prepared: Awaited<ReturnType<typeof prepareImport>>;
  try {
    prepared = await prepareImport(path, { http: ctx.http });
  } catch (e) {
    if (e instanceof CliError && /no such file/.test(e.message) && !/[/\\.]/.test(suite.connector)) throw await registry.notFound(suite.connector);
    throw e;
  }
  for (const w of prepared.warnings) ctx.warn(w);
  // The throw-away registry shares every seam but the home: connections come from CONNECTOR_<K>__<C>__* variables.
  const home = await mkdtemp(join(tmpdir(), 'connector-suite-'));
  const child = createContext(
    ctx.io,
    home,
    { json: ctx.json, verbose: ctx.verbose, input: !ctx.noInput },
    {
      http: ctx.http,
      browser: ctx.browser,
      clock: ctx.clock,
      signal: ctx.signal,
      secrets: () => ctx.secrets(),
      prompter: () => ctx.prompter(),
    },
  );
  await (await child.registry()).put(prepared.record, summarize(prepared.record));
  return { ctx: child, record: prepared.record, cleanup: () => rm(home, { recursive: true, force: true }) };
}

/**
 * Run one suite: setup, the steps (in order), teardown (always). A failed setup skips the steps;
 * with `bail` the first failure skips the rest. An authentication failure before any step has run
 * (no connection, a refused renewal) is thrown (exit 4); later ones fail their step.
 */
export async function runSuite(ctx0: Context, suite: Suite, opts: RunOptions = {}): Promise<SuiteResult> {
  const started = ctx0.clock.now();
  const { ctx, record, cleanup } = await connectorFor(ctx0, suite);
  try {
    await checkReferences(suite, record);
  } catch (e) {
    await cleanup();
    throw e;
  }
  const results: StepResult[] = [];
  const vars: Record<string, unknown> = {};
  const connections = new Map<string, Promise<ResolvedConnection>>();
  const { resolveConnection } = await import('../connections/store.js');
  const connection = (name: string | undefined) => {
    const key = name ?? '';
    let c = connections.get(key);
    if (!c) {
      c = resolveConnection(ctx, record.name, name);
      connections.set(key, c);
    }
    return c;
  };
  let stop: string | undefined;
  // Results are reported as steps finish, and returned in suite order.
  const index = new Map<Step, number>([...suite.setup, ...suite.steps, ...suite.teardown].map((st, i) => [st, i]));
  const order = new Map<StepResult, number>();
  const run = async (phase: StepResult['phase'], step: Step) => {
    const base = { suite: suite.name, file: suite.file, connector: record.name, phase, id: step.id, name: step.name ?? step.id };
    let r: StepResult;
    if (step.skip || (phase === 'step' && stop)) {
      r = { ...base, status: 'skipped', durationMs: 0, failures: [], skipReason: step.skip ?? stop };
    } else {
      opts.onStart?.(step.name ?? step.id);
      r = await runStep(
        ctx,
        record,
        step,
        base,
        vars,
        () => connection(step.connection ?? opts.connection ?? suite.connection),
        !results.some((x) => x.status !== 'skipped'),
      );
      if (r.status === 'failed' && phase !== 'teardown') {
        if (phase === 'setup') stop = `setup step '${step.id}' failed`;
        else if (opts.bail) stop = `--bail: step '${step.id}' failed`;
      }
    }
    results.push(r);
    order.set(r, index.get(step) ?? 0);
    opts.onStep?.(r);
  };
  try {
    for (const s of suite.setup) await run('setup', s);
    const chosen = suite.steps.filter((s) => (!opts.only || opts.only.has(s.id)) && (!opts.filter || opts.filter.test(s.id) || opts.filter.test(s.name ?? '')));
    // One lane runs the steps that capture or use captured values, in order; the others are taken by
    // `concurrency` workers in suite order. All share the context's one keep-alive pool.
    const chained = chosen.filter((s) => s.capture || usesVars(s));
    const free = chosen.filter((s) => !chained.includes(s));
    const workers = Math.max(1, Math.min(opts.concurrency ?? 1, chosen.length));
    if (workers === 1) for (const s of chosen) await run('step', s);
    else {
      const lane = async () => {
        for (const s of chained) await run('step', s);
      };
      const worker = async () => {
        for (let s = free.shift(); s; s = free.shift()) await run('step', s);
      };
      await Promise.all([lane(), ...Array.from({ length: chained.length ? workers - 1 || 1 : workers }, worker)]);
    }
  } finally {
    // Teardown runs whatever happened above, except after Ctrl-C (nothing more is sent then).
    if (!ctx.signal.aborted) for (const s of suite.teardown) await run('teardown', s);
    await cleanup();
  }
  results.sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0));
  return { file: suite.file, name: suite.name, connector: record.name, durationMs: Math.round(ctx0.clock.now() - started), steps: results };
}

/**
 * What a suite names must exist before anything is sent: every step's operation in the
 * connector, and every `${vars.x}` captured by a step before it (setup, steps, teardown in file
 * order). A mistake is a SuiteError (exit 2) at the step, like a malformed suite.
 */
async function checkReferences(suite: Suite, record: ConnectorRecord): Promise<void> {
  const { findOperation } = await import('../operation/find.js');
  const captured = new Set<string>();
  for (const step of [...suite.setup, ...suite.steps, ...suite.teardown]) {
    // Lazily: a step's line is found by re-reading the suite with positions, only for a message.
    const at = () => `${suite.file}:${step.line ?? 0}: step '${step.id}'`;
    try {
      findOperation(record, step.operation);
    } catch (e) {
      if (!(e instanceof CliError)) throw e;
      throw new SuiteError(`${at()}: ${e.message}`, e.hint);
    }
    const used = JSON.stringify([step.params, step.body, step.headers]).matchAll(/\$\{vars\.([A-Za-z_][\w-]*)\}/g);
    for (const [, name] of used) {
      if (!captured.has(name))
        throw new SuiteError(
          `${at()}: \${vars.${name}} is not captured by an earlier step`,
          'Capture it in a step above this one (capture: { name: $.path }).',
        );
    }
    for (const name of Object.keys(step.capture ?? {})) captured.add(name);
  }
}

/** Loaded by the first step (a dynamic import per step would cost a module lookup and two ticks each). */
let callModule: typeof import('../http/call.js') | undefined;

async function runStep(
  ctx: Context,
  record: ConnectorRecord,
  step: Step,
  base: Omit<StepResult, 'status' | 'durationMs' | 'failures'>,
  vars: Record<string, unknown>,
  connection: () => Promise<ResolvedConnection>,
  first: boolean,
): Promise<StepResult> {
  // Spelled only for a message: a quickly read suite looks its step lines up on first use (suite.ts).
  const where: Where = { toString: () => `${base.file}:${step.line ?? 0}: step '${step.id}'` };
  const started = ctx.clock.now();
  const failed = (failures: string[], extra: Partial<StepResult> = {}): StepResult => ({
    ...base,
    status: 'failed',
    durationMs: Math.round(ctx.clock.now() - started),
    failures,
    ...extra,
  });
  let res: HttpResult;
  let conn: ResolvedConnection | undefined;
  try {
    const scope = { env: ctx.io.env, vars };
    const params = Object.fromEntries(
      Object.entries(interpolate(step.params ?? {}, scope, where)).map(([k, v]) => [k, Array.isArray(v) ? v.map(String) : String(v)]),
    );
    const body = step.body === undefined ? undefined : interpolate(step.body, scope, where);
    const { callOperation } = (callModule ??= await import('../http/call.js'));
    res = await callOperation(ctx, record, step.operation, {
      params,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      headers: interpolate(step.headers, scope, where),
      connection: (conn = await connection()),
      retries: 0,
    });
  } catch (e) {
    if (e instanceof CancelError) throw e;
    if (e instanceof AuthError && first) throw e; // nothing has run yet: the connection itself is the problem
    if (first && (e as Error).name === 'NoConnectionError') throw e; // its hint names the CONNECTOR_* variables that stand in for one
    if (e instanceof CliError) return failed([e.message]);
    throw e;
  }
  // Reports go to CI artifacts: an API that echoes a credential must not put it there. The call's
  // redactor knows every secret it used, a token renewed after a 401 included.
  const redact = (t: string) =>
    res.redactor ? res.redactor.mask(t) : (conn?.secrets ?? []).reduce((acc, secret) => (secret.length >= 4 ? acc.split(secret).join('***') : acc), t);
  const shown = { request: { method: res.request.method, url: res.request.url }, response: { status: res.status, excerpt: redact(excerpt(res)) } };
  const failures = (await check(record, step, step.expect ?? {}, res)).map(redact);
  if (!failures.length) {
    try {
      for (const [name, from] of Object.entries(step.capture ?? {})) vars[name] = capture(res, from, where);
    } catch (e) {
      if (e instanceof CliError) failures.push(e.message);
      else throw e;
    }
  }
  if (failures.length) return failed(failures, shown);
  return { ...base, status: 'passed', durationMs: res.durationMs, failures: [], ...shown };
}

/** Every expectation that does not hold, one line each: expected vs actual. */
async function check(record: ConnectorRecord, step: Step, x: Expectation, res: HttpResult): Promise<string[]> {
  const out: string[] = [];
  const want = x.status === undefined ? ['2xx'] : Array.isArray(x.status) ? x.status : [x.status];
  if (!want.some((w) => statusMatches(w, res.status))) out.push(`status: expected ${want.join(' or ')}, got ${res.status}`);
  for (const [name, value] of Object.entries(x.headers ?? {})) {
    const got = res.headers[name.toLowerCase()];
    const actual = Array.isArray(got) ? got.join(', ') : got;
    const re = /^\/(.*)\/([a-z]*)$/.exec(value);
    const ok = actual !== undefined && (re ? new RegExp(re[1], re[2]).test(actual) : actual === value);
    if (!ok)
      out.push(`header ${name}: expected ${re ? `to match ${value}` : JSON.stringify(value)}, got ${actual === undefined ? 'none' : JSON.stringify(actual)}`);
  }
  if (x.maxDurationMs !== undefined && res.durationMs > x.maxDurationMs)
    out.push(`duration: expected at most ${x.maxDurationMs} ms, took ${res.durationMs} ms`);
  if (x.json?.length) {
    const body = parseJson(res);
    if (body === NOT_JSON) out.push('json: the body is not JSON');
    else for (const a of x.json) out.push(...jsonCheck(a, body));
  }
  if (x.schema === 'response') {
    const { findOperation } = await import('../operation/find.js');
    const { validateResponse } = await import('../operation/response.js');
    for (const m of await validateResponse(record, findOperation(record, step.operation), res)) out.push(`schema: ${m}`);
  }
  return out;
}

function statusMatches(want: number | string, got: number): boolean {
  const w = String(want);
  return /^[1-5]xx$/i.test(w) ? Math.floor(got / 100) === Number(w[0]) : Number(w) === got;
}

const NOT_JSON = Symbol('not json');
function parseJson(res: HttpResult): unknown {
  try {
    return JSON.parse(res.body.toString('utf8'));
  } catch {
    return NOT_JSON;
  }
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/** One RFC 9535 assertion: the path's single match (or the list of matches when there are several). */
function jsonCheck(a: JsonAssertion, body: unknown): string[] {
  const { query } = load<typeof import('jsonpath-rfc9535')>('jsonpath-rfc9535');
  let found: unknown[];
  try {
    found = query(body as never, a.path);
  } catch (e) {
    return [`json ${a.path}: not a valid JSONPath (${(e as Error).message})`];
  }
  const value = found.length === 1 ? found[0] : found;
  const show = (v: unknown) => JSON.stringify(v)?.slice(0, 200) ?? 'undefined';
  if (a.exists !== undefined)
    return a.exists === found.length > 0 ? [] : [`json ${a.path}: expected ${a.exists ? 'a match' : 'no match'}, found ${found.length}`];
  if (!found.length) return [`json ${a.path}: no match`];
  if ('equals' in a) return deepEqual(value, a.equals) ? [] : [`json ${a.path}: expected ${show(a.equals)}, got ${show(value)}`];
  if (a.matches !== undefined) {
    return typeof value === 'string' && new RegExp(a.matches).test(value) ? [] : [`json ${a.path}: expected to match /${a.matches}/, got ${show(value)}`];
  }
  if (a.length !== undefined) {
    const n = typeof value === 'string' || Array.isArray(value) ? value.length : found.length;
    return n === a.length ? [] : [`json ${a.path}: expected length ${a.length}, got ${n}`];
  }
  if (a.type !== undefined) {
    const t = typeOf(value);
    return t === a.type || (a.type === 'number' && t === 'integer') ? [] : [`json ${a.path}: expected ${a.type}, got ${t}`];
  }
  const n = typeof value === 'number' ? value : Number.NaN;
  if (a.lessThan !== undefined && !(n < a.lessThan)) return [`json ${a.path}: expected less than ${a.lessThan}, got ${show(value)}`];
  if (a.greaterThan !== undefined && !(n > a.greaterThan)) return [`json ${a.path}: expected greater than ${a.greaterThan}, got ${show(value)}`];
  return [];
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));
}
function sorted(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sorted);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sorted((v as Record<string, unknown>)[k])]),
    );
  return v;
}

/** `status`, `header:<name>`, or a JSONPath with exactly one match. */
function capture(res: HttpResult, from: string, where: Where): unknown {
  if (from === 'status') return res.status;
  if (from.startsWith('header:')) {
    const h = res.headers[from.slice(7).trim().toLowerCase()];
    if (h === undefined) throw new CliError(`${where}: capture ${from}: the response has no such header`);
    return Array.isArray(h) ? h[0] : h;
  }
  const body = parseJson(res);
  if (body === NOT_JSON) throw new CliError(`${where}: capture ${from}: the body is not JSON`);
  const { query } = load<typeof import('jsonpath-rfc9535')>('jsonpath-rfc9535');
  const found = query(body as never, from);
  if (found.length !== 1) throw new CliError(`${where}: capture ${from}: expected exactly one match, found ${found.length}`);
  return found[0];
}

/** The start of the body, for reports (the request and response are already redacted by the call path). */
function excerpt(res: HttpResult): string {
  const text = res.body.toString('utf8');
  return text.length > 500 ? `${text.slice(0, 500)}…` : text;
}
