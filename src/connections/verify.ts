import type { Context } from '../context.js';
import { AuthError } from '../errors.js';
import type { ConnectorRecord } from '../model.js';
import type { ResolvedConnection } from './types.js';
import { deref as derefRef } from '../operation/refs.js';
import { walkOperations } from '../operation/walk.js';

export interface TestOperation {
  operationId: string;
  params: Record<string, string>;
  /** Where the choice came from, for messages. */
  source: 'flag' | 'stored' | 'declared' | 'first GET';
}

/**
 * The operation that proves a connection works: --test-operation, else the one stored
 * with the connection, else the connector's declared x-ms-capabilities testConnection,
 * else the first GET whose required parameters all have an example, default or enum value.
 */
export function chooseTestOperation(record: ConnectorRecord, flag?: string, stored?: string): TestOperation | undefined {
  if (flag) return { operationId: canonicalId(record, flag), params: {}, source: 'flag' };
  if (stored) return { operationId: canonicalId(record, stored), params: {}, source: 'stored' };
  const caps = [obj(obj(obj(record.apiProperties).properties)['x-ms-capabilities']), obj(record.definition['x-ms-capabilities'])];
  for (const cap of caps) {
    const tc = obj(cap.testConnection);
    if (typeof tc.operationId === 'string' && tc.operationId) {
      const params: Record<string, string> = {};
      for (const [k, v] of Object.entries(obj(tc.parameters))) {
        const value = v && typeof v === 'object' && 'value' in v ? (v as { value: unknown }).value : v;
        if (value !== undefined && value !== null && typeof value !== 'object') params[k] = String(value);
      }
      return { operationId: tc.operationId, params, source: 'declared' };
    }
  }
  return firstGetWithValues(record);
}

function firstGetWithValues(record: ConnectorRecord): TestOperation | undefined {
  const def = record.definition;
  for (const { method, operation: get, parameters } of walkOperations(def)) {
    // only operations the author named (as before the walker): a derived id is ours, not the connector's
    if (method !== 'get' || typeof get.operationId !== 'string' || !get.operationId) continue;
    if (get.deprecated === true || get['x-ms-trigger'] !== undefined) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (const p of parameters) {
      if (p.required !== true) continue;
      const v = knownValue(p) ?? knownValue(deref(def, p.schema));
      if (v === undefined) {
        ok = false;
        break;
      }
      if (p.in !== 'body') params[String(p.name)] = v;
    }
    const body = deref(def, get.requestBody);
    if (ok && body.required !== true) return { operationId: get.operationId, params, source: 'first GET' };
  }
  return undefined;
}

function knownValue(p: Record<string, unknown>): string | undefined {
  for (const v of [p.example, p['x-example'], p.default, Array.isArray(p.enum) ? p.enum[0] : undefined]) {
    if (v !== undefined && v !== null && typeof v !== 'object') return String(v);
  }
  return undefined;
}

/** The operationId as spelled in the definition (ids are case-insensitive on the command line). */
function canonicalId(record: ConnectorRecord, id: string): string {
  for (const op of walkOperations(record.definition)) if (op.operationId.toLowerCase() === id.toLowerCase()) return op.operationId;
  return id;
}

export interface TestResult {
  operationId: string;
  status: number;
}

/**
 * Call the test operation with `conn` through the HTTP layer. 401/403 → AuthError;
 * other non-2xx statuses are returned for the caller to report.
 */
export async function runTest(
  ctx: Context,
  record: ConnectorRecord,
  conn: ResolvedConnection,
  test: TestOperation,
  opts: { baseUrl?: string; refusedHint?: string } = {},
): Promise<TestResult> {
  const { callOperation: call } = await import('../http/call.js');
  ctx.debug(`testing ${record.name}/${conn.record.name} with ${test.operationId} (${test.source})`);
  const res = await ctx.progress.spin(`Testing the connection with ${test.operationId}`, () =>
    call(ctx, record, test.operationId, { params: test.params, connection: conn, retries: 0, timeoutMs: 15_000, baseUrl: opts.baseUrl }),
  );
  if (res.status === 401 || res.status === 403) {
    throw new AuthError(
      `the ${record.title || record.name} API refused these credentials (HTTP ${res.status} on ${test.operationId})`,
      opts.refusedHint ?? 'Check the values you entered; nothing was saved.',
    );
  }
  return { operationId: test.operationId, status: res.status };
}

/** An object with its local $ref followed ({} for anything else). */
const deref = (root: Record<string, unknown>, node: unknown): Record<string, unknown> => obj(derefRef(root, node));
function obj(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}
