import type { AuthKind, AuthOption } from '../model.js';
import type { TokenStorage } from '../oauth/tokens.js';
import type { OAuthConnectionInfo } from '../auth/oauth2/types.js';

export type { OAuthConnectionInfo } from '../auth/oauth2/types.js';

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
  /** The OAuth 2.0 sign-in facts (kind 'oauth2' connections made by `connection create`). */
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
  /** Where the token set is read and saved, when not the connection's secret store (create verifies before saving). */
  tokenStorage?: TokenStorage;
  /** Stored secrets not read yet (the plug-in's lazySecrets, e.g. the OAuth client secret: needed only to renew tokens). */
  deferred?: string[];
}
