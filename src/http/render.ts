import type { HttpResult } from './types.js';
import { load } from '../util/load.js';
import { sanitizeLine, sanitizeText } from '../io/sanitize.js';

function contentType(res: { headers: HttpResult['headers'] }): string {
  const ct = res.headers['content-type'];
  return ((Array.isArray(ct) ? ct[0] : ct) ?? '').toLowerCase();
}

/** Binary: a non-text content type, or bytes that are not valid UTF-8 / contain NULs. */
export function isBinary(res: Pick<HttpResult, 'headers' | 'body'>): boolean {
  const ct = contentType(res);
  if (/json|xml|text\/|javascript|x-www-form-urlencoded|yaml|csv|html/.test(ct)) return false;
  if (/^(image|audio|video|font)\/|octet-stream|pdf|zip|msword|officedocument/.test(ct)) return true;
  const sample = res.body.subarray(0, 4096);
  if (sample.includes(0)) return true;
  return !Buffer.from(sample.toString('utf8'), 'utf8').equals(sample) && sample.length < 4096;
}

/** The body as text for a mode: pretty (terminal, colour optional; control characters escaped), json, yaml or raw (as received). */
export async function renderBody(res: HttpResult, mode: 'pretty' | 'json' | 'raw' | 'yaml', color: boolean): Promise<string | Buffer> {
  if (mode === 'raw') return res.body;
  const text = res.body.toString('utf8');
  let parsed: unknown;
  let isJson = true;
  try {
    parsed = JSON.parse(text);
  } catch {
    isJson = false;
  }
  if (mode === 'pretty') {
    if (isJson) return colorJson(parsed, color) + '\n';
    const safe = sanitizeText(text);
    return safe.endsWith('\n') ? safe : safe + '\n';
  }
  if (mode === 'json') {
    if (!isJson) {
      const { CliError } = await import('../errors.js');
      throw new CliError(`the response is not JSON (${contentType(res) || 'no content type'})`, { hint: 'Use --output raw.' });
    }
    return JSON.stringify(parsed, null, 2) + '\n';
  }
  const YAML = load<typeof import('yaml')>('yaml');
  return YAML.stringify(isJson ? parsed : text);
}

/**
 * Pretty JSON with jq-like colours when `color` is on. JSON.stringify escapes C0 controls;
 * DEL, C1 and bidi controls (which it leaves) are escaped too, this being for a terminal.
 */
export function colorJson(v: unknown, color: boolean, indent = ''): string {
  const c = (code: string, s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  if (v === null) return c('90', 'null');
  if (typeof v === 'string') return c('32', sanitizeLine(JSON.stringify(v)));
  if (typeof v === 'number' || typeof v === 'boolean') return c('33', String(v));
  const next = indent + '  ';
  if (Array.isArray(v)) {
    if (!v.length) return '[]';
    return `[\n${v.map((x) => next + colorJson(x, color, next)).join(',\n')}\n${indent}]`;
  }
  const entries = Object.entries(v as Record<string, unknown>);
  if (!entries.length) return '{}';
  return `{\n${entries.map(([k, x]) => `${next}${c('34;1', sanitizeLine(JSON.stringify(k)))}: ${colorJson(x, color, next)}`).join(',\n')}\n${indent}}`;
}
