import type { Context } from '../../context.js';
import type { ResolvedConnection } from '../../connections/types.js';
import { setHeader } from '../../http/headers.js';
import { markSecret, type AuthScheme } from '../plugin.js';
import { envAccessToken, freshAccessToken } from './tokens.js';

/**
 * OAuth 2.0 bearer auth for a stored connection: a fresh access token (renewed
 * before expiry under the per-connection lock, rotated refresh tokens saved),
 * and after a 401 one forced renewal, then the client retries once. A token in
 * CONNECTOR_<K>__<C>__ACCESS_TOKEN is used as is and never renewed.
 */
export function oauth2Scheme(conn: ResolvedConnection, ctx: Context): AuthScheme {
  // A connection made before OAuth sign-in existed, holding a bare token parameter.
  const legacy = ['access_token', 'accessToken', 'token'].find((n) => conn.values[n]);
  if (!conn.record.oauth && legacy && !envAccessToken(ctx, conn.record)) {
    return {
      kind: 'oauth2',
      async authorize(req) {
        setHeader(req.headers, 'Authorization', `Bearer ${conn.values[legacy]}`);
        markSecret(req, { header: 'authorization' }, conn.values[legacy]);
      },
    };
  }
  let current: { token: string; fromEnv: boolean } | undefined;
  return {
    kind: 'oauth2',
    async authorize(req) {
      current ??= await freshAccessToken(ctx, conn);
      setHeader(req.headers, 'Authorization', `Bearer ${current.token}`);
      markSecret(req, { header: 'authorization' }, current.token);
    },
    async onUnauthorized() {
      if (!current || current.fromEnv) return false;
      current = await freshAccessToken(ctx, conn, current.token);
      return true;
    },
  };
}
