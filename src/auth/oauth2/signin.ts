import { sanitizeLine } from '../../io/sanitize.js';
import type { Context } from '../../context.js';
import { InputNeededError } from '../../errors.js';
import type { ResolvedProvider } from '../../oauth/providers.js';
import type { ClientAuth, TokenCallOptions, TokenResponse } from '../../oauth/token.js';
import type { TokenSet } from '../../oauth/tokens.js';
import type { OAuthConnectionInfo } from './types.js';

/** What every src/oauth/ call of a command gets: the one HTTP client, and Ctrl-C. */
export function callOptions(ctx: Context, where: string): TokenCallOptions {
  return { connection: where, fetch: ctx.http.fetch, signal: ctx.signal };
}

/**
 * Run one sign-in: the loopback browser flow (URL printed on stderr AND opened
 * in the context's browser), the device flow (code and URI on stderr), or client
 * credentials. Ctrl-C (ctx.signal) cancels (exit 3).
 */
export async function signIn(ctx: Context, info: OAuthConnectionInfo, client: ClientAuth, where: string): Promise<TokenResponse> {
  const p = info.provider;
  const { withMethod } = await import('../../oauth/authorize.js');
  const { scopeParam } = await import('../../oauth/providers.js');
  const common = callOptions(ctx, where);
  if (info.flow === 'client-credentials') {
    if (client.clientSecret === undefined && !client.certificate) {
      throw new InputNeededError(
        'client credentials need a client secret or a certificate',
        'Pass --client-secret-env VAR, --client-secret-stdin or --certificate file.',
      );
    }
    const { clientCredentialsGrant } = await import('../../oauth/token.js');
    return clientCredentialsGrant({ tokenUrl: p.tokenUrl, scope: appScope(p), client: withMethod(client, p) }, common);
  }
  if (info.flow === 'device') {
    const { deviceFlow } = await import('../../oauth/device.js');
    // The spinner keeps the code in sight (the lines above may scroll away) and counts down to its expiry.
    let code: { userCode: string; expiresAt: number } | undefined;
    const waiting = () =>
      code ? `Waiting for the sign-in with the code ${code.userCode} (${timeLeft(code.expiresAt - ctx.clock.now())})` : 'Asking for a device code';
    const flow = deviceFlow({
      ...common,
      deviceAuthorizationUrl: p.deviceAuthorizationUrl!,
      tokenUrl: p.tokenUrl,
      client: withMethod(client, p),
      scope: scopeParam(p),
      sleep: (ms, s) => ctx.clock.sleep(ms, s),
      now: () => ctx.clock.now(),
      onPrompt: (d) => {
        // The provider's words, printed on the user's terminal: no control sequences.
        ctx.io.err(sanitizeLine(`To sign in, open ${d.verificationUri} and enter the code: ${d.userCode}`));
        if (d.verificationUriComplete) ctx.io.err(sanitizeLine(`(or open ${d.verificationUriComplete})`));
        ctx.io.err(`Waiting for the sign-in (the code expires in ${Math.round(d.expiresIn / 60)} min; Ctrl-C cancels)…`);
        code = { userCode: d.userCode, expiresAt: ctx.clock.now() + d.expiresIn * 1000 };
      },
    });
    return ctx.progress.spin(waiting, () => flow);
  }
  const { browserFlow } = await import('../../oauth/authorize.js');
  const flow = browserFlow({
    ...common,
    provider: p,
    client,
    redirectHost: info.redirectHost,
    redirectPort: info.redirectPort,
    onRejected: (m) => ctx.warn(m),
    onUrl: async (url) => {
      ctx.io.err(`Open this URL in a browser to sign in (Ctrl-C cancels):\n  ${url}`);
      if (!ctx.browser.available()) return;
      try {
        await ctx.browser.open(url);
      } catch (e) {
        ctx.debug(`could not open a browser: ${(e as Error).message}`);
      }
    },
  });
  return ctx.progress.spin('Waiting for the sign-in in the browser (Ctrl-C cancels)', () => flow);
}

/** `14:05 left`, or `expired`. */
export function timeLeft(ms: number): string {
  if (ms <= 0) return 'expired';
  const s = Math.ceil(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')} left`;
}

/** Client credentials act for no user: user-only scopes (openid, offline_access) are dropped. */
function appScope(p: ResolvedProvider): string | undefined {
  const s = p.scopes.filter((x) => x !== 'openid' && x !== 'offline_access');
  return s.length ? s.join(p.scopeDelimiter) : undefined;
}

/** How a stored connection gets new tokens: client credentials again, or its refresh token. */
export async function renewer(
  ctx: Context,
  info: OAuthConnectionInfo,
  client: ClientAuth,
  where: string,
): Promise<(t: TokenSet | undefined) => Promise<TokenResponse>> {
  const opts = callOptions(ctx, where);
  if (info.flow === 'client-credentials') {
    const { withMethod } = await import('../../oauth/authorize.js');
    const { clientCredentialsGrant } = await import('../../oauth/token.js');
    return () => clientCredentialsGrant({ tokenUrl: info.provider.tokenUrl, scope: appScope(info.provider), client: withMethod(client, info.provider) }, opts);
  }
  const { refreshWithProvider } = await import('../../oauth/authorize.js');
  const { refreshRenewer } = await import('../../oauth/tokens.js');
  return refreshRenewer((rt) => refreshWithProvider(info.provider, client, rt, opts), where);
}

/** RFC 7009 revocation of the refresh token (else the access token), for `connection logout`. */
export async function revoke(ctx: Context, info: OAuthConnectionInfo, client: ClientAuth, tokens: TokenSet, where: string): Promise<void> {
  const { revokeToken } = await import('../../oauth/revoke.js');
  const { withMethod } = await import('../../oauth/authorize.js');
  const [token, hint] = tokens.refresh_token ? [tokens.refresh_token, 'refresh_token' as const] : [tokens.access_token, 'access_token' as const];
  await revokeToken(info.provider.revocationUrl!, token, hint, withMethod(client, info.provider), callOptions(ctx, where));
}
