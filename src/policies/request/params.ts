import { getHeader, requestUrl, setHeader } from '../../http/headers.js';
import { Redactor } from '../../http/redact.js';
import type { PreparedRequest } from '../../http/types.js';
import { evaluate } from '../expressions.js';
import { nodesAt, parsePath } from '../body/paths.js';
import type { RequestTemplate } from './types.js';

/** setheader, setqueryparameter, setvaluefromurl: headers and query parameters. */

const masker = (req: PreparedRequest) => new Redactor(req.secretValues, req.secretHeaders, req.secretQuery);
const carriesSecret = (req: PreparedRequest, value: string) => [...req.secretValues].some((s) => s && value.includes(s));

/** Set (or skip, or append to) a header; says what it did. */
function putHeader(req: PreparedRequest, name: string, value: string, action: string): string {
  const existing = getHeader(req.headers, name);
  if (existing !== undefined && action === 'skip') return `header ${name} kept (it is present; existsAction skip)`;
  const next = existing !== undefined && action === 'append' ? `${existing},${value}` : value;
  setHeader(req.headers, name, next);
  if (carriesSecret(req, value)) req.secretHeaders.add(name.toLowerCase());
  if (next === '') return `header ${name} removed (set to '')`;
  return `header ${name} ${action === 'append' && existing !== undefined ? 'appended to' : 'set'}: ${masker(req).headerValue(name, next)}`;
}

function putQuery(req: PreparedRequest, name: string, value: string, action: string): string {
  const has = req.query.some(([k]) => k === name);
  if (has && action === 'skip') return `query ${name} kept (it is present; existsAction skip)`;
  if (action !== 'append') req.query = req.query.filter(([k]) => k !== name);
  req.query.push([name, value]);
  if (carriesSecret(req, value)) req.secretQuery.add(name);
  return `query ${name}=${req.secretQuery.has(name) ? '***' : masker(req).mask(value)} ${has && action === 'append' ? 'appended' : 'set'}`;
}

const setheader: RequestTemplate = {
  apply(run) {
    const name = run.param('name');
    if (!name) return run.changed('no change (no header name)');
    run.changed(putHeader(run.req, name, evaluate(run.param('value'), run.scope), (run.param('existsAction') || 'override').toLowerCase()));
  },
};

const setqueryparameter: RequestTemplate = {
  apply(run) {
    const name = run.param('name');
    if (!name) return run.changed('no change (no parameter name)');
    run.changed(putQuery(run.req, name, evaluate(run.param('value'), run.scope), (run.param('existsAction') || 'override').toLowerCase()));
  },
};

/**
 * A fetched value was read with the connection's credentials: it is masked unless its name
 * is one known to carry no secret (a version tag, a content negotiation header).
 */
const HARMLESS_NAME =
  /^(if-match|if-none-match|etag|if-modified-since|if-unmodified-since|accept|accept-language|content-type|api-version|version|x-ms-version|prefer)$/i;

/**
 * setvaluefromurl: call another endpoint of the same API (a path relative to the base URL,
 * `{name}` filled from the path parameters) with the request's credentials, and set a header
 * or query parameter to the value at a path in its JSON answer (Planner's If-Match etag).
 */
const setvaluefromurl: RequestTemplate = {
  async apply(run) {
    const { req } = run;
    const target = /^@(headers|queryParameters)\(\s*'([^']+)'\s*\)$/i.exec(run.param('parameterTemplate').trim());
    if (!target) return run.changed(`not applied: parameterTemplate ${JSON.stringify(run.param('parameterTemplate'))} names no header or query parameter`);
    const [, kind, name] = target;
    const isHeader = kind.toLowerCase() === 'headers';
    const method = (run.param('httpMethod') || 'GET').toUpperCase();
    const rel = evaluate(run.param('parameterValueUrl'), run.scope).replace(/\{([^}]+)\}/g, (m, n) =>
      req.pathValues[n] !== undefined ? encodeURIComponent(req.pathValues[n]) : m,
    );
    const sub: PreparedRequest = {
      ...req,
      method,
      path: rel.startsWith('/') || !rel ? rel : `/${rel}`,
      // A credential sent in the query string (req.secretQuery) goes with this call too.
      query: req.query.filter(([k]) => req.secretQuery.has(k)),
      headers: Object.fromEntries(Object.entries(req.headers).filter(([k]) => !/^(content-type|content-length)$/i.test(k))),
      body: undefined,
      json: undefined,
    };
    if (/^[a-z][\w+.-]*:\/\//i.test(rel)) {
      // "another endpoint within the same host": an absolute URL elsewhere would get the credentials.
      const u = new URL(rel);
      if (u.origin !== new URL(requestUrl(req)).origin)
        return run.changed(`not applied: ${u.origin} is not the API's origin; the credentials are sent only there`);
      Object.assign(sub, { base: u.origin, path: u.pathname, query: [...u.searchParams, ...sub.query] });
    }
    const where = `${method} ${requestUrl(sub)}`;
    if (!run.opts.send) {
      run.opts.warn?.(
        `policy setvaluefromurl${run.instance.title ? ` (${run.instance.title})` : ''} is not run under --dry-run: it would call ${masker(req).url(where)} to set ${name}`,
      );
      return run.changed(`not run under --dry-run (it would call ${where} to set ${name})`);
    }
    const res = await run.opts.send(sub);
    if (res.status < 200 || res.status > 299) {
      run.opts.warn?.(`policy setvaluefromurl: ${masker(req).url(where)} answered HTTP ${res.status}; ${name} is not set`);
      return run.changed(`${where} answered HTTP ${res.status}: ${name} not set`);
    }
    let json: unknown;
    try {
      json = JSON.parse(res.body.toString('utf8'));
    } catch {
      return run.changed(`${where} answered no JSON: ${name} not set`);
    }
    const path = parsePath(run.param('parameterValuePathTemplate') || '@body()');
    const [found] = nodesAt(json, path.segs);
    if (found === undefined || found === null) return run.changed(`${where} has no ${run.param('parameterValuePathTemplate')}: ${name} not set`);
    const value = typeof found === 'string' ? found : JSON.stringify(found);
    if (!HARMLESS_NAME.test(name)) {
      req.secretValues.add(value);
      if (isHeader) req.secretHeaders.add(name.toLowerCase());
      else req.secretQuery.add(name);
    }
    const did = isHeader ? putHeader(req, name, value, 'override') : putQuery(req, name, value, 'override');
    run.changed(`${did} (from ${path.segs.length ? run.param('parameterValuePathTemplate') : 'the body'} of ${where}, HTTP ${res.status})`);
  },
};

export const PARAM_TEMPLATES: Record<string, RequestTemplate> = { setheader, setqueryparameter, setvaluefromurl };
