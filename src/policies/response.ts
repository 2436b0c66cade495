import type { ConnectorRecord, PolicyTemplateInstance } from '../model.js';
import type { HttpResult } from '../http/types.js';
import type { Operation } from '../operation/find.js';

/**
 * Response-side policy templates (`x-ms-apimTemplate-policySection: Response`, and templates that
 * only act on responses such as updatenextlink): applied to the API's answer before anything reads
 * it (run's printing, --validate, --paginate, dynamic values). Stub: filled in by issue 12.
 */

/** True when this instance is one the response pipeline applies. */
export function handlesResponse(_t: PolicyTemplateInstance): boolean {
  return false;
}

export interface ResponsePolicyOptions {
  connectionValues: Record<string, string>;
  /** One line per policy that fired, saying what it changed (the caller redacts and prints it under --verbose). */
  trace?: (line: string) => void;
  warn?: (message: string) => void;
}

/** Apply every response-side policy that targets `op` to `res` (its body and headers), in place. */
export function applyResponsePolicies(_record: ConnectorRecord, _op: Operation, _res: HttpResult, _opts: ResponsePolicyOptions): void {}
