import type { Context } from '../../context.js';
import { printJson, printTable } from '../../io/output.js';
import { listConnections } from '../../connections/store.js';
import type { ConnectionRecord } from '../../connections/types.js';

/** `connector connection list [connector]`: name, auth kind, default, where each secret lives. */
export default async function list(ctx: Context, connector: string | undefined): Promise<number> {
  if (connector) await (await ctx.registry()).get(connector); // unknown connector → error with suggestions
  const all = await listConnections(ctx, connector);
  if (ctx.json) {
    printJson(
      ctx.io,
      all.map((c) => ({ ...c, address: `${c.connector}/${c.name}` })),
    );
    return 0;
  }
  if (!all.length) {
    ctx.io.err(
      connector
        ? `No connections for '${connector}'. Create one: connector connection create ${connector}`
        : 'No connections yet. Create one: connector connection create <connector>',
    );
    return 0;
  }
  const anyOAuth = all.some((c) => c.oauth);
  const { describeExpiry } = anyOAuth ? await import('../../auth/oauth2/tokens.js') : { describeExpiry: undefined };
  printTable(
    ctx.io,
    ['CONNECTION', 'AUTH', 'DEFAULT', 'SECRETS', ...(anyOAuth ? ['SIGN-IN'] : [])],
    all.map((c) => [
      `${c.connector}/${c.name}`,
      c.kind,
      c.isDefault ? 'yes' : '',
      c.secretParams.length ? `${c.secretParams.map(shortName).join(', ')} → ${c.secretStore}` : '-',
      ...(anyOAuth ? [signIn(c, (iso) => describeExpiry!(iso, ctx.clock.now()))] : []),
    ]),
  );
  return 0;
}

/** OAuth items by what they are, not by their store account names. */
const shortName = (p: string) => (p.startsWith('oauth:') ? p.slice(6).replace('_', ' ') : p);

/** Expiry and scopes of an OAuth connection's tokens, from the registry (the keychain is not read). */
function signIn(c: ConnectionRecord, describeExpiry: (iso?: string) => string): string {
  if (!c.oauth) return '';
  const t = c.oauth.token;
  if (!t) return 'signed out';
  return [describeExpiry(t.expiresAt), t.refreshable ? 'refreshable' : '', t.scope ? `scopes: ${t.scope}` : ''].filter(Boolean).join(', ');
}
