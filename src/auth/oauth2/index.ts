import type { AuthPlugin } from '../plugin.js';
import { OAUTH_SECRETS } from './names.js';
import { oauth2Parameters } from './parameters.js';
import type { OAuthFlags } from './types.js';

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
  needsConnection: () => true,
  // CI: a bearer token from CONNECTOR_<K>_<C>_ACCESS_TOKEN, no sign-in stored.
  environment: () => ({ names: ['access_token'], standIn: (present) => (present('access_token') ? {} : undefined) }),
};
