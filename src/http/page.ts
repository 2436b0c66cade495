import type { PreparedCall } from './call.js';
import { noneScheme } from '../auth/none/index.js';
import { requestUrl } from './headers.js';
import type { PreparedRequest } from './types.js';

/**
 * The request for one next page of a paginated `connector run` (src/operation/paginate.ts): a GET
 * of the link the previous page gave, sent by sendPrepared like the first request (retries,
 * proxies, --verbose, redaction, response-side policies).
 *
 * Same origin (scheme, host and port) as the first request: everything that request carried
 * goes again — the auth plug-in's credential headers, policy headers, -H — and the plug-in stays
 * the request's scheme, so an OAuth token renewed after a 401 is renewed on this page too; a
 * credential the plug-in puts in the query is added when the link lacks it. Another origin gets
 * none of the connection's credentials: only the harmless headers below, no auth plug-in (nothing
 * is authorized, renewed or exchanged), and the link's own query without a parameter named like
 * the credential's or holding a secret value.
 *
 * The link's path and query are kept byte for byte (an opaque $skiptoken or cursor must come back
 * as it was given): they become the request's `path`, and its `query` pairs are appended after them.
 */
export function nextPageCall(first: PreparedCall, link: URL, crossOrigin: boolean): PreparedCall {
  const from = first.req;
  const search = crossOrigin ? withoutSecrets(link.search, from) : link.search;
  const req: PreparedRequest = {
    operationId: from.operationId,
    method: 'GET',
    base: link.origin,
    path: link.pathname + search,
    pathValues: {},
    query: [],
    headers: {},
    // Shared, not copied: a token renewed on any page is masked everywhere from then on.
    secretHeaders: from.secretHeaders,
    secretQuery: from.secretQuery,
    secretValues: from.secretValues,
    carriesCredentials: !crossOrigin && from.carriesCredentials,
  };
  for (const [k, v] of Object.entries(from.headers)) {
    if (/^content-/i.test(k)) continue; // a GET has no body
    if (crossOrigin && (!HARMLESS.test(k) || containsSecret(v, from))) continue;
    req.headers[k] = v;
  }
  if (!crossOrigin) {
    const present = new Set([...link.searchParams.keys()]);
    req.query = from.query.filter(([k]) => from.secretQuery.has(k) && !present.has(k));
  }
  return {
    op: first.op,
    req,
    scheme: crossOrigin ? noneScheme() : first.scheme,
    redactor: first.redactor,
    // Another origin: no 401 renewal either (the scheme has none); same origin: as the first request.
    ...(first.userAuth && !crossOrigin ? { userAuth: true } : {}),
  };
}

/** Headers that say nothing about who is asking (as the client's redirect rule in client.ts). */
const HARMLESS = /^(accept|accept-encoding|accept-language|user-agent)$/i;

function containsSecret(value: string, req: PreparedRequest): boolean {
  for (const s of req.secretValues) if (s && value.includes(s)) return true;
  return false;
}

/** `?a=1&key=…` without the pairs named like a credential parameter or holding a secret (raw otherwise). */
function withoutSecrets(search: string, req: PreparedRequest): string {
  if (!search) return '';
  const kept = search
    .slice(1)
    .split('&')
    .filter((pair) => {
      const eq = pair.indexOf('=');
      const k = safeDecode(eq < 0 ? pair : pair.slice(0, eq));
      const v = eq < 0 ? '' : safeDecode(pair.slice(eq + 1).replace(/\+/g, ' '));
      return !req.secretQuery.has(k) && !(v && req.secretValues.has(v));
    });
  return kept.length ? `?${kept.join('&')}` : '';
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** The URL a prepared request goes to (the next-page loop compares origins and links with it). */
export function urlOf(call: PreparedCall): URL {
  return new URL(requestUrl(call.req));
}

/**
 * The `rel="next"` target of an RFC 8288 `Link` header (one header or several), or undefined.
 * Hand-written (no Link parser is among the dependencies, and this is the one relation needed):
 * `<uri>; param=value; rel="a next"`, entries separated by commas outside quotes and `<>`.
 */
export function linkNext(value: string | string[] | undefined): string | undefined {
  for (const header of [value ?? []].flat()) {
    let i = 0;
    while (i < header.length) {
      const lt = header.indexOf('<', i);
      if (lt < 0) break;
      const gt = header.indexOf('>', lt);
      if (gt < 0) break;
      const target = header.slice(lt + 1, gt).trim();
      // The parameters up to the next comma outside quotes, split at semicolons outside quotes.
      const params: string[] = [''];
      let quoted = false;
      let j = gt + 1;
      for (; j < header.length; j++) {
        const c = header[j];
        if (quoted && c === '\\') {
          params[params.length - 1] += header[++j] ?? '';
          continue;
        }
        if (c === '"') quoted = !quoted;
        else if (!quoted && c === ',') break;
        else if (!quoted && c === ';') params.push('');
        else params[params.length - 1] += c;
      }
      i = j + 1;
      for (const param of params) {
        const eq = param.indexOf('=');
        if (eq < 0 || param.slice(0, eq).trim().toLowerCase() !== 'rel') continue;
        if (
          param
            .slice(eq + 1)
            .trim()
            .toLowerCase()
            .split(/\s+/)
            .includes('next')
        )
          return target;
        break; // only the first rel counts (RFC 8288 3.3)
      }
    }
  }
  return undefined;
}
