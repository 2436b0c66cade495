import { readFile } from 'node:fs/promises';
import type { Context } from '../../context.js';
import { InputNeededError, UsageError } from '../../errors.js';
import type { AuthOption, ConnectionParameter, OAuthSetting } from '../../model.js';
import type { ClientCertificate } from '../../oauth/assertion.js';
import type { FlowKind, ResolvedProvider } from '../../oauth/providers.js';
import type { ClientAuth } from '../../oauth/token.js';
import type { GatheredClient, OAuthFlags } from './types.js';

/** Provider, client and flow of a sign-in, from the connector's oauthSetting and the OAuth flags. */

export const canPrompt = (ctx: Context) => !ctx.noInput && ctx.io.canPrompt();

export function oauthSettingOf(option: AuthOption | undefined): OAuthSetting | undefined {
  return option?.parameters.find((p) => p.type === 'oauthSetting')?.oauth;
}

/**
 * The authorization server: --provider (preset name or issuer URL) wins, else the
 * connector's oauthSetting (apiProperties identityProvider, or its securityDefinition).
 * --scope entries are added to the connector's scopes.
 */
export async function resolveProvider(
  ctx: Context,
  setting: OAuthSetting | undefined,
  flags: OAuthFlags,
  values: Record<string, string>,
  parameters: ConnectionParameter[] = [],
): Promise<ResolvedProvider> {
  const m = await import('../../oauth/providers.js');
  let p: ResolvedProvider;
  if (flags.provider && /^https?:\/\//i.test(flags.provider)) {
    p = await m.discover(flags.provider, { fetch: ctx.http.fetch, scopes: setting?.scopes ?? [] });
  } else if (flags.provider) {
    const loginUri = Object.entries(setting?.customParameters ?? {}).find(([k]) => k.toLowerCase() === 'loginuri')?.[1];
    p = m.resolvePreset(flags.provider, { tenant: flags.tenant, loginUri, scopes: setting?.scopes });
  } else if (!setting) {
    throw new UsageError('this connection option declares no OAuth provider', `Pass --provider (${m.PRESET_NAMES.join(', ')}, or an issuer URL).`);
  } else if (setting.identityProvider.toLowerCase() === 'oauth2' && ['password', 'implicit', 'application'].includes(setting.flow ?? '')) {
    // A plain securityDefinition: its flow decides (password refused, implicit run as code + PKCE).
    const scopes = Object.fromEntries((setting.scopes ?? []).map((s) => [s, '']));
    p = m.fromSecurityScheme({
      type: 'oauth2',
      flow: setting.flow,
      authorizationUrl: setting.authorizationUrl,
      tokenUrl: setting.tokenUrl,
      refreshUrl: setting.refreshUrl,
      scopes,
    });
  } else {
    p = m.fromOAuthSetting(setting, { tenant: flags.tenant, values, parameters });
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

/**
 * What to register as the app's redirect URI for the browser sign-in: the loopback URI
 * the listener binds (src/oauth/loopback.ts), any port unless --redirect-port fixes one.
 */
export function redirectAdvice(flags: { redirectHost?: string; redirectPort?: string }): string {
  const host = flags.redirectHost ?? '127.0.0.1';
  if (flags.redirectPort) return `For the browser sign-in, register the redirect URI http://${host}:${flags.redirectPort}/callback with your app.`;
  return (
    `For the browser sign-in, register the redirect URI http://${host}/callback with your app (a native/desktop app takes any port); ` +
    `a provider that wants the exact URI: register http://${host}:8400/callback and pass --redirect-port 8400.`
  );
}

/** Client id (flag, else the connector's clientId, else a prompt), secret (env or stdin, never argv), certificate. */
export async function gatherClient(ctx: Context, flags: OAuthFlags, setting: OAuthSetting | undefined): Promise<GatheredClient> {
  let clientId = flags.clientId ?? realClientId(setting?.clientId);
  if (!clientId) {
    if (!canPrompt(ctx)) {
      throw new InputNeededError(
        'an OAuth client id is needed and cannot prompt: pass --client-id',
        `Use the application (client) id of your app registration at the provider. ${redirectAdvice(flags)}`,
      );
    }
    clientId = (await (await ctx.prompter()).input('OAuth client (application) id', { required: true, hint: redirectAdvice(flags) })).trim();
  }
  let secret: string | undefined;
  if (flags.clientSecretEnv && flags.clientSecretStdin) throw new UsageError('pass either --client-secret-env or --client-secret-stdin, not both');
  if (flags.clientSecretEnv) {
    secret = ctx.io.env[flags.clientSecretEnv];
    if (!secret) throw new UsageError(`--client-secret-env ${flags.clientSecretEnv}: the environment variable ${flags.clientSecretEnv} is not set`);
  } else if (flags.clientSecretStdin) {
    const { readAll } = await import('../../connections/values.js');
    secret = (await readAll(ctx.io.stdin)).replace(/\r?\n$/, '');
    if (!secret) throw new UsageError('--client-secret-stdin: standard input was empty');
  }
  // The connector's own token request sends {clientSecret} (oauth2generic templates, Zoho's): ask for it, never echoed.
  if (secret === undefined && !flags.certificate && templatesNeedSecret(setting)) {
    if (!canPrompt(ctx)) {
      throw new InputNeededError(
        "this connector's token request sends a client secret ({clientSecret} in its OAuth templates), and none was given",
        'Pass --client-secret-env VAR or --client-secret-stdin (never on the command line).',
      );
    }
    secret = await (await ctx.prompter()).password('OAuth client secret', { required: true, hint: "The connector's token request sends it." });
  }
  let certificatePem: string | undefined;
  let certificate: ClientCertificate | undefined;
  if (flags.certificate) {
    try {
      certificatePem = await readFile(flags.certificate, 'utf8');
    } catch (e) {
      throw new UsageError(`cannot read --certificate ${flags.certificate}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    const { loadCertificate } = await import('../../oauth/assertion.js');
    certificate = loadCertificate(certificatePem, certificatePem, flags.certificate);
  }
  return { auth: { clientId, clientSecret: secret, certificate }, secret, certificatePem };
}

/** Whether the setting's oauth2generic templates (token, refresh, query strings) send `{clientSecret}`. */
export function templatesNeedSecret(setting: OAuthSetting | undefined): boolean {
  if (setting?.identityProvider !== 'oauth2generic') return false;
  return Object.values(setting.customParameters ?? {}).some((v) => typeof v === 'string' && /\{clientSecret\}/i.test(v));
}

/** A browser to open and a person at a terminal: `--flow auto` then picks the browser. */
export function canOpenBrowser(ctx: Context): boolean {
  const terminal = Boolean(ctx.io.stdin.isTTY || ctx.io.stderr.isTTY);
  return ctx.browser.available() && terminal;
}

/**
 * The flow to run; client credentials also work against a plain oauth2 token URL when a
 * secret or certificate is given. `address` (`K/C`) names the environment variable of the hints.
 */
export async function pickFlow(ctx: Context, p: ResolvedProvider, requested: 'auto' | FlowKind, client: ClientAuth, address?: string): Promise<FlowKind> {
  const { chooseFlow } = await import('../../oauth/providers.js');
  const confidential = client.clientSecret !== undefined || client.certificate !== undefined;
  if (requested === 'client-credentials' && confidential && !p.flows.includes('client-credentials') && ['oauth2', 'swagger'].includes(p.id)) {
    p.flows = [...p.flows, 'client-credentials'];
  }
  const flow = chooseFlow(p, requested, { canOpenBrowser: canOpenBrowser(ctx) });
  // auto fell back to a browser nobody can open: waiting five minutes for it would only hang CI.
  if (requested === 'auto' && flow === 'browser' && !canOpenBrowser(ctx) && !canPrompt(ctx)) {
    const [k, c] = (address ?? 'K/C').split('/');
    const { envVarName } = await import('../../secrets/env.js');
    throw new InputNeededError(
      'signing in needs a browser, and there is no display or terminal here (the provider offers no device flow)',
      `Pass --flow browser to print the sign-in URL and wait for it; in CI use --flow client-credentials, or skip the sign-in and give the commands a token: ${envVarName(k, c ?? 'default', 'access_token')}=<token>.`,
    );
  }
  return flow;
}

/** --redirect-host / --redirect-port as stored with the connection (login reuses them). */
export function redirectOptions(opts: { redirectHost?: string; redirectPort?: string }): { redirectHost?: string; redirectPort?: number } {
  const out: { redirectHost?: string; redirectPort?: number } = {};
  if (opts.redirectHost) out.redirectHost = opts.redirectHost;
  if (opts.redirectPort !== undefined) {
    const n = Number(opts.redirectPort);
    if (!/^\d+$/.test(opts.redirectPort) || n < 1 || n > 65535)
      throw new UsageError(`--redirect-port must be a port number (1-65535), not "${opts.redirectPort}"`);
    out.redirectPort = n;
  }
  return out;
}
