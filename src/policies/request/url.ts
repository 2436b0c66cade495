import { UsageError } from '../../errors.js';
import { evaluate } from '../expressions.js';
import type { PolicyOptions, RequestTemplate } from './types.js';

/** dynamichosturl / dynamicsubdomain, routerequesttoendpoint: where the request goes. */

const SCHEME = /^[a-z][\w+.-]*:\/\//i;

/**
 * A connection value that repeats what the URL template writes around it: a scheme where the
 * template has one (https://https://...), or the template's own suffix (JIRA's '.atlassian.net',
 * which its tooltip invites: acme.atlassian.net.atlassian.net). Such a URL resolves nowhere useful.
 */
export function misfit(template: string, opts: Pick<PolicyOptions, 'connectionValues' | 'secretNames'>): UsageError | undefined {
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

const hostUrl: RequestTemplate = {
  apply(run) {
    if (run.opts.baseUrlFixed) return run.changed('not applied: --base-url wins');
    const template = run.param('urlTemplate');
    const url = evaluate(template, run.scope);
    const wrong = misfit(template, run.opts);
    if (wrong) throw wrong;
    if (!url) return run.changed('no change (the URL template is empty)');
    run.req.base = url.replace(/\/+$/, '');
    run.changed(`base URL set to ${run.req.base}`);
  },
};

const route: RequestTemplate = {
  apply(run) {
    const { req } = run;
    const before = `${req.method} ${req.path}`;
    const newPath = evaluate(run.param('newPath'), run.scope);
    if (newPath) {
      const [path, qs] = newPath.split(/\?(.*)/s);
      req.path = path.replace(/\{([^}]+)\}/g, (m, n) => (req.pathValues[n] !== undefined ? encodeURIComponent(req.pathValues[n]) : m));
      if (qs) for (const [k, v] of new URLSearchParams(qs)) req.query.push([k, v]);
    }
    const method = run.param('httpMethod');
    if (method && !/^@Request\.OriginalHTTPMethod$/i.test(method)) req.method = method.toUpperCase();
    const after = `${req.method} ${req.path}`;
    run.changed(after === before ? 'no change (same method and path)' : `routed ${before} → ${after}`);
  },
};

export const URL_TEMPLATES: Record<string, RequestTemplate> = {
  dynamichosturl: hostUrl,
  dynamicsubdomain: hostUrl,
  routerequesttoendpoint: route,
};
