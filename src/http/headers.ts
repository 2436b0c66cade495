/** Case-insensitive helpers over a plain header record (keeps the caller's spelling). */
export function findHeader(headers: Record<string, string>, name: string): string | undefined {
  const lc = name.toLowerCase();
  return Object.keys(headers).find((k) => k.toLowerCase() === lc);
}

export function getHeader(headers: Record<string, string>, name: string): string | undefined {
  const k = findHeader(headers, name);
  return k === undefined ? undefined : headers[k];
}

export function setHeader(headers: Record<string, string>, name: string, value: string): void {
  const k = findHeader(headers, name);
  if (k !== undefined) delete headers[k];
  headers[name] = value;
}

export function deleteHeader(headers: Record<string, string>, name: string): void {
  const k = findHeader(headers, name);
  if (k !== undefined) delete headers[k];
}

/** The request URL from its parts (query values percent-encoded, RFC 3986). */
export function requestUrl(req: { base: string; path: string; query: [string, string][] }): string {
  const base = req.base.replace(/\/+$/, '');
  const path = req.path.startsWith('/') ? req.path : `/${req.path}`;
  const qs = req.query.map(([k, v]) => `${encodeQuery(k)}=${encodeQuery(v)}`).join('&');
  // A path may carry a query of its own (a next-page link, kept as given: src/http/page.ts).
  return `${base}${path}${qs ? `${path.includes('?') ? '&' : '?'}${qs}` : ''}`;
}

export function encodeQuery(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
