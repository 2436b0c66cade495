import type { ConnectorRecord, PolicyTemplateInstance } from '../model.js';
import type { HttpResult } from '../http/types.js';
import type { Operation } from '../operation/find.js';
import type { ExprScope } from './expressions.js';
import { evaluate } from './expressions.js';
import { appliesTo, named, policyInstances } from './index.js';
import { type BodyHolder, isObj, shown, UnsafePath } from './body/paths.js';
import {
  type BodyTransform,
  convertarraytoobject,
  convertobjecttoarray,
  encodepropertyvalue,
  moveproperties,
  setproperty,
  stringreplace,
  stringtoarray,
} from './body/transforms.js';
import { RESPONSE_ONLY } from './request/table.js';

/**
 * Response-side policy templates (`x-ms-apimTemplate-policySection: Response`, and the templates
 * that only act on responses: updatenextlink, setconnectionstatustounauthenticated), applied to
 * the API's answer in the connector's order before anything reads it (run's printing, --json,
 * --validate, -o, --paginate, dynamic values). Template ids are matched case-insensitively; an
 * instance's `x-ms-apimTemplate-operationName` limits it to those operations.
 */

/** An instance's `x-ms-apimTemplateParameter.<name>`. */
type Param = (name: string) => unknown;

/**
 * The data templates the platform allows in the Response section (their documentation: "the
 * request or response body"; the data-conversion module: "each policy can be run against the
 * request or the response"): the same implementations as the request side's.
 */
const BODY: Record<string, BodyTransform> = {
  convertobjecttoarray,
  convertarraytoobject,
  stringreplace,
  setproperty,
  stringtoarray,
  moveproperties,
  encodepropertyvalue,
};

const idOf = (t: PolicyTemplateInstance) => t.templateId.toLowerCase();
const sectionOf = (t: PolicyTemplateInstance) => String(t.parameters['x-ms-apimTemplate-policySection'] ?? '').toLowerCase();

/** True when the instance acts on responses (whether or not this CLI applies it). */
export function isResponseSide(t: PolicyTemplateInstance): boolean {
  return RESPONSE_ONLY.has(idOf(t)) || sectionOf(t) === 'response';
}

/** True when this instance is one the response pipeline applies. */
export function handlesResponse(t: PolicyTemplateInstance): boolean {
  const id = idOf(t);
  return RESPONSE_ONLY.has(id) || (sectionOf(t) === 'response' && (Object.hasOwn(BODY, id) || id === 'setheader'));
}

/**
 * What a response-side instance does on the platform that `connector run` cannot do locally
 * (for `show` and `run --verbose`); undefined when it is reproduced as the platform does it,
 * or when it is not a response-side instance.
 */
export function responseLimitations(t: PolicyTemplateInstance): string | undefined {
  switch (idOf(t)) {
    case 'updatenextlink':
      return "the link keeps the API's own address, made absolute (on the platform it points at the connector's gateway)";
    case 'setconnectionstatustounauthenticated':
      return 'the stored connection is left as it is (on the platform it must sign in again): run says so on stderr and exits 4';
  }
  if (!isResponseSide(t) || handlesResponse(t)) return undefined;
  return `not applied to responses locally: ${t.templateId} in the Response section is not one of the templates the platform documents for responses`;
}

export interface ResponsePolicyOptions {
  connectionValues: Record<string, string>;
  /** The URL the request went to, unredacted (relative next links are resolved against it). */
  requestUrl?: string;
  /** One line per policy that fired, saying what it changed, values whole (the caller redacts, then shortens and prints it under --verbose). */
  trace?: (line: string) => void;
  warn?: (message: string) => void;
}

export interface ResponsePolicyOutcome {
  /** setconnectionstatustounauthenticated fired: the policy's title (or id). */
  unauthenticated?: string;
}

const NOT_JSON = Symbol('not JSON');

/** Apply every response-side policy that targets `op` to `res` (its body and headers), in place. */
export function applyResponsePolicies(record: ConnectorRecord, op: Operation, res: HttpResult, opts: ResponsePolicyOptions): ResponsePolicyOutcome {
  const outcome: ResponsePolicyOutcome = {};
  const instances = policyInstances(record).filter((t) => handlesResponse(t) && appliesTo(t, op.operationId));
  if (!instances.length) return outcome;
  let json: unknown = NOT_JSON;
  let parsed = false;
  let changed = false;
  const body = (): unknown => {
    if (!parsed) json = parseJson(res);
    parsed = true;
    return json;
  };
  const query = (name: string) => (opts.requestUrl ? safeUrl(opts.requestUrl)?.searchParams.get(name) : undefined) ?? undefined;
  const scope: ExprScope = {
    connectionParameter: (name) => opts.connectionValues[name],
    header: (name) => first(res.headers[name.toLowerCase()]),
    query,
    body: () => (body() === NOT_JSON ? undefined : json),
  };
  for (const t of instances) {
    const p = t.parameters as Record<string, unknown>;
    const get: Param = (k) => p[`x-ms-apimTemplateParameter.${k}`];
    const say = (change: string) => opts.trace?.(`* policy ${named(t)}: ${change}`);
    const id = idOf(t);
    if (id === 'setheader') {
      const change = setResponseHeader(res, get, scope);
      if (change) say(change);
    } else if (id === 'setconnectionstatustounauthenticated') {
      const code = Number(get('statusCode'));
      if (Number.isInteger(code) && res.status === code) {
        outcome.unauthenticated = t.title || t.templateId;
        opts.warn?.(
          `the API answered ${code}: on the platform this connection would now need to sign in again (policy ${t.templateId}${t.title ? ` '${t.title}'` : ''})`,
        );
      }
    } else if (body() === NOT_JSON) {
      if (res.body.length) say('the response body is not JSON: left as is');
    } else if (id === 'updatenextlink') {
      const change = updateNextLink(json, String(get('nextLinkPropertyName') || 'nextLink'), opts.requestUrl);
      if (change.changed) changed = true;
      say(change.text);
    } else {
      const holder: BodyHolder = { json: structuredClone(json) };
      const text = (k: string) => {
        const v = get(k);
        return v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
      };
      try {
        const change = BODY[id](holder, text, get, scope);
        if (!/^(no change|not applied)/.test(change)) {
          json = holder.json;
          changed = true;
          say(change);
        }
      } catch (e) {
        if (!(e instanceof UnsafePath)) throw e;
        opts.warn?.(`policy ${named(t)} is not applied: ${e.message}`);
      }
    }
  }
  if (changed) {
    res.body = Buffer.from(JSON.stringify(json));
    if (res.headers['content-length'] !== undefined) res.headers['content-length'] = String(res.body.length);
  }
  return outcome;
}

/** The body as JSON when it is JSON (a json content type, or text that parses); NOT_JSON otherwise. */
function parseJson(res: HttpResult): unknown {
  if (!res.body.length) return NOT_JSON;
  const type = String(first(res.headers['content-type']) ?? '').toLowerCase();
  if (type && !type.includes('json') && !type.startsWith('text/')) return NOT_JSON; // an image, a PDF: never text
  try {
    return JSON.parse(res.body.toString('utf8').replace(/^\uFEFF/, ''));
  } catch {
    return NOT_JSON;
  }
}

const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

function safeUrl(u: string): URL | undefined {
  try {
    return new URL(u);
  } catch {
    return undefined;
  }
}

/** setheader in the Response section: override (the default), skip or append; an empty value removes it. */
function setResponseHeader(res: HttpResult, get: Param, scope: ExprScope): string | undefined {
  const name = String(get('name') ?? '').trim();
  if (!name) return undefined;
  const key = name.toLowerCase();
  const action = String(get('existsAction') || 'override').toLowerCase();
  const existing = res.headers[key];
  if (existing !== undefined && action === 'skip') return `response header ${name} kept (it is there and existsAction is skip)`;
  const value = evaluate(String(get('value') ?? ''), scope);
  if (value === '') {
    if (existing === undefined) return undefined;
    delete res.headers[key];
    return `response header ${name} removed`;
  }
  if (existing !== undefined && action === 'append') {
    res.headers[key] = Array.isArray(existing) ? [...existing, value] : `${existing},${value}`;
    return `response header ${name} appended ${shown(value)}`;
  }
  res.headers[key] = value;
  return `response header ${name} set to ${shown(value)}`;
}

/**
 * updatenextlink: on the platform the API's next link becomes one through the connector's
 * gateway, so the client pages with the connection. Locally the API is called directly: the
 * link keeps its address, made absolute against the request so --paginate can follow it.
 */
function updateNextLink(json: unknown, name: string, requestUrl: string | undefined): { changed: boolean; text: string } {
  if (!isObj(json)) return { changed: false, text: `no ${name} (the body is not an object)` };
  const link = json[name];
  if (typeof link !== 'string' || !link) return { changed: false, text: `no ${name}: this is the last page` };
  const base = requestUrl ? safeUrl(requestUrl) : undefined;
  let absolute = link;
  try {
    absolute = new URL(link, base).href;
  } catch {
    return { changed: false, text: `${name} ${shown(link)} is not a URL: left as is` };
  }
  const gateway = "(on the platform it is rewritten to go through the connector's gateway)";
  if (absolute === link) return { changed: false, text: `${name} kept: ${link} ${gateway}` };
  json[name] = absolute;
  return { changed: true, text: `${name} made absolute: ${absolute} ${gateway}` };
}
