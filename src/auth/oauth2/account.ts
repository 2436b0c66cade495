import type { Context } from '../../context.js';
import { deriveConnectionModel } from '../../spec/connection-model.js';
import { getConnection, resolveConnection, resolveRecord, updateConnections } from '../../connections/store.js';
import type { ConnectionRecord } from '../../connections/types.js';
import type { ConnectorRecord } from '../../model.js';
import type { FlowKind } from '../../oauth/providers.js';
import { secretAccount } from '../../secrets/store.js';
import { TOKENS } from './names.js';
import { canOpenBrowser, redirectOptions } from './provider.js';
import { signIn } from './signin.js';
import { parseTokenSet } from './storage.js';
import { clientOf, envAccessToken, freshAccessToken, requireOAuth, storedTokens, tokenFacts, tokenLockPath } from './tokens.js';

/** What `connection login`, `logout` and `token` do to a stored OAuth connection (the commands print the outcome). */

/** The flags of `connection login`. */
export interface LoginOptions {
  flow?: 'auto' | FlowKind;
  redirectHost?: string;
  redirectPort?: string;
}

/** The connection's stored values and secrets, all but its tokens (which may be gone after a logout). */
async function valuesWithoutTokens(ctx: Context, record: ConnectorRecord, conn: ConnectionRecord): Promise<Record<string, string>> {
  const option = deriveConnectionModel(record).options.find((o) => o.id === conn.authOption);
  return (await resolveRecord(ctx, { ...conn, secretParams: conn.secretParams.filter((p) => p !== TOKENS) }, option)).values;
}

/** Sign in again; the new token set replaces the stored one. */
export async function login(ctx: Context, connector: string, name: string, opts: LoginOptions) {
  const record = await (await ctx.registry()).get(connector); // unknown connector → error with suggestions
  const conn = await getConnection(ctx, connector, name);
  const info = { ...requireOAuth(conn), ...redirectOptions(opts) };
  const { chooseFlow } = await import('../../oauth/providers.js');
  const requested = opts.flow ?? 'auto';
  // auto keeps an app-only connection on client credentials; a user connection picks browser or device.
  info.flow =
    requested === 'auto' && info.flow === 'client-credentials'
      ? 'client-credentials'
      : chooseFlow(info.provider, requested, { canOpenBrowser: canOpenBrowser(ctx) });

  const values = await valuesWithoutTokens(ctx, record, conn);
  const { toTokenSet } = await import('../../oauth/tokens.js');
  const tokens = toTokenSet(await signIn(ctx, info, await clientOf(info, values), `${connector}/${name}`), undefined, ctx.clock.now());

  const { storeFor } = await import('../../secrets/open.js');
  const store = await storeFor(ctx, conn.secretStore);
  const { withLock } = await import('../../fs/lock.js');
  await withLock(tokenLockPath(ctx, connector, name), () => storedTokens(ctx, store, conn).save(tokens), { timeoutMs: 60_000, signal: ctx.signal });
  await updateConnections(ctx, (list) => {
    const rec = list.find((c) => c.connector === connector && c.name === name);
    if (!rec?.oauth) return;
    rec.oauth = { ...rec.oauth, flow: info.flow, ...redirectOptions(opts), token: tokenFacts(tokens, ctx.clock.now()) };
    rec.updatedAt = new Date(ctx.clock.now()).toISOString();
  });
  return { flow: info.flow, facts: tokenFacts(tokens, ctx.clock.now()), store: store.describe() };
}

/**
 * Revoke the refresh token (else the access token) where the provider has a revocation
 * endpoint, then delete the stored tokens. The client secret stays, so login works again.
 */
export async function logout(ctx: Context, connector: string, name: string) {
  const record = await (await ctx.registry()).get(connector);
  const conn = await getConnection(ctx, connector, name);
  const info = requireOAuth(conn);
  const { storeFor } = await import('../../secrets/open.js');
  const store = await storeFor(ctx, conn.secretStore);
  const account = secretAccount(connector, name, TOKENS);
  const client = await clientOf(info, await valuesWithoutTokens(ctx, record, conn));

  const { withLock } = await import('../../fs/lock.js');
  const result = await withLock(
    tokenLockPath(ctx, connector, name),
    async () => {
      const tokens = parseTokenSet(await store.get(account));
      let revoked = false;
      if (tokens && info.provider.revocationUrl) {
        const { revoke } = await import('./signin.js');
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
  return { ...result, revocable: Boolean(info.provider.revocationUrl) };
}

/** A fresh access token (renewed first when about to expire), where it came from, and (read only when asked) its expiry. */
export async function accessToken(ctx: Context, connector: string, name: string) {
  const conn = await resolveConnection(ctx, connector, name);
  if (!envAccessToken(ctx, conn.record)) requireOAuth(conn.record);
  const { token, fromEnv } = await freshAccessToken(ctx, conn);
  const expiresAt = async () => (fromEnv ? undefined : (await resolveConnection(ctx, connector, name)).record.oauth?.token?.expiresAt);
  return { token, fromEnv, expiresAt, source: fromEnv ? 'env' : conn.record.secretStore };
}
