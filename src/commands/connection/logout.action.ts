import type { Context } from '../../context.js';
import { printJson } from '../../io/output.js';
import { deriveConnectionModel } from '../../spec/connection-model.js';
import { getConnection, parseAddress, resolveRecord, updateConnections } from '../../connections/store.js';
import { clientOf, requireOAuth, tokenLockPath } from '../../auth/oauth2/tokens.js';
import { TOKENS } from '../../auth/oauth2/names.js';
import { parseTokenSet } from '../../auth/oauth2/storage.js';
import { secretAccount } from '../../secrets/store.js';

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

  const { withLock } = await import('../../fs/lock.js');
  const result = await withLock(
    tokenLockPath(ctx, connector, name),
    async () => {
      const tokens = parseTokenSet(await store.get(account));
      let revoked = false;
      if (tokens && info.provider.revocationUrl) {
        const { revoke } = await import('../../auth/oauth2/signin.js');
        try {
          await revoke(ctx, info, client, tokens, `${connector}/${name}`);
          revoked = true;
        } catch (e) {
          ctx.warn(`${(e as Error).message}; deleting the local tokens anyway`);
        }
      }
      const deleted = await store.delete(account);
      return { hadTokens: Boolean(tokens), revoked, deleted };
    },
    { timeoutMs: 60_000, signal: ctx.signal },
  );
  await updateConnections(ctx, (list) => {
    const rec = list.find((c) => c.connector === connector && c.name === name);
    if (!rec) return;
    rec.secretParams = rec.secretParams.filter((p) => p !== TOKENS);
    if (rec.oauth) delete rec.oauth.token;
    rec.updatedAt = new Date(ctx.clock.now()).toISOString();
  });

  if (ctx.json) {
    printJson(ctx.io, { connection: `${connector}/${name}`, revoked: result.revoked, deleted: result.deleted });
    return 0;
  }
  if (!result.hadTokens) ctx.io.err(`${connector}/${name} was not signed in; nothing to revoke.`);
  else if (result.revoked) ctx.io.err(`Signed out of ${connector}/${name}: tokens revoked at the provider and deleted.`);
  else if (!info.provider.revocationUrl) {
    ctx.io.err(
      `Signed out of ${connector}/${name}: tokens deleted. The provider has no revocation endpoint, so the access token stays valid until it expires.`,
    );
  } else ctx.io.err(`Signed out of ${connector}/${name}: tokens deleted (not revoked).`);
  return 0;
}
