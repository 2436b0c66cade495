import { describe, expect, it } from 'vitest';
import type { PreparedCall } from '../../src/http/call.js';
import { requestUrl } from '../../src/http/headers.js';
import { linkNext, nextPageCall } from '../../src/http/page.js';
import { Redactor } from '../../src/http/redact.js';
import type { PreparedRequest } from '../../src/http/types.js';
import type { Operation } from '../../src/operation/find.js';
import { bodyNextLink, declaredPaging, itemsOf, pagingFor } from '../../src/operation/paginate.js';

const op = (raw: Record<string, unknown> = {}) => ({ operationId: 'List', raw }) as unknown as Operation;

describe('x-ms-pageable', () => {
  it('defaults: nextLink and value; nextLinkName null is one page; undeclared follows the common names', () => {
    expect(declaredPaging(op({ 'x-ms-pageable': {} }))).toEqual({ declared: true, nextLinkNames: ['nextLink'], itemName: 'value', linkHeader: true });
    expect(declaredPaging(op({ 'x-ms-pageable': { nextLinkName: '@odata.nextLink', itemName: 'records' } }))).toMatchObject({
      nextLinkNames: ['@odata.nextLink'],
      itemName: 'records',
    });
    expect(declaredPaging(op({ 'x-ms-pageable': { nextLinkName: null } }))).toMatchObject({ nextLinkNames: [], linkHeader: false });
    expect(declaredPaging(op())).toBeUndefined();
    expect(pagingFor(op())).toMatchObject({ declared: false, nextLinkNames: ['nextLink', '@odata.nextLink'] });
  });

  it('a property name is matched exactly, else by the one key that differs only in case', () => {
    const p = pagingFor(op({ 'x-ms-pageable': { nextLinkName: 'nextlink' } })); // Almabase declares nextlink, its policy says nextLink
    expect(bodyNextLink({ nextLink: '/p2' }, p)).toBe('/p2');
    expect(bodyNextLink({ nextlink: '/a', nextLink: '/b' }, p)).toBe('/a');
    expect(bodyNextLink({ NextLink: '/a', NEXTLINK: '/b' }, p)).toBeUndefined(); // two candidates: neither
    expect(bodyNextLink({ nextlink: '   ' }, p)).toBeUndefined();
    expect(bodyNextLink([1], p)).toBeUndefined();
  });

  it('items: the itemName array, a top-level array, or why there are none', () => {
    const p = pagingFor(op({ 'x-ms-pageable': { itemName: 'rows' } }));
    expect(itemsOf({ rows: [1, 2] }, p)).toEqual([1, 2]);
    expect(itemsOf([3], p)).toEqual([3]);
    expect(itemsOf({ value: [1] }, p)).toBe("has no 'rows' array (x-ms-pageable itemName)");
    expect(itemsOf('text', p)).toBe('is not a JSON object');
  });
});

describe('Link rel="next" (RFC 8288)', () => {
  it('finds next among other relations, quoted or not, in one header or several', () => {
    expect(linkNext('<https://a.test/p?page=2>; rel="next", <https://a.test/p?page=9>; rel="last"')).toBe('https://a.test/p?page=2');
    expect(linkNext('<https://a.test/p?page=9>; rel=last, <https://a.test/p?page=3>; rel=next')).toBe('https://a.test/p?page=3');
    expect(linkNext('</x>; title="a, b; rel=next"; rel="prev", </y>; type="a"; rel="prefetch next"')).toBe('/y');
    expect(linkNext(['</a>; rel="prev"', '</b>; REL="Next"'])).toBe('/b');
    expect(linkNext('</a,b>; rel="next"')).toBe('/a,b');
    expect(linkNext('</a>; rel="prev"')).toBeUndefined();
    expect(linkNext(undefined)).toBeUndefined();
    expect(linkNext('garbage, <unterminated')).toBeUndefined();
  });
});

function firstCall(): PreparedCall {
  const req: PreparedRequest = {
    operationId: 'List',
    method: 'POST',
    base: 'https://api.test/v1',
    path: '/items',
    pathValues: {},
    query: [
      ['top', '5'],
      ['code', 'sekrit-key'],
    ],
    headers: {
      Authorization: 'Bearer tok-123456',
      'X-Policy': 'from-a-policy',
      'Content-Type': 'application/json',
      Accept: 'application/json',
      'User-Agent': 'ua',
    },
    body: Buffer.from('{}'),
    secretHeaders: new Set(['authorization']),
    secretQuery: new Set(['code']),
    secretValues: new Set(['tok-123456', 'sekrit-key']),
    carriesCredentials: true,
  };
  const scheme = {
    kind: 'oauth2' as const,
    async authorize() {},
    async onUnauthorized() {
      return false;
    },
  };
  return { op: op(), req, scheme, redactor: new Redactor(req.secretValues, req.secretHeaders, req.secretQuery) };
}

describe('the next page request', () => {
  it('same origin: a GET with the credentials, policy and -H headers, the link byte for byte plus a missing query credential', () => {
    const first = firstCall();
    const next = nextPageCall(first, new URL('https://api.test/v1/items?$skiptoken=a%2Bb+c'), false);
    expect(next.req.method).toBe('GET');
    expect(next.req.body).toBeUndefined();
    expect(next.req.headers).toEqual({ Authorization: 'Bearer tok-123456', 'X-Policy': 'from-a-policy', Accept: 'application/json', 'User-Agent': 'ua' });
    expect(requestUrl(next.req)).toBe('https://api.test/v1/items?$skiptoken=a%2Bb+c&code=sekrit-key');
    expect(next.scheme).toBe(first.scheme);
    expect(next.req.secretValues).toBe(first.req.secretValues); // a renewed token is masked on every page
    expect(next.req.carriesCredentials).toBe(true);
    // The link already has the credential parameter: not added twice.
    expect(requestUrl(nextPageCall(first, new URL('https://api.test/v1/items?code=other'), false).req)).toBe('https://api.test/v1/items?code=other');
    expect(requestUrl(nextPageCall(first, new URL('https://api.test/v1/items'), false).req)).toBe('https://api.test/v1/items?code=sekrit-key');
  });

  it('another origin: only Accept*/User-Agent, no auth scheme, the query without the credential parameter or a secret value', () => {
    const first = firstCall();
    const next = nextPageCall(first, new URL('https://cdn.test/items?page=2&code=sekrit-key&x=sekrit-key&keep=1'), true);
    expect(next.req.headers).toEqual({ Accept: 'application/json', 'User-Agent': 'ua' });
    expect(requestUrl(next.req)).toBe('https://cdn.test/items?page=2&keep=1');
    expect(next.scheme.kind).toBe('none');
    expect(next.scheme.onUnauthorized).toBeUndefined();
    expect(next.req.carriesCredentials).toBe(false);
  });
});
