import type { Context } from '../../context.js';
import { printJson } from '../../io/output.js';
import { resolveAddress } from '../../connections/store.js';
import { logout as signOut } from '../../auth/oauth2/index.js';

/**
 * `connector connection logout <connector>/<name>`: revoke the refresh token (else the
 * access token) where the provider has a revocation endpoint, then delete the stored
 * tokens. The client secret stays, so `connection login` works again.
 */
export default async function logout(ctx: Context, address: string): Promise<number> {
  const { connector, name } = await resolveAddress(ctx, address, { short: true });
  const result = await signOut(ctx, connector, name);
  if (ctx.json) {
    printJson(ctx.io, { connection: `${connector}/${name}`, revoked: result.revoked, deleted: result.deleted });
    return 0;
  }
  if (!result.hadTokens) ctx.io.err(`${connector}/${name} was not signed in; nothing to revoke.`);
  else if (result.revoked) ctx.io.err(`Signed out of ${connector}/${name}: tokens revoked at the provider and deleted.`);
  else if (!result.revocable) {
    ctx.io.err(
      `Signed out of ${connector}/${name}: tokens deleted. The provider has no revocation endpoint, so the access token stays valid until it expires.`,
    );
  } else ctx.io.err(`Signed out of ${connector}/${name}: tokens deleted (not revoked).`);
  return 0;
}
