import type { Context } from '../../context.js';
import type { AuthPlugin } from '../plugin.js';
import { CERTIFICATE, CLIENT_SECRET, OAUTH_SECRETS, TOKENS } from './names.js';
import { oauth2Parameters } from './parameters.js';
import type { OAuthFlags } from './types.js';
import type { LoginOptions } from './account.js';

/**
 * OAuth 2.0: sign-in at creation (browser with PKCE on a loopback redirect, device code,
 * or client credentials), tokens in the secret store renewed under a cross-process lock,
 * one renewal and retry after a 401. This module stays small: the sign-in and token code
 * (./configure.ts, ./scheme.ts and src/oauth/) load only when a connection needs them.
 */
export const plugin: AuthPlugin = {
  kind: 'oauth2',
  parameters: oauth2Parameters,
  async configure(ctx, option, flags, values, address) {
    const { configure } = await import('./configure.js');
    return configure(ctx, option, flags as OAuthFlags, values, address);
  },
  async scheme(_record, conn, ctx) {
    const { oauth2Scheme } = await import('./scheme.js');
    return oauth2Scheme(conn, ctx);
  },
  // The token set is read by the token storage when a request needs it, and the client's
  // secret or certificate only when the tokens must be renewed.
  lazySecrets: OAUTH_SECRETS,
  ownSecrets: { [TOKENS]: 'tokens', [CLIENT_SECRET]: 'client secret', [CERTIFICATE]: 'certificate' },
  async describe(ctx, record) {
    if (!record.oauth) return undefined;
    const { describe } = await import('./describe.js');
    return describe(record, ctx.clock.now());
  },
  checkRecord: (record) => oauthProblem(record.oauth),
  needsConnection: () => true,
  // CI: a bearer token from CONNECTOR_<K>__<C>__ACCESS_TOKEN, no sign-in stored.
  environment: () => ({ names: ['access_token'], standIn: (present) => (present('access_token') ? {} : undefined) }),
};

const isObject = (v: unknown): v is Record<string, unknown> => Boolean(v) && typeof v === 'object' && !Array.isArray(v);

/** What is wrong with a record's `oauth` sign-in facts (the fields the commands read), or undefined. */
function oauthProblem(o: unknown): string | undefined {
  if (o === undefined) return undefined; // not signed-in yet or made elsewhere: `login` says so
  if (!isObject(o)) return 'oauth is not an object';
  const p = o.provider;
  if (!isObject(p)) return 'oauth.provider is not an object';
  for (const k of ['id', 'tokenUrl'] as const) if (typeof p[k] !== 'string') return `oauth.provider.${k} is not a string`;
  if (!Array.isArray(p.scopes) || p.scopes.some((s) => typeof s !== 'string')) return 'oauth.provider.scopes is not a list of strings';
  for (const k of ['clientId', 'flow'] as const) if (typeof o[k] !== 'string') return `oauth.${k} is not a string`;
  if (o.token !== undefined && !isObject(o.token)) return 'oauth.token is not an object';
  return undefined;
}

// What the OAuth-only commands (`connection login`, `logout`, `token`) use; their code loads on call.
export type { LoginOptions };

/** `connection login`: sign in again, the new token set replacing the stored one. */
export async function login(ctx: Context, connector: string, name: string, opts: LoginOptions) {
  return (await import('./account.js')).login(ctx, connector, name, opts);
}

/** `connection logout`: revoke where the provider can, then delete the stored tokens. */
export async function logout(ctx: Context, connector: string, name: string) {
  return (await import('./account.js')).logout(ctx, connector, name);
}

/** `connection token`: a fresh access token, where it came from, and its expiry (read on demand). */
export async function accessToken(ctx: Context, connector: string, name: string) {
  return (await import('./account.js')).accessToken(ctx, connector, name);
}
