import type { AuthKind, AuthOption } from '../model.js';
import type { FlowKind, ResolvedProvider } from '../oauth/providers.js';
import type { TokenStorage } from '../oauth/tokens.js';

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

/** A connection as stored in the registry (home/connections.json). Never holds a secret value. */
export interface ConnectionRecord {
  connector: string;
  name: string;
  /** AuthOption.id chosen at creation ('' when the connector needs no auth). */
  authOption: string;
  kind: AuthKind;
  /** Non-secret parameter values. */
  values: Record<string, string>;
  /** Names of parameters whose values live in the secret store. */
  secretParams: string[];
  /** Where those secrets live. */
  secretStore: 'keychain' | 'vault' | 'memory';
  isDefault: boolean;
  testOperation?: string;
  /** Present for kind 'oauth2' connections created by `connection create`. */
  oauth?: OAuthConnectionInfo;
  createdAt: string;
  updatedAt: string;
}

/** A connection ready to use: every parameter value, secrets included, env overrides applied. */
export interface ResolvedConnection {
  record: ConnectionRecord;
  option: AuthOption | undefined;
  /** All values by parameter name (secret ones included). */
  values: Record<string, string>;
  /** Every secret value, for redaction in traces and errors. */
  secrets: string[];
  /** Where each value came from, for `connection show`: 'registry' | 'keychain' | 'vault' | 'memory' | 'env:VAR'. */
  origins: Record<string, string>;
  /** Where the OAuth token set is read and saved, when not the connection's secret store (create verifies before saving). */
  tokenStorage?: TokenStorage;
  /** Stored secrets not read yet (OAuth client secret and certificate: needed only to renew tokens). */
  deferred?: string[];
}
