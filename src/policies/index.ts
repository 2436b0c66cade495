import type { ConnectorRecord, PolicyTemplateInstance } from '../model.js';
import type { PreparedRequest } from '../http/types.js';
import { deleteHeader, getHeader, setHeader } from '../http/headers.js';
import { evaluate, type ExprScope } from './expressions.js';
import { UsageError } from '../errors.js';

/**
 * paconn policy templates (apiProperties.properties.policyTemplateInstances)
 * applied to a request the way the Power Platform gateway would: after auth,
 * before sending. Template ids are matched case-insensitively.
 */
const SUPPORTED = new Set(['dynamichosturl', 'dynamicsubdomain', 'setheader', 'setqueryparameter', 'routerequesttoendpoint', 'setproperty']);

export function policyInstances(record: ConnectorRecord): PolicyTemplateInstance[] {
  const props = (record.apiProperties?.properties ?? record.apiProperties ?? {}) as Record<string, any>;
  const list = props.policyTemplateInstances;
  return Array.isArray(list) ? list.filter((t) => t && typeof t.templateId === 'string').map((t) => ({ ...t, parameters: t.parameters ?? {} })) : [];
}

/** The operations an instance is limited to (undefined: every operation). */
export function policyOperations(t: PolicyTemplateInstance): string[] | undefined {
  const p = t.parameters;
  const ops = p['x-ms-apimTemplate-operationName'] ?? p.operationName;
  if (Array.isArray(ops)) return ops.map(String);
  if (typeof ops === 'string' && ops) return [ops];
  return undefined;
}

function section(t: PolicyTemplateInstance): string {
  return String(t.parameters['x-ms-apimTemplate-policySection'] ?? 'Request');
}

/** True when the instance is one we apply (request-side and a supported template). */
export function isSupported(t: PolicyTemplateInstance): boolean {
  return SUPPORTED.has(t.templateId.toLowerCase()) && section(t).toLowerCase() === 'request';
}

/** Templates this CLI cannot apply, for `connector show` and the run-time warning. */
export function unsupportedPolicies(record: ConnectorRecord): { templateId: string; title?: string; operations?: string[] }[] {
  return policyInstances(record)
    .filter((t) => !isSupported(t))
    .map((t) => ({ templateId: t.templateId, title: t.title, operations: policyOperations(t) }));
}

function appliesTo(t: PolicyTemplateInstance, operationId: string): boolean {
  const ops = policyOperations(t);
  return !ops || ops.some((o) => o.toLowerCase() === operationId.toLowerCase());
}

export interface PolicyOptions {
  /** Connection parameter values (secrets included). */
  connectionValues: Record<string, string>;
  /** Which values are secret (they become redacted when a policy copies them onto the request). */
  secretNames?: Set<string>;
  /** --base-url given: dynamichosturl must not override it. */
  baseUrlFixed?: boolean;
  warn?: (message: string) => void;
}

const SCHEME = /^[a-z][\w+.-]*:\/\//i;

/**
 * A connection value that repeats what the URL template writes around it: a scheme where the
 * template has one (https://https://...), or the template's own suffix (JIRA's '.atlassian.net',
 * which its tooltip invites: acme.atlassian.net.atlassian.net). Such a URL resolves nowhere useful.
 */
function misfit(template: string, opts: PolicyOptions): UsageError | undefined {
  for (const m of template.matchAll(/@connectionParameters\('([^']+)'[^)]*\)([^/@]*)/g)) {
    const [expr, name, suffix] = m;
    const value = opts.connectionValues[name];
    if (!value) continue;
    let v = value.trim().replace(/\/+$/, '');
    if (SCHEME.test(template.slice(0, m.index))) v = v.replace(SCHEME, ''); // the template writes the scheme
    if (suffix && v.endsWith(suffix) && v.length > suffix.length) v = v.slice(0, -suffix.length);
    if (v === value.trim().replace(/\/+$/, '')) continue;
    const secret = opts.secretNames?.has(name);
    return new UsageError(
      `connection value '${name}' does not fit this connector's URL template ${template}`,
      secret ? `Give it without what the template adds around ${expr}.` : `Give it as '${v}'.`,
    );
  }
  return undefined;
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

/** Apply every supported policy that targets `req.operationId`; warn once per unsupported one. */
export function applyPolicies(record: ConnectorRecord, req: PreparedRequest, opts: PolicyOptions): void {
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
    if (!isSupported(t)) {
      opts.warn?.(`policy template '${t.templateId}'${t.title ? ` (${t.title})` : ''} is not supported; the request is sent without it`);
      continue;
    }
    const p = t.parameters as Record<string, any>;
    const get = (k: string) => p[`x-ms-apimTemplateParameter.${k}`];
    switch (t.templateId.toLowerCase()) {
      case 'dynamichosturl':
      case 'dynamicsubdomain': {
        if (opts.baseUrlFixed) break;
        const template = String(get('urlTemplate') ?? '');
        const url = evaluate(template, scope);
        const wrong = misfit(template, opts);
        if (wrong) throw wrong;
        if (url) req.base = url.replace(/\/+$/, '');
        break;
      }
      case 'setheader': {
        const name = String(get('name') ?? '');
        if (!name) break;
        const action = String(get('existsAction') ?? 'override').toLowerCase();
        const existing = getHeader(req.headers, name);
        if (existing !== undefined && action === 'skip') break;
        const value = evaluate(String(get('value') ?? ''), scope);
        setHeader(req.headers, name, existing !== undefined && action === 'append' ? `${existing},${value}` : value);
        if ([...req.secretValues].some((s) => s && value.includes(s))) req.secretHeaders.add(name.toLowerCase());
        break;
      }
      case 'setqueryparameter': {
        const name = String(get('name') ?? '');
        if (!name) break;
        const action = String(get('existsAction') ?? 'override').toLowerCase();
        const has = req.query.some(([k]) => k === name);
        if (has && action === 'skip') break;
        const value = evaluate(String(get('value') ?? ''), scope);
        if (action !== 'append') req.query = req.query.filter(([k]) => k !== name);
        req.query.push([name, value]);
        if ([...req.secretValues].some((s) => s && value.includes(s))) req.secretQuery.add(name);
        break;
      }
      case 'routerequesttoendpoint': {
        const newPath = evaluate(String(get('newPath') ?? ''), scope);
        if (newPath) {
          const [path, qs] = newPath.split(/\?(.*)/s);
          req.path = path.replace(/\{([^}]+)\}/g, (m, n) => (req.pathValues[n] !== undefined ? encodeURIComponent(req.pathValues[n]) : m));
          if (qs) for (const [k, v] of new URLSearchParams(qs)) req.query.push([k, v]);
        }
        const method = String(get('httpMethod') ?? '');
        if (method && !/^@Request\.OriginalHTTPMethod$/i.test(method)) req.method = method.toUpperCase();
        break;
      }
      case 'setproperty':
        setProperty(
          req,
          String(get('newPropertyParentPathTemplate') ?? '@body()'),
          String(get('newPropertySubPathTemplate') ?? ''),
          get('propertyValuePathTemplate'),
          scope,
        );
        break;
    }
  }
  if (req.json !== undefined && req.body) req.body = Buffer.from(JSON.stringify(req.json));
  // A header set to '' by a policy means "remove" in practice (e.g. auth-token: '' for a public endpoint).
  for (const [k, v] of Object.entries(req.headers)) if (v === '' && k) deleteHeader(req.headers, k);
}

/** setproperty: `@body().a.b` parent, `name` or `['@odata.type']` sub path, a literal or `@body()...` value. */
function setProperty(req: PreparedRequest, parentPath: string, subPath: string, valueTemplate: unknown, scope: ExprScope): void {
  if (req.json === undefined || req.json === null || typeof req.json !== 'object') {
    if (req.body) return; // not JSON: nothing to edit
    req.json = {};
    req.body = Buffer.alloc(0);
    setHeader(req.headers, 'Content-Type', getHeader(req.headers, 'content-type') ?? 'application/json');
  }
  const parents = resolveBodyPath(req.json, parentPath);
  const key = subPath.replace(/^\[\s*'(.*)'\s*\]$/, '$1');
  if (!key || key === 'null') return;
  for (const parent of parents) {
    if (!parent || typeof parent !== 'object') continue;
    let value: unknown;
    if (typeof valueTemplate !== 'string') value = valueTemplate;
    else {
      const wrap = /^\[\{(.*)\}\]$/s.exec(valueTemplate.trim());
      const inner = wrap ? wrap[1] : valueTemplate;
      const whole = /^@body\(\)(.*)$/s.exec(inner.trim());
      value = whole ? resolveBodyPath(req.json, `@body()${whole[1]}`)[0] : evaluate(inner, scope);
      if (wrap) value = Array.isArray(value) ? value : value === undefined ? [] : [value];
    }
    (parent as Record<string, unknown>)[key] = value;
  }
}

/** `@body()`, `@body().a.b`, `body()` → the matching nodes (array parents fan out to their items). */
function resolveBodyPath(root: unknown, path: string): unknown[] {
  const rest = path.trim().replace(/^@?body\(\)/, '');
  let nodes: unknown[] = [root];
  for (const seg of rest.split(/\.|\[\s*'([^']*)'\s*\]/).filter((s) => s)) {
    nodes = nodes.flatMap((n) => {
      const v = n && typeof n === 'object' ? (n as Record<string, unknown>)[seg] : undefined;
      return Array.isArray(v) ? v : v === undefined ? [] : [v];
    });
  }
  return nodes;
}
