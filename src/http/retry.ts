import type { RawResponse } from './types.js';

export interface RetryOptions {
  retries: number;
  /** First backoff step (doubles each attempt, with jitter). */
  baseDelayMs?: number;
  /** The clock's sleep (rejects with CancelError on Ctrl-C). */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  onRetry?: (info: { attempt: number; reason: string; delayMs: number }) => void;
}

export const RETRY_STATUS = new Set([408, 429, 502, 503, 504]);
const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE']);
const RETRY_ERRORS = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET']);
export const RETRY_AFTER_CAP_MS = 30_000;

/**
 * Send with retries: GET/HEAD/PUT/DELETE on 408/429/502/503/504 and connection
 * resets, exponential backoff with jitter, Retry-After honoured (capped at 30 s).
 */
export async function withRetries(send: () => Promise<RawResponse>, method: string, opts: RetryOptions): Promise<RawResponse> {
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const random = opts.random ?? Math.random;
  const base = opts.baseDelayMs ?? 500;
  const retryable = IDEMPOTENT.has(method.toUpperCase());
  for (let attempt = 0; ; attempt++) {
    const backoff = () => Math.round(base * 2 ** attempt * (0.5 + random() / 2));
    let res: RawResponse;
    try {
      res = await send();
    } catch (e) {
      const code = (e as { code?: string }).code ?? (e as { cause?: { code?: string } }).cause?.code;
      if (!retryable || attempt >= opts.retries || !code || !RETRY_ERRORS.has(code)) throw e;
      const delayMs = backoff();
      opts.onRetry?.({ attempt: attempt + 1, reason: code, delayMs });
      await sleep(delayMs);
      continue;
    }
    if (!retryable || attempt >= opts.retries || !RETRY_STATUS.has(res.status)) return res;
    const delayMs = retryAfterMs(res.headers['retry-after']) ?? backoff();
    opts.onRetry?.({ attempt: attempt + 1, reason: `HTTP ${res.status}`, delayMs });
    await sleep(delayMs);
  }
}

/** Retry-After as delay-seconds or an HTTP date, capped at 30 s. */
export function retryAfterMs(h: string | string[] | undefined, now = Date.now()): number | undefined {
  const v = Array.isArray(h) ? h[0] : h;
  if (!v) return undefined;
  let ms: number;
  if (/^\s*\d+(\.\d+)?\s*$/.test(v)) ms = Number(v) * 1000;
  else {
    const t = Date.parse(v);
    if (Number.isNaN(t)) return undefined;
    ms = Math.max(0, t - now);
  }
  return Math.min(ms, RETRY_AFTER_CAP_MS);
}
