import type { PreparedRequest } from './types.js';
import { requestUrl, getHeader } from './headers.js';
import type { Redactor } from './redact.js';

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The request as an equivalent curl command, secrets masked. */
export function toCurl(req: PreparedRequest, redactor: Redactor): string {
  const parts = [`curl${req.method !== 'GET' || req.body ? ` -X ${req.method}` : ''} ${q(redactor.url(requestUrl(req)))}`];
  for (const [k, v] of Object.entries(req.headers)) {
    if (k.toLowerCase() === 'content-length') continue;
    parts.push(`-H ${q(`${k}: ${redactor.headerValue(k, v)}`)}`);
  }
  if (req.body?.length) {
    const ct = getHeader(req.headers, 'content-type') ?? '';
    const text = req.body.toString('utf8');
    const printable = !/multipart\//i.test(ct) && Buffer.from(text, 'utf8').equals(req.body) && !/[\x00-\x08\x0e-\x1f]/.test(text);
    if (printable) parts.push(`--data-raw ${q(redactor.text(text))}`);
    else parts.push(`--data-binary @-  # ${req.body.length} bytes of ${ct || 'binary data'}`);
  }
  return parts.join(' \\\n  ');
}
