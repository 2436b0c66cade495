import type { Context } from '../../context.js';
import { printJson } from '../../io/output.js';
import { deriveConnectionModel } from '../../spec/connection-model.js';
import { getConnection, parseAddress, resolveRecord, updateConnections } from '../../connections/store.js';
import { clientOf, requireOAuth, tokenLockPath, TOKENS } from '../../connections/oauth.js';
import { secretAccount } from '../../secrets/store.js';
import { parseTokenSet } from '../../secrets/tokens.js';

/**
 * `connector connection logout <connector>/<name>`: revoke the refresh token (else the
 * access token) where the provider has a revocation endpoint, then delete the stored
 * tokens. The client secret stays, so `connection login` works again.
 */
export default async function logout(ctx: Context, address: string): Promise<number> {
  const { connector, name } = parseAddress(address);
  const record = await (await ctx.registry()).get(connector);
  const conn = await getConnection(ctx, connector, name);
  const info = requireOAuth(conn);
  const { storeFor } = await import('../../secrets/open.js');
  const store = await storeFor(ctx, conn.secretStore);
  const account = secretAccount(connector, name, TOKENS);
  const option = deriveConnectionModel(record).options.find((o) => o.id === conn.authOption);
  const client = await clientOf(info, (await resolveRecord(ctx, { ...conn, secretParams: conn.secretParams.filter((p) => p !== TOKENS) }, option)).values);

  const { withLock } = await import('../../registry/fsutil.js');
  const result = await withLock(
    tokenLockPath(ctx, connector, name),
    async () => {
      const tokens = parseTokenSet(await store.get(account));
      let revoked = false;
      if (tokens && info.provider.revocationUrl) {
        const { revokeToken } = await import('../../oauth/revoke.js');
        const { withMethod } = await import('../../oauth/authorize.js');
        const [token, hint] = tokens.refresh_token ? [tokens.refresh_token, 'refresh_token' as const] : [tokens.access_token, 'access_token' as const];
        try {
          await revokeToken(info.provider.revocationUrl, token, hint, withMethod(client, info.provider), { connection: address });
          revoked = true;
        } catch (e) {
          ctx.warn(`${(e as Error).message}; deleting the local tokens anyway`);
        }
      }
      const deleted = await store.delete(account);
      return { hadTokens: Boolean(tokens), revoked, deleted };
    },
    { timeoutMs: 60_000 },
  );
  await updateConnections(ctx, (list) => {
    const rec = list.find((c) => c.connector === connector && c.name === name);
    if (!rec) return;
    rec.secretParams = rec.secretParams.filter((p) => p !== TOKENS);
    if (rec.oauth) delete rec.oauth.token;
    rec.updatedAt = new Date().toISOString();
  });

  if (ctx.json) {
    printJson(ctx.io, { connection: `${connector}/${name}`, revoked: result.revoked, deleted: result.deleted });
    return 0;
  }
  if (!result.hadTokens) ctx.io.err(`${connector}/${name} was not signed in; nothing to revoke.`);
  else if (result.revoked) ctx.io.err(`Signed out of ${connector}/${name}: tokens revoked at the provider and deleted.`);
  else if (!info.provider.revocationUrl) {
    ctx.io.err(`Signed out of ${connector}/${name}: tokens deleted. The provider has no revocation endpoint, so the access token stays valid until it expires.`);
  } else ctx.io.err(`Signed out of ${connector}/${name}: tokens deleted (not revoked).`);
  return 0;
}
