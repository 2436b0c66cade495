import type { Context } from '../../context.js';
import { printJson } from '../../io/output.js';
import { deriveConnectionModel } from '../../spec/connection-model.js';
import { getConnection, parseAddress, resolveRecord, updateConnections } from '../../connections/store.js';
import { canOpenBrowser, redirectOptions } from '../../auth/oauth2/provider.js';
import { signIn } from '../../auth/oauth2/signin.js';
import { clientOf, requireOAuth, storedTokens, tokenFacts, tokenLockPath } from '../../auth/oauth2/tokens.js';
import { TOKENS } from '../../auth/oauth2/names.js';
import type { FlowKind } from '../../oauth/providers.js';

interface Opts {
  flow?: 'auto' | FlowKind;
  redirectHost?: string;
  redirectPort?: string;
}

/** `connector connection login <connector>/<name>`: sign in again; the new token set replaces the stored one. */
export default async function login(ctx: Context, address: string, opts: Opts): Promise<number> {
  const { connector, name } = parseAddress(address);
  const record = await (await ctx.registry()).get(connector);
  const conn = await getConnection(ctx, connector, name);
  const info = { ...requireOAuth(conn), ...redirectOptions(opts) };
  const { chooseFlow } = await import('../../oauth/providers.js');
  const requested = opts.flow ?? 'auto';
  // auto keeps an app-only connection on client credentials; a user connection picks browser or device.
  info.flow =
    requested === 'auto' && info.flow === 'client-credentials'
      ? 'client-credentials'
      : chooseFlow(info.provider, requested, { canOpenBrowser: canOpenBrowser(ctx) });

  // Everything but the tokens (which may be gone after a logout) comes from the secret store.
  const option = deriveConnectionModel(record).options.find((o) => o.id === conn.authOption);
  const withoutTokens = { ...conn, secretParams: conn.secretParams.filter((p) => p !== TOKENS) };
  const resolved = await resolveRecord(ctx, withoutTokens, option);
  const { toTokenSet } = await import('../../oauth/tokens.js');
  const tokens = toTokenSet(await signIn(ctx, info, await clientOf(info, resolved.values), `${connector}/${name}`), undefined, ctx.clock.now());

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
  if (ctx.json) printJson(ctx.io, { connection: `${connector}/${name}`, flow: info.flow, ...tokenFacts(tokens, ctx.clock.now()) });
  else ctx.io.err(`Signed in to ${connector}/${name}; tokens saved in the ${store.describe()}.`);
  return 0;
}
