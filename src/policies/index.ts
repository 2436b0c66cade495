import type { ConnectorRecord, PolicyTemplateInstance } from '../model.js';
import type { PreparedRequest } from '../http/types.js';
import { deleteHeader, getHeader } from '../http/headers.js';
import type { ExprScope } from './expressions.js';
import { handlesResponse, responseLimitations } from './response.js';
import { NOT_REPRODUCIBLE, REQUEST_TEMPLATES, RESPONSE_ONLY } from './request/table.js';
import type { PolicyOptions, PolicyRun } from './request/types.js';
import { misfit } from './request/url.js';
import { UnsafePath } from './body/paths.js';

export type { PolicyOptions } from './request/types.js';

/**
 * paconn policy templates (apiProperties.properties.policyTemplateInstances)
 * applied to a request the way the Power Platform gateway would: after auth,
 * before sending, in the order the file lists them. Template ids are matched
 * case-insensitively; each request-side template is one entry of
 * REQUEST_TEMPLATES (request/table.ts). Response-side instances belong to
 * policies/response.ts (`handlesResponse`).
 */

export function policyInstances(record: ConnectorRecord): PolicyTemplateInstance[] {
  const props = (record.apiProperties?.properties ?? record.apiProperties ?? {}) as Record<string, any>;
  const list = props.policyTemplateInstances;
  return Array.isArray(list) ? list.filter((t) => t && typeof t.templateId === 'string').map((t) => ({ ...t, parameters: t.parameters ?? {} })) : [];
}

/** The operations an instance is limited to (undefined: every operation). */
export function policyOperations(t: PolicyTemplateInstance): string[] | undefined {
  const p = t.parameters ?? {};
  const ops = p['x-ms-apimTemplate-operationName'] ?? p.operationName;
  if (Array.isArray(ops)) return ops.map(String);
  if (typeof ops === 'string' && ops) return [ops];
  return undefined;
}

/** Request, Response or Failure: the instance's policySection, else where its template runs. */
export function policySection(t: PolicyTemplateInstance): string {
  const s = t.parameters?.['x-ms-apimTemplate-policySection'];
  if (typeof s === 'string' && s) return s;
  return RESPONSE_ONLY.has(t.templateId.toLowerCase()) ? 'Response' : 'Request';
}

/** What `connector run` does with an instance: applies it (to the request or to the answer), or why not. */
export type PolicyStatus =
  | { applied: true; side: 'request' | 'response' /** What the platform does that run does not (response side). */; limitation?: string }
  | { applied: false; reason: string };

export function policyStatus(t: PolicyTemplateInstance): PolicyStatus {
  const id = t.templateId.toLowerCase();
  const section = policySection(t).toLowerCase();
  if (section === 'request' && REQUEST_TEMPLATES[id]) return { applied: true, side: 'request' };
  if (handlesResponse(t)) {
    const limitation = responseLimitations(t);
    return { applied: true, side: 'response', ...(limitation ? { limitation } : {}) };
  }
  if (NOT_REPRODUCIBLE[id]) return { applied: false, reason: NOT_REPRODUCIBLE[id] };
  if (section !== 'request') {
    const on = section === 'failure' ? 'failed answers' : 'the answer';
    return {
      applied: false,
      reason: `runs on ${on} (policySection ${policySection(t)}), which connector run does not change; it shows the answer as the API sent it`,
    };
  }
  return { applied: false, reason: 'not a template connector run knows; it sends the request without it' };
}

/** True when `connector run` applies the instance (request-side, or response-side through policies/response.ts). */
export function isSupported(t: PolicyTemplateInstance): boolean {
  return policyStatus(t).applied;
}

/** Instances this CLI does not apply, each with why, for `connector show` and the run-time warning. */
export function unsupportedPolicies(record: ConnectorRecord): { templateId: string; title?: string; operations?: string[]; reason: string }[] {
  return policyInstances(record).flatMap((t) => {
    const s = policyStatus(t);
    return s.applied ? [] : [{ templateId: t.templateId, title: t.title, operations: policyOperations(t), reason: s.reason }];
  });
}

/** True when the instance targets the operation (its operation filter, matched case-insensitively). */
export function appliesTo(t: PolicyTemplateInstance, operationId: string): boolean {
  const ops = policyOperations(t);
  return !ops || ops.some((o) => o.toLowerCase() === operationId.toLowerCase());
}

/** The URL-template check of `applyPolicies`, for `connection create` to run before saving. */
export function checkHostValues(record: ConnectorRecord, connectionValues: Record<string, string>, secretNames: Set<string>): void {
  for (const t of policyInstances(record)) {
    if (!isSupported(t) || !['dynamichosturl', 'dynamicsubdomain'].includes(t.templateId.toLowerCase())) continue;
    const template = t.parameters['x-ms-apimTemplateParameter.urlTemplate'];
    const wrong = typeof template === 'string' ? misfit(template, { connectionValues, secretNames }) : undefined;
    if (wrong) throw wrong;
  }
}

export const named = (t: PolicyTemplateInstance) => `${t.templateId}${t.title ? ` (${t.title})` : ''}`;

/**
 * Apply every request-side policy that targets `req.operationId`, in file order; warn once
 * per instance that is not applied (response-side ones policies/response.ts handles are
 * not this function's). `opts.trace` hears one line per policy that fired.
 */
export async function applyPolicies(record: ConnectorRecord, req: PreparedRequest, opts: PolicyOptions): Promise<void> {
  const scope: ExprScope = {
    connectionParameter: (name) => opts.connectionValues[name],
    header: (name) => getHeader(req.headers, name),
    query: (name) => req.query.find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1],
    body: () => req.json,
    onSecret: (name) => {
      if (opts.secretNames?.has(name)) {
        req.carriesCredentials = true;
        const v = opts.connectionValues[name];
        if (v) req.secretValues.add(v);
      }
    },
  };
  for (const t of policyInstances(record)) {
    if (!appliesTo(t, req.operationId)) continue;
    const status = policyStatus(t);
    if (!status.applied) {
      opts.warn?.(`policy ${named(t)} is not applied: ${status.reason}`);
      continue;
    }
    if (status.side !== 'request') continue;
    const p = t.parameters as Record<string, unknown>;
    const raw = (k: string) => p[`x-ms-apimTemplateParameter.${k}`];
    const run: PolicyRun = {
      req,
      instance: t,
      raw,
      param: (k) => {
        const v = raw(k);
        return v === undefined || v === null ? '' : typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
      },
      scope,
      opts,
      changed: (what) => opts.trace?.(`policy ${named(t)}: ${what}`),
    };
    try {
      await REQUEST_TEMPLATES[t.templateId.toLowerCase()].apply(run);
    } catch (e) {
      if (!(e instanceof UnsafePath)) throw e;
      opts.warn?.(`policy ${named(t)} is not applied: ${e.message}`);
    }
  }
  if (req.json !== undefined && req.body) req.body = Buffer.from(JSON.stringify(req.json));
  // A header set to '' by a policy means "remove" in practice (e.g. auth-token: '' for a public endpoint).
  for (const [k, v] of Object.entries(req.headers)) if (v === '' && k) deleteHeader(req.headers, k);
}
