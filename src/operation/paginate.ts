import type { Context } from '../context.js';
import { CancelError, CliError } from '../errors.js';
import { sendPrepared, type PreparedCall } from '../http/call.js';
import { linkNext, nextPageCall, urlOf } from '../http/page.js';
import type { CallOptions, HttpResult } from '../http/types.js';
import type { Operation } from './find.js';

/**
 * Server-driven paging (`connector run --paginate`), as AutoRest's `x-ms-pageable` describes it and
 * the platform's pagination setting follows it: a page is a JSON object whose `itemName` property
 * (default `value`) holds the items and whose `nextLinkName` property (default `nextLink`; `null`:
 * the operation has one page) holds the URL of the next page, absolute or relative to the page's
 * own URL. An RFC 8288 `Link: <…>; rel="next"` header is the fallback (GitHub-style APIs).
 *
 * An operation without the extension is paged the way most such APIs page: `nextLink` or
 * `@odata.nextLink` in the body, else the Link header; its items are `value` or a top-level array.
 */
export interface Paging {
  /** The operation declares x-ms-pageable. */
  declared: boolean;
  /** Body properties that hold the next link, in order of preference ([]: none, `nextLinkName: null`). */
  nextLinkNames: string[];
  itemName: string;
  /** Follow a Link rel="next" header when the body has no next link. */
  linkHeader: boolean;
}

/** The operation's x-ms-pageable, or undefined when it has none. */
export function declaredPaging(op: Operation): Paging | undefined {
  const ext = op.raw['x-ms-pageable'];
  if (ext === undefined || ext === false) return undefined;
  const o = ext && typeof ext === 'object' ? (ext as Record<string, unknown>) : {};
  const next = o.nextLinkName === null ? [] : [typeof o.nextLinkName === 'string' && o.nextLinkName ? o.nextLinkName : 'nextLink'];
  const itemName = typeof o.itemName === 'string' && o.itemName ? o.itemName : 'value';
  return { declared: true, nextLinkNames: next, itemName, linkHeader: next.length > 0 };
}

/** How `--paginate` pages `op`: as declared, else the common conventions. */
export function pagingFor(op: Operation): Paging {
  return declaredPaging(op) ?? { declared: false, nextLinkNames: ['nextLink', '@odata.nextLink'], itemName: 'value', linkHeader: true };
}

/** A property of `o` by name: exactly, else the one key that differs only in case (Almabase declares `nextlink`). */
function property(o: Record<string, unknown>, name: string): unknown {
  if (Object.hasOwn(o, name)) return o[name];
  const lc = name.toLowerCase();
  const keys = Object.keys(o).filter((k) => k.toLowerCase() === lc);
  return keys.length === 1 ? o[keys[0]] : undefined;
}

function parsed(res: HttpResult): { doc: unknown } | undefined {
  if (!res.body.length) return undefined;
  try {
    return { doc: JSON.parse(res.body.toString('utf8')) };
  } catch {
    return undefined;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The next link in `doc` (its nextLinkName property) — undefined when there is none. */
export function bodyNextLink(doc: unknown, paging: Paging): string | undefined {
  if (!isObject(doc)) return undefined;
  for (const name of paging.nextLinkNames) {
    const v = property(doc, name);
    if (typeof v === 'string' && v.trim()) return v.trim();
  }
  return undefined;
}

/** The next link of a response: its body's, else its Link rel="next" header's. */
export function nextLinkOf(res: HttpResult, doc: unknown, paging: Paging): string | undefined {
  return bodyNextLink(doc, paging) ?? (paging.linkHeader ? linkNext(res.headers.link) : undefined);
}

/** The items of one page, or a sentence saying why it has none. */
export function itemsOf(doc: unknown, paging: Paging): unknown[] | string {
  if (Array.isArray(doc)) return doc;
  if (!isObject(doc)) return 'is not a JSON object';
  const v = property(doc, paging.itemName);
  if (Array.isArray(v)) return v;
  return `has no '${paging.itemName}' array${paging.declared ? ' (x-ms-pageable itemName)' : ''}`;
}

/**
 * The line `run` prints without --paginate when a pageable operation's 2xx response names a next
 * page (its body's nextLinkName), else undefined.
 */
export function morePagesHint(op: Operation, res: HttpResult): string | undefined {
  const paging = declaredPaging(op);
  if (!paging || res.status < 200 || res.status > 299) return undefined;
  const doc = parsed(res)?.doc;
  if (bodyNextLink(doc, paging) === undefined) return undefined;
  return `more pages exist: add --paginate (x-ms-pageable ${paging.nextLinkNames[0]})`;
}

export interface Page {
  /** 1 for the first page. */
  n: number;
  res: HttpResult;
  items: unknown[];
}

/** Why the pages ended. */
export type PagesEnd =
  | { kind: 'last'; pages: number }
  | { kind: 'max'; pages: number }
  | { kind: 'loop'; pages: number; url: string }
  /** A page after the first answered non-2xx (the first page's answer is run's own business). */
  | { kind: 'failed'; pages: number; res: HttpResult }
  /** A next link to another origin without --allow-cross-origin, or a page that is not a list. */
  | { kind: 'error'; pages: number; error: CliError };

export interface PagesOptions {
  call: CallOptions;
  paging: Paging;
  maxPages: number;
  allowCrossOrigin: boolean;
  /** Told before each next page is fetched, and when a link leaves the first origin (with --allow-cross-origin). */
  onNext?: (n: number, url: URL, crossOrigin: boolean) => void;
}

/**
 * The pages of a paginated call, the first one (`firstRes`, already received, 2xx) included:
 * each next link is resolved against the URL of the page that gave it and fetched with GET
 * (src/http/page.ts: the connection's credentials only to the first request's origin). Ends,
 * returning why, at the last page, at `maxPages`, at a link already fetched (a loop), at a non-2xx
 * page, or at a link it may not follow. Ctrl-C between pages is a CancelError.
 */
export async function* pages(ctx: Context, first: PreparedCall, firstRes: HttpResult, opts: PagesOptions): AsyncGenerator<Page, PagesEnd> {
  const origin = urlOf(first).origin;
  let url = urlOf(first);
  const seen = new Set([url.href]);
  let res = firstRes;
  for (let n = 1; ; n++) {
    const json = parsed(res);
    const doc = json?.doc;
    const items = json ? itemsOf(doc, opts.paging) : res.body.length ? 'is not JSON' : 'has an empty body';
    if (typeof items === 'string')
      return {
        kind: 'error',
        pages: n - 1,
        error: new CliError(`page ${n} of ${first.op.operationId} ${items}`, { hint: 'Run it without --paginate to see the response as it is.' }),
      };
    yield { n, res, items };
    const link = nextLinkOf(res, doc, opts.paging);
    if (link === undefined) return { kind: 'last', pages: n };
    let next: URL;
    try {
      next = new URL(link, url);
    } catch {
      return { kind: 'error', pages: n, error: new CliError(`the next link of page ${n} is not a URL: ${first.redactor.text(link)}`) };
    }
    if (next.protocol !== 'https:' && next.protocol !== 'http:')
      return { kind: 'error', pages: n, error: new CliError(`the next link of page ${n} is not an http(s) URL: ${first.redactor.url(next.href)}`) };
    next.hash = '';
    if (n >= opts.maxPages) return { kind: 'max', pages: n };
    if (seen.has(next.href)) return { kind: 'loop', pages: n, url: first.redactor.url(next.href) };
    seen.add(next.href);
    const crossOrigin = next.origin !== origin;
    if (crossOrigin && !opts.allowCrossOrigin)
      return {
        kind: 'error',
        pages: n,
        error: new CliError(`refusing to follow the next link of page ${n} to another origin, ${next.origin}`, {
          hint: `The connection's credentials go only to ${origin}. Pass --allow-cross-origin to fetch it without them.`,
        }),
      };
    if (ctx.signal.aborted) throw new CancelError();
    opts.onNext?.(n + 1, next, crossOrigin);
    const call = nextPageCall(first, next, crossOrigin);
    res = await ctx.progress.spin(`Waiting for page ${n + 1} of ${first.op.operationId}`, () => sendPrepared(ctx, call, opts.call));
    url = next;
    if (res.status < 200 || res.status > 299) return { kind: 'failed', pages: n, res };
  }
}
