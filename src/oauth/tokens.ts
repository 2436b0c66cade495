import { AuthError } from '../errors.js';
import { withLock } from '../fs/lock.js';
import type { TokenResponse } from './token.js';

/** What is stored per connection (in the keychain or vault; a file only in tests). */
export interface TokenSet {
  access_token: string;
  token_type: string;
  refresh_token?: string;
  /** Unix seconds; absent when the server gave no expires_in (then only a 401 triggers a refresh). */
  expires_at?: number;
  /** Unix seconds when it was obtained (sets stored before this field existed lack it). */
  issued_at?: number;
  scope?: string;
}

/** Where a connection's token set lives. `save` must replace the whole set atomically. */
export interface TokenStorage {
  load(): Promise<TokenSet | undefined>;
  save(t: TokenSet): Promise<void>;
}

/** A token response as a storable set. A refresh response without refresh_token/scope keeps the previous ones. */
export function toTokenSet(r: TokenResponse, prev?: TokenSet, nowMs = Date.now()): TokenSet {
  const t: TokenSet = { access_token: r.access_token, token_type: r.token_type };
  const refresh = r.refresh_token ?? prev?.refresh_token;
  if (refresh) t.refresh_token = refresh;
  if (r.expires_in !== undefined) {
    t.issued_at = Math.floor(nowMs / 1000);
    t.expires_at = t.issued_at + Math.floor(r.expires_in);
  }
  const scope = r.scope ?? prev?.scope;
  if (scope !== undefined) t.scope = scope;
  return t;
}

export const DEFAULT_SKEW_MS = 60_000;

/**
 * Usable for at least the renewal margin more: `skewMs`, but never more than a tenth of the
 * token's lifetime, so a token shorter-lived than the margin is renewed once per expiry, not on
 * every request (a 5 s token gets a 0.5 s margin).
 */
export function isFresh(t: TokenSet, nowMs = Date.now(), skewMs = DEFAULT_SKEW_MS): boolean {
  if (t.expires_at === undefined) return true;
  const life = t.issued_at !== undefined ? (t.expires_at - t.issued_at) * 1000 : undefined;
  const margin = life !== undefined && life > 0 ? Math.min(skewMs, life / 10) : skewMs;
  return t.expires_at * 1000 - margin > nowMs;
}

export interface FreshTokenOptions {
  storage: TokenStorage;
  /** Per-connection lock file (one per K/C) shared by every connector process. */
  lockPath: string;
  /** Get a new token response: a refresh_token grant, or client credentials again. */
  renew: (current: TokenSet | undefined) => Promise<TokenResponse>;
  /** The access token the API just refused with 401: refresh even if it looks fresh. */
  rejected?: string;
  skewMs?: number;
  now?: () => number;
  lockTimeoutMs?: number;
  /** Ends a wait for the lock with CancelError (the context's Ctrl-C). */
  signal?: AbortSignal;
}

/**
 * A usable token set: the stored one while it is fresh, else renewed under a
 * cross-process lock. The stored set is re-read after taking the lock, so N
 * processes racing on the same connection make exactly one renewal and all
 * use its result.
 */
export async function getFreshToken(o: FreshTokenOptions): Promise<TokenSet> {
  const now = o.now ?? Date.now;
  const skew = o.skewMs ?? DEFAULT_SKEW_MS;
  const usable = (t: TokenSet | undefined): t is TokenSet => !!t && isFresh(t, now(), skew) && t.access_token !== o.rejected;
  const first = await o.storage.load();
  if (usable(first)) return first;
  return withLock(
    o.lockPath,
    async () => {
      const current = await o.storage.load();
      if (usable(current)) return current; // another process renewed it while we waited
      const next = toTokenSet(await o.renew(current), current, now());
      await o.storage.save(next);
      return next;
    },
    { timeoutMs: o.lockTimeoutMs ?? 60_000, signal: o.signal },
  );
}

/** `renew` for a refresh_token grant: refuses (exit 4, with the login hint) when no refresh token is stored. */
export function refreshRenewer(refresh: (refreshToken: string) => Promise<TokenResponse>, connection?: string): FreshTokenOptions['renew'] {
  return async (current) => {
    if (!current?.refresh_token) {
      throw new AuthError(
        current ? 'the access token expired and the provider gave no refresh token' : 'this connection has not signed in yet',
        connection ? `run: connector connection login ${connection}` : 'Sign in again.',
      );
    }
    return refresh(current.refresh_token);
  };
}

/**
 * Call `send` with a fresh access token; on 401, renew once (unless another
 * process already did) and retry once. Any other status is returned as is.
 */
export async function withFreshToken<R extends { status: number }>(o: Omit<FreshTokenOptions, 'rejected'>, send: (t: TokenSet) => Promise<R>): Promise<R> {
  const t = await getFreshToken(o);
  const first = await send(t);
  if (first.status !== 401) return first;
  const again = await getFreshToken({ ...o, rejected: t.access_token });
  return send(again);
}
