import type { PreparedRequest } from './types.js';
import { requestUrl, getHeader } from './headers.js';
import type { Redactor } from './redact.js';
import { hasControls, sanitizeLine } from '../io/sanitize.js';

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The request as an equivalent curl command, secrets masked, control characters escaped (the redactor's URL and header forms). */
export function toCurl(req: PreparedRequest, redactor: Redactor): string {
  const parts = [`curl${req.method !== 'GET' || req.body ? ` -X ${req.method}` : ''} ${q(redactor.url(requestUrl(req)))}`];
  for (const [k, v] of Object.entries(req.headers)) {
    if (k.toLowerCase() === 'content-length') continue;
    parts.push(`-H ${q(`${sanitizeLine(k)}: ${redactor.headerValue(k, v)}`)}`);
  }
  if (req.body?.length) {
    const ct = getHeader(req.headers, 'content-type') ?? '';
    const text = req.body.toString('utf8');
    // A body with control characters (other than newlines and tabs) would act on the terminal: summarised instead.
    const printable = !/multipart\//i.test(ct) && Buffer.from(text, 'utf8').equals(req.body) && !hasControls(text);
    if (printable) parts.push(`--data-raw ${q(redactor.mask(text))}`);
    else parts.push(`--data-binary @-  # ${req.body.length} bytes of ${sanitizeLine(ct) || 'binary data'}`);
  }
  return parts.join(' \\\n  ');
}
