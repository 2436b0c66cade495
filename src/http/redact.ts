import { encodeQuery } from './headers.js';

/** Headers that are always secret, whatever the auth scheme. */
export const ALWAYS_SECRET_HEADERS = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'api-key',
  'ocp-apim-subscription-key',
]);
export const MASK = '***';
const MIN_SUBSTRING = 4;

/**
 * Masks credentials in anything printed: headers by name (Authorization, cookies,
 * the API-key header), query values by name (the API-key parameter), and any
 * occurrence of a stored secret value, raw or percent-encoded.
 */
export class Redactor {
  private readonly values: string[];
  private readonly exact = new Set<string>();
  constructor(
    values: Iterable<string>,
    private readonly secretHeaders: Set<string> = new Set(),
    private readonly secretQuery: Set<string> = new Set(),
  ) {
    const all = new Set<string>();
    for (const v of values) {
      // Shorter values are masked only where they are a whole header/query value:
      // replacing every "ab" in a trace would make it unreadable and reveal the secret anyway.
      if (!v || v.length < MIN_SUBSTRING) {
        if (v) this.exact.add(v);
        continue;
      }
      all.add(v);
      all.add(encodeQuery(v));
      all.add(encodeURIComponent(v));
    }
    // Longest first, so a secret containing another is masked whole.
    this.values = [...all].sort((a, b) => b.length - a.length);
  }

  text(s: string): string {
    if (this.exact.has(s)) return MASK;
    let out = s;
    for (const v of this.values) if (out.includes(v)) out = out.split(v).join(MASK);
    return out;
  }

  isSecretHeader(name: string): boolean {
    const lc = name.toLowerCase();
    return ALWAYS_SECRET_HEADERS.has(lc) || this.secretHeaders.has(lc);
  }

  headerValue(name: string, value: string): string {
    if (!this.isSecretHeader(name)) return this.text(value);
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

  url(u: string): string {
    let parsed: URL;
    try {
      parsed = new URL(u);
    } catch {
      return this.text(u);
    }
    const q = u.indexOf('?');
    if (q < 0) return this.text(u);
    const pairs = u
      .slice(q + 1)
      .split('&')
      .map((pair) => {
        const [k] = pair.split('=');
        const v = pair.slice(k.length + 1);
        return this.secretQuery.has(decodeURIComponent(k)) || this.exact.has(safeDecode(v)) ? `${k}=${MASK}` : pair;
      });
    void parsed;
    return this.text(`${u.slice(0, q)}?${pairs.join('&')}`);
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}
