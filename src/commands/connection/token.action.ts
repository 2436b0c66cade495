import type { Context } from '../../context.js';
import { printJson } from '../../io/output.js';
import { parseAddress, resolveConnection } from '../../connections/store.js';
import { envAccessToken, freshAccessToken, requireOAuth } from '../../auth/oauth2/tokens.js';

/**
 * `connector connection token <connector>/<name>`: a fresh access token on stdout,
 * renewed first when it is about to expire. The one command that prints a secret.
 */
export default async function token(ctx: Context, address: string): Promise<number> {
  const { connector, name } = parseAddress(address);
  const conn = await resolveConnection(ctx, connector, name);
  if (!envAccessToken(ctx, conn.record)) requireOAuth(conn.record);
  const { token: access, fromEnv } = await freshAccessToken(ctx, conn);
  if (ctx.json) {
    const expiresAt = fromEnv ? undefined : (await resolveConnection(ctx, connector, name)).record.oauth?.token?.expiresAt;
    printJson(ctx.io, {
      access_token: access,
      token_type: 'Bearer',
      ...(expiresAt ? { expires_at: expiresAt } : {}),
      source: fromEnv ? 'env' : conn.record.secretStore,
    });
  } else ctx.io.out(access);
  return 0;
}
