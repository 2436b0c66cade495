import type { Context } from '../../context.js';
import { printJson } from '../../io/output.js';
import { resolveAddress } from '../../connections/store.js';
import { accessToken } from '../../auth/oauth2/index.js';

/**
 * `connector connection token <connector>/<name>`: a fresh access token on stdout,
 * renewed first when it is about to expire. The one command that prints a secret.
 */
export default async function token(ctx: Context, address: string): Promise<number> {
  const { connector, name } = await resolveAddress(ctx, address, { short: true });
  const t = await accessToken(ctx, connector, name);
  if (ctx.json) {
    const expiresAt = await t.expiresAt();
    printJson(ctx.io, {
      access_token: t.token,
      token_type: 'Bearer',
      ...(expiresAt ? { expires_at: expiresAt } : {}),
      source: t.source,
    });
  } else ctx.io.out(t.token);
  return 0;
}
