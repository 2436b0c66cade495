import { join } from 'node:path';
import type { Context } from '../../context.js';
import { AuthError, CliError } from '../../errors.js';
import type { ClientCertificate } from '../../oauth/assertion.js';
import type { ClientAuth } from '../../oauth/token.js';
import type { TokenSet, TokenStorage } from '../../oauth/tokens.js';
import { envOverlay } from '../../secrets/env.js';
import { secretAccount, type SecretStore } from '../../secrets/store.js';
import type { ConnectionRecord, ResolvedConnection } from '../../connections/types.js';
import { CERTIFICATE, CLIENT_SECRET, TOKENS } from './names.js';
import { SecretTokenStorage } from './storage.js';
import type { OAuthConnectionInfo } from './types.js';

/** The tokens of a stored OAuth connection: where they live, how they are renewed, what the registry says of them. */

const address = (r: { connector: string; name: string }) => `${r.connector}/${r.name}`;

/** The per-connection lock every connector process takes before renewing its tokens. */
export function tokenLockPath(ctx: Context, connector: string, name: string): string {
  return join(ctx.home, 'locks', `oauth-${connector}--${name}.lock`);
}

/** Non-secret facts about a token set, for the registry. */
export function tokenFacts(t: TokenSet, nowMs = Date.now()): NonNullable<OAuthConnectionInfo['token']> {
  return {
    ...(t.expires_at !== undefined ? { expiresAt: new Date(t.expires_at * 1000).toISOString() } : {}),
    ...(t.scope !== undefined ? { scope: t.scope } : {}),
    refreshable: Boolean(t.refresh_token),
    savedAt: new Date(nowMs).toISOString(),
  };
}

/** The token storage of a stored connection: its secret store item, keeping the registry's expiry/scope in step. */
export function storedTokens(ctx: Context, store: SecretStore, record: ConnectionRecord): TokenStorage {
  return new SecretTokenStorage(store, secretAccount(record.connector, record.name, TOKENS), async (t) => {
    const { updateConnections } = await import('../../connections/store.js');
    await updateConnections(ctx, (list) => {
      const rec = list.find((c) => c.connector === record.connector && c.name === record.name);
      if (rec?.oauth) rec.oauth.token = tokenFacts(t, ctx.clock.now());
      if (rec && !rec.secretParams.includes(TOKENS)) rec.secretParams.push(TOKENS);
    });
  });
}

/** The client of a resolved connection (secret and certificate come from its secret store). */
export async function clientOf(info: OAuthConnectionInfo, values: Record<string, string>): Promise<ClientAuth> {
  const pem = values[CERTIFICATE];
  let certificate: ClientCertificate | undefined;
  if (pem) {
    const { loadCertificate } = await import('../../oauth/assertion.js');
    certificate = loadCertificate(pem, pem, 'the stored client certificate');
  }
  return { clientId: info.clientId, clientSecret: values[CLIENT_SECRET] || undefined, certificate };
}

/** The connection's values with its lazy secrets (see AuthPlugin.lazySecrets) read in. */
async function withDeferred(ctx: Context, conn: ResolvedConnection): Promise<Record<string, string>> {
  const wanted = (conn.deferred ?? []).filter((n) => n !== TOKENS);
  if (!wanted.length) return conn.values;
  const { resolveRecord } = await import('../../connections/store.js');
  const more = await resolveRecord(ctx, { ...conn.record, values: {}, secretParams: wanted }, conn.option);
  return { ...conn.values, ...more.values };
}

/** CONNECTOR_<K>__<C>__ACCESS_TOKEN: a token from the environment beats the stored one (CI). */
export function envAccessToken(ctx: Context, record: { connector: string; name: string }) {
  return envOverlay(ctx.io.env, record.connector, record.name, 'access_token');
}

/**
 * A usable access token for a resolved OAuth connection: the environment's, else
 * the stored one while fresh, else renewed under the cross-process lock. Pass
 * `rejected` (the token an API just answered 401 to) to force one renewal.
 */
export async function freshAccessToken(ctx: Context, conn: ResolvedConnection, rejected?: string): Promise<{ token: string; fromEnv: boolean }> {
  const env = envAccessToken(ctx, conn.record);
  if (env) return { token: env.value, fromEnv: true };
  const info = conn.record.oauth;
  const where = address(conn.record);
  if (!info) {
    throw new AuthError(
      `connection ${where} has no OAuth sign-in`,
      `Recreate it: connector connection delete ${where} && connector connection create ${conn.record.connector} --name ${conn.record.name}`,
    );
  }
  let storage = conn.tokenStorage;
  if (!storage) {
    const { storeFor } = await import('../../secrets/open.js');
    storage = storedTokens(ctx, await storeFor(ctx, conn.record.secretStore), conn.record);
  }
  const { getFreshToken } = await import('../../oauth/tokens.js');
  const { renewer } = await import('./signin.js');
  const t = await getFreshToken({
    storage,
    lockPath: tokenLockPath(ctx, conn.record.connector, conn.record.name),
    // The client's stored secret or certificate is read only now that renewing is needed.
    renew: async (t) => (await renewer(ctx, info, await clientOf(info, await withDeferred(ctx, conn)), where))(t),
    rejected,
    now: () => ctx.clock.now(),
  });
  return { token: t.access_token, fromEnv: false };
}

/** Refuse OAuth commands on a connection that is not an OAuth one. */
export function requireOAuth(record: ConnectionRecord): OAuthConnectionInfo {
  if (record.kind !== 'oauth2' || !record.oauth) {
    throw new CliError(`connection ${address(record)} does not use OAuth 2.0 sign-in (auth: ${record.kind})`);
  }
  return record.oauth;
}
