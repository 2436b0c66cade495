import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Context } from '../context.js';
import { AuthError, CliError, InputNeededError, UsageError } from '../errors.js';
import type { AuthOption, OAuthSetting } from '../model.js';
import type { ClientCertificate } from '../oauth/assertion.js';
import type { FlowKind, ResolvedProvider } from '../oauth/providers.js';
import type { ClientAuth, Fetch, TokenResponse } from '../oauth/token.js';
import type { TokenSet, TokenStorage } from '../oauth/tokens.js';
import { secretAccount, type SecretStore } from '../secrets/store.js';
import { SecretTokenStorage } from '../secrets/tokens.js';
import { envOverlay } from '../secrets/env.js';
import type { ConnectionRecord, OAuthConnectionInfo, ResolvedConnection } from './types.js';
import { load } from '../util/load.js';

import { CERTIFICATE, CLIENT_SECRET, TOKENS } from './oauth-names.js';

export { CERTIFICATE, CLIENT_SECRET, OAUTH_SECRETS, TOKENS } from './oauth-names.js';

/** The OAuth flags of `connection create` / `connection login` (declared in src/main.ts). */
export interface OAuthFlags {
  flow?: 'auto' | FlowKind;
  provider?: string;
  clientId?: string;
  clientSecretEnv?: string;
  clientSecretStdin?: boolean;
  scope?: string[];
  tenant?: string;
  certificate?: string;
  redirectHost?: string;
  redirectPort?: string;
}

/** A client as the flows need it, plus what must go to the secret store. */
export interface GatheredClient {
  auth: ClientAuth;
  secret?: string;
  certificatePem?: string;
}

const canPrompt = (ctx: Context) => !ctx.noInput && ctx.io.canPrompt();
const address = (r: { connector: string; name: string }) => `${r.connector}/${r.name}`;

export function oauthSettingOf(option: AuthOption | undefined): OAuthSetting | undefined {
  return option?.parameters.find((p) => p.type === 'oauthSetting')?.oauth;
}

/**
 * The authorization server: --provider (preset name or issuer URL) wins, else the
 * connector's oauthSetting (apiProperties identityProvider, or its securityDefinition).
 * --scope entries are added to the connector's scopes.
 */
export async function resolveProvider(setting: OAuthSetting | undefined, flags: OAuthFlags, values: Record<string, string>, fetch: Fetch): Promise<ResolvedProvider> {
  const m = await import('../oauth/providers.js');
  let p: ResolvedProvider;
  if (flags.provider && /^https?:\/\//i.test(flags.provider)) {
    p = await m.discover(flags.provider, { fetch, scopes: setting?.scopes ?? [] });
  } else if (flags.provider) {
    const loginUri = Object.entries(setting?.customParameters ?? {}).find(([k]) => k.toLowerCase() === 'loginuri')?.[1];
    p = m.resolvePreset(flags.provider, { tenant: flags.tenant, loginUri, scopes: setting?.scopes });
  } else if (!setting) {
    throw new UsageError('this connection option declares no OAuth provider', `Pass --provider (${m.PRESET_NAMES.join(', ')}, or an issuer URL).`);
  } else if (setting.identityProvider.toLowerCase() === 'oauth2' && ['password', 'implicit', 'application'].includes(setting.flow ?? '')) {
    // A plain securityDefinition: its flow decides (password refused, implicit run as code + PKCE).
    const scopes = Object.fromEntries((setting.scopes ?? []).map((s) => [s, '']));
    p = m.fromSecurityScheme({ type: 'oauth2', flow: setting.flow, authorizationUrl: setting.authorizationUrl, tokenUrl: setting.tokenUrl, refreshUrl: setting.refreshUrl, scopes });
  } else {
    p = m.fromOAuthSetting(setting, { tenant: flags.tenant, values });
  }
  const extra = (flags.scope ?? []).flatMap((s) => s.split(/\s+/)).filter(Boolean);
  p.scopes = [...new Set([...p.scopes, ...extra])];
  return p;
}

/**
 * Published connectors often carry a placeholder instead of a client id ("[YOUR_CLIENT_ID]",
 * "<<Please add your clientID here>>", "PLACEHOLDER_CLIENTID", "dummy"): treat that as no client id, so the user is asked for theirs.
 */
export function realClientId(id: string | undefined): string | undefined {
  if (!id || /^\s*$/.test(id) || /[[\]<>{}]/.test(id) || /your|placeholder|dummy|enter|replace|^(null|none|todo)$/i.test(id)) return undefined;
  return id;
}

/** Client id (flag, else the connector's clientId, else a prompt), secret (env or stdin, never argv), certificate. */
export async function gatherClient(ctx: Context, flags: OAuthFlags, setting: OAuthSetting | undefined): Promise<GatheredClient> {
  let clientId = flags.clientId ?? realClientId(setting?.clientId);
  if (!clientId) {
    if (!canPrompt(ctx)) {
      throw new InputNeededError('an OAuth client id is needed and cannot prompt: pass --client-id', 'Use the application (client) id of your app registration at the provider.');
    }
    clientId = (await (await ctx.prompter()).input('OAuth client (application) id', { required: true })).trim();
  }
  let secret: string | undefined;
  if (flags.clientSecretEnv && flags.clientSecretStdin) throw new UsageError('pass either --client-secret-env or --client-secret-stdin, not both');
  if (flags.clientSecretEnv) {
    secret = ctx.io.env[flags.clientSecretEnv];
    if (!secret) throw new UsageError(`--client-secret-env ${flags.clientSecretEnv}: the environment variable ${flags.clientSecretEnv} is not set`);
  } else if (flags.clientSecretStdin) {
    const { readAll } = await import('./values.js');
    secret = (await readAll(ctx.io.stdin)).replace(/\r?\n$/, '');
    if (!secret) throw new UsageError('--client-secret-stdin: standard input was empty');
  }
  let certificatePem: string | undefined;
  let certificate: ClientCertificate | undefined;
  if (flags.certificate) {
    try {
      certificatePem = await readFile(flags.certificate, 'utf8');
    } catch (e) {
      throw new UsageError(`cannot read --certificate ${flags.certificate}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    const { loadCertificate } = await import('../oauth/assertion.js');
    certificate = loadCertificate(certificatePem, certificatePem, flags.certificate);
  }
  return { auth: { clientId, clientSecret: secret, certificate }, secret, certificatePem };
}

/** A graphical display and a person at a terminal: `--flow auto` then picks the browser. */
export function canOpenBrowser(ctx: Context): boolean {
  const terminal = Boolean(ctx.io.stdin.isTTY || ctx.io.stderr.isTTY);
  return hasDisplay(ctx) && terminal;
}

function hasDisplay(ctx: Context): boolean {
  const env = ctx.io.env;
  return process.platform === 'darwin' || process.platform === 'win32' || Boolean(env.DISPLAY || env.WAYLAND_DISPLAY || env.BROWSER);
}

/** The flow to run; client credentials also work against a plain oauth2 token URL when a secret or certificate is given. */
export async function pickFlow(ctx: Context, p: ResolvedProvider, requested: 'auto' | FlowKind, client: ClientAuth): Promise<FlowKind> {
  const { chooseFlow } = await import('../oauth/providers.js');
  const confidential = client.clientSecret !== undefined || client.certificate !== undefined;
  if (requested === 'client-credentials' && confidential && !p.flows.includes('client-credentials') && ['oauth2', 'swagger'].includes(p.id)) {
    p.flows = [...p.flows, 'client-credentials'];
  }
  const flow = chooseFlow(p, requested, { canOpenBrowser: canOpenBrowser(ctx) });
  // auto fell back to a browser nobody can open: waiting five minutes for it would only hang CI.
  if (requested === 'auto' && flow === 'browser' && !canOpenBrowser(ctx) && !canPrompt(ctx)) {
    throw new InputNeededError(
      'signing in needs a browser, and there is no display or terminal here (the provider offers no device flow)',
      'Pass --flow browser to print the sign-in URL and wait for it; in CI use --flow client-credentials, or set CONNECTOR_<K>_<C>_ACCESS_TOKEN.',
    );
  }
  return flow;
}

/**
 * Run one sign-in: the loopback browser flow (URL printed on stderr AND opened
 * with `open`), the device flow (code and URI on stderr), or client credentials.
 * Ctrl-C cancels (exit 3).
 */
export async function signIn(ctx: Context, info: OAuthConnectionInfo, client: ClientAuth, where: string): Promise<TokenResponse> {
  const p = info.provider;
  const ac = new AbortController();
  const onSigint = () => ac.abort();
  process.once('SIGINT', onSigint);
  try {
    const { withMethod } = await import('../oauth/authorize.js');
    const { scopeParam } = await import('../oauth/providers.js');
    const common = { connection: where, signal: ac.signal, fetch: ctx.http.fetch };
    if (info.flow === 'client-credentials') {
      if (client.clientSecret === undefined && !client.certificate) {
        throw new InputNeededError('client credentials need a client secret or a certificate', 'Pass --client-secret-env VAR, --client-secret-stdin or --certificate file.');
      }
      const { clientCredentialsGrant } = await import('../oauth/token.js');
      return await clientCredentialsGrant({ tokenUrl: p.tokenUrl, scope: appScope(p), client: withMethod(client, p) }, common);
    }
    if (info.flow === 'device') {
      const { deviceFlow } = await import('../oauth/device.js');
      return await deviceFlow({
        ...common,
        deviceAuthorizationUrl: p.deviceAuthorizationUrl!,
        tokenUrl: p.tokenUrl,
        client: withMethod(client, p),
        scope: scopeParam(p),
        onPrompt: (d) => {
          ctx.io.err(`To sign in, open ${d.verificationUri} and enter the code: ${d.userCode}`);
          if (d.verificationUriComplete) ctx.io.err(`(or open ${d.verificationUriComplete})`);
          ctx.io.err(`Waiting for the sign-in (the code expires in ${Math.round(d.expiresIn / 60)} min; Ctrl-C cancels)…`);
        },
      });
    }
    const { browserFlow } = await import('../oauth/authorize.js');
    return await browserFlow({
      ...common,
      provider: p,
      client,
      redirectHost: info.redirectHost,
      redirectPort: info.redirectPort,
      onUrl: async (url) => {
        ctx.io.err(`Open this URL in a browser to sign in (Ctrl-C cancels):\n  ${url}`);
        if (!hasDisplay(ctx) || ctx.io.env.CONNECTOR_NO_BROWSER) return;
        try {
          const { default: open } = load<typeof import('open')>('open');
          await open(url);
        } catch (e) {
          ctx.debug(`could not open a browser: ${(e as Error).message}`);
        }
      },
    });
  } finally {
    process.off('SIGINT', onSigint);
  }
}

/** Client credentials act for no user: user-only scopes (openid, offline_access) are dropped. */
function appScope(p: ResolvedProvider): string | undefined {
  const s = p.scopes.filter((x) => x !== 'openid' && x !== 'offline_access');
  return s.length ? s.join(p.scopeDelimiter) : undefined;
}

/** How a stored connection gets new tokens: client credentials again, or its refresh token. */
export async function renewer(info: OAuthConnectionInfo, client: ClientAuth, where: string, fetch: Fetch): Promise<(t: TokenSet | undefined) => Promise<TokenResponse>> {
  if (info.flow === 'client-credentials') {
    const { withMethod } = await import('../oauth/authorize.js');
    const { clientCredentialsGrant } = await import('../oauth/token.js');
    return () => clientCredentialsGrant({ tokenUrl: info.provider.tokenUrl, scope: appScope(info.provider), client: withMethod(client, info.provider) }, { connection: where, fetch });
  }
  const { refreshWithProvider } = await import('../oauth/authorize.js');
  const { refreshRenewer } = await import('../oauth/tokens.js');
  return refreshRenewer((rt) => refreshWithProvider(info.provider, client, rt, { connection: where, fetch }), where);
}

/** The per-connection lock every connector process takes before renewing its tokens. */
export function tokenLockPath(ctx: Context, connector: string, name: string): string {
  return join(ctx.home, 'locks', `oauth-${connector}--${name}.lock`);
}

/** Non-secret facts about a token set, for the registry. */
export function tokenFacts(t: TokenSet): NonNullable<OAuthConnectionInfo['token']> {
  return {
    ...(t.expires_at !== undefined ? { expiresAt: new Date(t.expires_at * 1000).toISOString() } : {}),
    ...(t.scope !== undefined ? { scope: t.scope } : {}),
    refreshable: Boolean(t.refresh_token),
    savedAt: new Date().toISOString(),
  };
}

/** The token storage of a stored connection: its secret store item, keeping the registry's expiry/scope in step. */
export function storedTokens(ctx: Context, store: SecretStore, record: ConnectionRecord): TokenStorage {
  return new SecretTokenStorage(store, secretAccount(record.connector, record.name, TOKENS), async (t) => {
    const { updateConnections } = await import('./store.js');
    await updateConnections(ctx, (list) => {
      const rec = list.find((c) => c.connector === record.connector && c.name === record.name);
      if (rec?.oauth) rec.oauth.token = tokenFacts(t);
      if (rec && !rec.secretParams.includes(TOKENS)) rec.secretParams.push(TOKENS);
    });
  });
}

/** The client of a resolved connection (secret and certificate come from its secret store). */
export async function clientOf(info: OAuthConnectionInfo, values: Record<string, string>): Promise<ClientAuth> {
  const pem = values[CERTIFICATE];
  let certificate: ClientCertificate | undefined;
  if (pem) {
    const { loadCertificate } = await import('../oauth/assertion.js');
    certificate = loadCertificate(pem, pem, 'the stored client certificate');
  }
  return { clientId: info.clientId, clientSecret: values[CLIENT_SECRET] || undefined, certificate };
}

/** The connection's values with its deferred secrets (see resolveConnection) read in. */
async function withDeferred(ctx: Context, conn: ResolvedConnection): Promise<Record<string, string>> {
  const wanted = (conn.deferred ?? []).filter((n) => n !== TOKENS);
  if (!wanted.length) return conn.values;
  const { resolveRecord } = await import('./store.js');
  const more = await resolveRecord(ctx, { ...conn.record, values: {}, secretParams: wanted }, conn.option);
  return { ...conn.values, ...more.values };
}

/** CONNECTOR_<K>_<C>_ACCESS_TOKEN: a token from the environment beats the stored one (CI). */
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
    throw new AuthError(`connection ${where} has no OAuth sign-in`, `Recreate it: connector connection delete ${where} && connector connection create ${conn.record.connector} --name ${conn.record.name}`);
  }
  let storage = conn.tokenStorage;
  if (!storage) {
    const { storeFor } = await import('../secrets/open.js');
    storage = storedTokens(ctx, await storeFor(ctx, conn.record.secretStore), conn.record);
  }
  const { getFreshToken } = await import('../oauth/tokens.js');
  const t = await getFreshToken({
    storage,
    lockPath: tokenLockPath(ctx, conn.record.connector, conn.record.name),
    // The client's stored secret or certificate is read only now that renewing is needed.
    renew: async (t) => (await renewer(info, await clientOf(info, await withDeferred(ctx, conn)), where, ctx.http.fetch))(t),
    rejected,
    signal: ctx.signal,
  });
  return { token: t.access_token, fromEnv: false };
}

/** `expires in 59 min` / `expired 3 min ago`, for list and show. */
export function describeExpiry(iso: string | undefined, nowMs = Date.now()): string {
  if (!iso) return 'no expiry given';
  const ms = Date.parse(iso) - nowMs;
  const span = (n: number) => (n < 120_000 ? `${Math.round(n / 1000)} s` : n < 2 * 3600_000 ? `${Math.round(n / 60_000)} min` : n < 48 * 3600_000 ? `${Math.round(n / 3600_000)} h` : `${Math.round(n / 86400_000)} d`);
  return ms >= 0 ? `expires in ${span(ms)}` : `expired ${span(-ms)} ago`;
}

/** Refuse OAuth commands on a connection that is not an OAuth one. */
export function requireOAuth(record: ConnectionRecord): OAuthConnectionInfo {
  if (record.kind !== 'oauth2' || !record.oauth) {
    throw new CliError(`connection ${address(record)} does not use OAuth 2.0 sign-in (auth: ${record.kind})`);
  }
  return record.oauth;
}

/** --redirect-host / --redirect-port as stored with the connection (login reuses them). */
export function redirectOptions(opts: { redirectHost?: string; redirectPort?: string }): { redirectHost?: string; redirectPort?: number } {
  const out: { redirectHost?: string; redirectPort?: number } = {};
  if (opts.redirectHost) out.redirectHost = opts.redirectHost;
  if (opts.redirectPort !== undefined) {
    const n = Number(opts.redirectPort);
    if (!/^\d+$/.test(opts.redirectPort) || n < 1 || n > 65535) throw new UsageError(`--redirect-port must be a port number (1-65535), not "${opts.redirectPort}"`);
    out.redirectPort = n;
  }
  return out;
}
