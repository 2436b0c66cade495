import { sanitizeLine, sanitizeText } from '../io/sanitize.js';
import { encodeQuery } from './headers.js';

/** Headers that are always secret, whatever the auth scheme. */
export const ALWAYS_SECRET_HEADERS = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'set-cookie2',
  'x-api-key',
  'api-key',
  'ocp-apim-subscription-key',
]);
/**
 * Response headers that carry a credential by their name (X-Auth-Token, X-Session-Id,
 * X-Amz-Security-Token, X-Ms-Token-Aad-Access-Token, …). WWW-Authenticate is a
 * challenge, not a secret, and stays readable.
 */
const SECRET_NAME = /(^|-)(auth|authorization|token|tokens|secret|password|passwd|session|credential|credentials|api-?key|apikey|cookie)($|-)/i;
/** Response headers whose value is a URL that may carry a query credential back (a redirect to ?api_key=…). */
const URL_HEADERS = new Set(['location', 'content-location', 'link', 'refresh']);

export const MASK = '***';
const MIN_SUBSTRING = 4;

/**
 * Masks credentials in anything printed: headers by name (Authorization, cookies,
 * the API-key header), query values by name (the API-key parameter), and any
 * occurrence of a known secret value, raw, percent-encoded, JSON-escaped or base64.
 *
 * The set of secrets is live: the request's `secretValues` set is read, not copied, so
 * a token renewed after a 401 (markSecret on the retried request) or registered with
 * `add` is masked from then on. Nothing here throws: a malformed URL or escape is
 * masked as text.
 */
export class Redactor {
  private readonly source: Set<string>;
  private seen = -1;
  private values: string[] = [];
  private readonly exact = new Set<string>();

  constructor(
    values: Iterable<string>,
    private readonly secretHeaders: Set<string> = new Set(),
    private readonly secretQuery: Set<string> = new Set(),
  ) {
    this.source = values instanceof Set ? values : new Set(values);
  }

  /** Register secrets learned after the redactor was made (a renewed token, a rotated refresh token). */
  add(...values: (string | undefined)[]): void {
    for (const v of values) if (v) this.source.add(v);
  }

  private list(): string[] {
    if (this.seen === this.source.size) return this.values;
    const all = new Set<string>();
    this.exact.clear();
    for (const v of this.source) {
      // Shorter values are masked only where they are a whole header/query value:
      // replacing every "ab" in a trace would make it unreadable and reveal the secret anyway.
      if (!v || v.length < MIN_SUBSTRING) {
        if (v) this.exact.add(v);
        continue;
      }
      all.add(v);
      all.add(encodeQuery(v));
      all.add(encodeURIComponent(v));
      all.add(encodeURIComponent(v).replace(/%20/g, '+'));
      all.add(JSON.stringify(v).slice(1, -1));
      all.add(Buffer.from(v, 'utf8').toString('base64'));
      all.add(Buffer.from(v, 'utf8').toString('base64url'));
    }
    // Longest first, so a secret containing another is masked whole.
    this.values = [...all].filter((s) => s.length >= MIN_SUBSTRING).sort((a, b) => b.length - a.length);
    this.seen = this.source.size;
    return this.values;
  }

  /** Known secret values masked; nothing else changed (for bodies and data). */
  mask(s: string): string {
    const values = this.list();
    if (this.exact.has(s)) return MASK;
    let out = s;
    for (const v of values) if (out.includes(v)) out = out.split(v).join(MASK);
    return out;
  }

  /** Text for a person: secrets masked, control characters escaped (newlines and tabs kept). */
  text(s: string): string {
    return sanitizeText(this.mask(s));
  }

  isSecretHeader(name: string): boolean {
    const lc = name.toLowerCase();
    return ALWAYS_SECRET_HEADERS.has(lc) || this.secretHeaders.has(lc);
  }

  /** One request header's value as printed. */
  headerValue(name: string, value: string): string {
    if (!this.isSecretHeader(name)) return sanitizeLine(this.mask(value));
    // Keep the scheme word of Authorization ("Basic ***") — it helps debugging and is not secret.
    const m = /^(Basic|Bearer|NTLM|Negotiate|Digest)\s+/i.exec(value);
    return m ? `${m[1]} ${MASK}` : MASK;
  }

  headers(h: Record<string, string | string[] | undefined>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(h)) {
      if (v === undefined) continue;
      out[k] = this.headerValue(k, Array.isArray(v) ? v.join(', ') : v);
    }
    return out;
  }

  /**
   * Response headers as printed (-i, --json, --verbose): cookies and credential-named
   * headers masked, URLs in Location & co. with their secret query values masked, every
   * known secret masked. `show` (--show-secrets) prints them as received, only escaped.
   */
  responseHeaders(h: Record<string, string | string[] | undefined>, show = false): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const [k, v] of Object.entries(h)) {
      if (v === undefined) continue;
      const lc = k.toLowerCase();
      out[k] = (Array.isArray(v) ? v : [v]).map((one) => {
        if (show) return sanitizeLine(one);
        // A challenge, and CORS headers (they name headers and flags: Access-Control-Allow-Credentials), are no secret by their name.
        if (lc === 'www-authenticate' || lc === 'proxy-authenticate' || lc.startsWith('access-control-')) return sanitizeLine(this.mask(one));
        if (this.isSecretHeader(lc) || SECRET_NAME.test(lc)) return this.headerValue('authorization', one);
        return URL_HEADERS.has(lc) ? this.url(one) : sanitizeLine(this.mask(one));
      });
    }
    return out;
  }

  /** A URL as printed: secret query parameters (by name, or by a short whole value) and known secrets masked. */
  url(u: string): string {
    const q = u.indexOf('?');
    if (q < 0) return sanitizeLine(this.mask(u));
    this.list();
    const [query, hash] = splitHash(u.slice(q + 1));
    const pairs = query.split('&').map((pair) => {
      const eq = pair.indexOf('=');
      const k = eq < 0 ? pair : pair.slice(0, eq);
      const v = eq < 0 ? '' : pair.slice(eq + 1);
      return eq >= 0 && (this.secretQuery.has(safeDecode(k)) || this.exact.has(safeDecode(v))) ? `${k}=${MASK}` : pair;
    });
    return sanitizeLine(this.mask(`${u.slice(0, q)}?${pairs.join('&')}${hash}`));
  }

  /** A parsed JSON document with every string (keys too) masked, for --json output. */
  json(v: unknown, depth = 0): unknown {
    if (typeof v === 'string') return this.mask(v);
    // Deeper than any real response; a pathological document is masked as text instead of recursing on.
    if (depth > 200 && v && typeof v === 'object') return this.mask(JSON.stringify(v));
    if (Array.isArray(v)) return v.map((x) => this.json(x, depth + 1));
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [this.mask(k), this.json(x, depth + 1)]));
    return v;
  }
}

function splitHash(s: string): [string, string] {
  const h = s.indexOf('#');
  return h < 0 ? [s, ''] : [s.slice(0, h), s.slice(h)];
}

/** decodeURIComponent that never throws: `x%=1` (a lone '%') stays as written. */
function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}
