import type { FlowKind, ResolvedProvider } from '../../oauth/providers.js';
import type { ClientAuth } from '../../oauth/token.js';

/** OAuth 2.0 facts a connection keeps in the registry (never a token or client secret). */
export interface OAuthConnectionInfo {
  /** Endpoints, final scopes and request quirks, resolved once at creation. */
  provider: ResolvedProvider;
  clientId: string;
  flow: FlowKind;
  redirectHost?: string;
  redirectPort?: number;
  /** What `list`/`show` print about the stored token set; refreshed on every save. */
  token?: { expiresAt?: string; scope?: string; refreshable: boolean; savedAt: string };
}

/** The OAuth flags of `connection create` / `login`: declared once, with the options, in src/commands/connection/oauth-options.ts. */
export type { OAuthFlags } from '../../commands/connection/oauth-options.js';

/** A client as the flows need it, plus what must go to the secret store. */
export interface GatheredClient {
  auth: ClientAuth;
  secret?: string;
  certificatePem?: string;
}
