import type { Context } from '../context.js';
import type { AuthKind, AuthOption, ConnectionParameter, ConnectorRecord } from '../model.js';
import type { ConnectionRecord, ResolvedConnection } from '../connections/types.js';
import type { PreparedRequest, RawResponse } from '../http/types.js';
import type { TokenStorage } from '../oauth/tokens.js';

/**
 * Requests that share ONE kept-alive socket. Connection-bound handshakes
 * (NTLM, Negotiate) authenticate the TCP connection, not the request, so the
 * scheme must send every leg of the exchange through the same session.
 */
export interface Session {
  send(req: PreparedRequest): Promise<RawResponse>;
}

/**
 * The request-time half of a plug-in, one per call (it may hold a token between
 * authorize and onUnauthorized):
 *  - authorize: put credentials on the request before it is sent, and mark what
 *    is secret (markSecret) so traces redact it;
 *  - onUnauthorized: after a 401, e.g. renew an OAuth token; return true and the
 *    client calls authorize again and retries ONCE;
 *  - exchange: when present the client hands the whole send to the scheme with a
 *    Session bound to one socket (NTLM: Type 1 → 401 + challenge → Type 3 → result).
 */
export interface AuthScheme {
  readonly kind: AuthKind;
  authorize(req: PreparedRequest, conn: ResolvedConnection | undefined): Promise<void>;
  onUnauthorized?(res: RawResponse, req: PreparedRequest, conn: ResolvedConnection | undefined): Promise<boolean>;
  exchange?(req: PreparedRequest, conn: ResolvedConnection | undefined, session: Session): Promise<RawResponse>;
}

/** A Swagger 2 securityDefinition or OpenAPI 3 securityScheme, as written in the spec. */
export interface SecurityDefinition {
  id: string;
  raw: Record<string, unknown>;
}

/**
 * What one connection option is derived from (see src/spec/connection-model.ts):
 * either an apiProperties parameter list (a connectionParameterSet or the flat
 * connectionParameters) read together with the spec's security definitions, or one
 * security definition alone (`definition` set, `params` empty).
 */
export interface ParameterSource {
  id: string;
  /** The uiDefinition's display name ('' when there is none; the plug-in picks a default). */
  label: string;
  /** The option's parsed parameters: a fresh list the claiming plug-in may edit. */
  params: ConnectionParameter[];
  /** Every security definition of the connector. */
  definitions: SecurityDefinition[];
  /** The connectionParameterSet's name, which may name the definition it goes with. */
  setName?: string;
  /** Set when the option is made from this one security definition (no apiProperties). */
  definition?: SecurityDefinition;
}

/** What `connection create` keeps of a kind's configure step, beyond the plain parameter values. */
export interface Configured {
  /** Secrets to store beside the parameter values (OAuth: client secret, certificate). */
  secrets?: Record<string, string>;
  /** Record fields of this kind (OAuth: the `oauth` sign-in facts). */
  record?: Partial<ConnectionRecord>;
  /** Where verification reads and saves tokens while nothing is stored yet. */
  tokenStorage?: TokenStorage;
  /** Names of the secrets `finish` supplies (they are part of the record from the start). */
  later?: string[];
  /** After the verification (which may have renewed tokens), just before saving: the last secrets and fields. */
  finish?(): { secrets?: Record<string, string>; record?: Partial<ConnectionRecord> };
  /** What the stored secrets are called in "Created connection … (<noun> in the keychain)". */
  noun?: string;
}

/**
 * What `connection show` and `connection list` print of a connection beyond what every
 * connection has, from its record (no secret is read or shown).
 */
export interface Described {
  /** `show`'s extra `  label:  value` lines, after the common ones. */
  facts: [label: string, value: string][];
  /** Merged into `show --json`'s object (e.g. `{ signIn: {...} }`). */
  json?: Record<string, unknown>;
  /** One cell of `list`: the column (named `heading`) appears only when some connection has one. */
  status?: { heading: string; text: string };
}

/** The flags of `connection create` a plug-in may read (the OAuth ones; see OAuthFlags). */
export type CreateFlags = Record<string, unknown>;

/**
 * One auth kind, as one object in src/auth/<kind>/ listed in src/auth/kinds.ts.
 * Nothing outside src/auth/ branches on a kind: the connection model, `connection
 * create`, the connection store and the call path all ask the kind's plug-in.
 */
export interface AuthPlugin {
  readonly kind: AuthKind;
  /**
   * The connection option this kind makes of `src`, or undefined when `src` is not
   * of this kind. Plug-ins are asked in the order of the KINDS table and the first
   * claim wins, so a plug-in edits `src.params` only when it claims.
   */
  parameters(src: ParameterSource): AuthOption | undefined;
  /** Refuse, before anything is asked, an option that cannot be used from the terminal. */
  check?(option: AuthOption, connector: ConnectorRecord): void;
  /**
   * What creating a connection of this kind needs beyond the plain values (`values`:
   * the non-secret ones): prompts, a sign-in, inputs for the verification.
   */
  configure(ctx: Context, option: AuthOption | undefined, flags: CreateFlags, values: Record<string, string>, address: string): Promise<Configured>;
  /** The request-time scheme of a stored (or just configured) connection. */
  scheme(record: ConnectorRecord, conn: ResolvedConnection, ctx: Context): AuthScheme | Promise<AuthScheme>;
  /**
   * Secret-store items of this kind beyond its parameters, read only when a request
   * needs them (each keychain read costs ~10 ms). `connection create` probes the
   * keychain with the first one when the option has no secret parameter.
   */
  readonly lazySecrets?: readonly string[];
  /**
   * The secret-store items this kind keeps beside the parameter values (OAuth's tokens,
   * client secret), each with what `connection list` calls it. `connection show` does not
   * list them as parameters: `describe` tells of them.
   */
  readonly ownSecrets?: Readonly<Record<string, string>>;
  /** What `show` and `list` print of this kind's record fields (see Described); undefined: nothing. */
  describe?(ctx: Context, record: ConnectionRecord): Promise<Described | undefined>;
  /**
   * What is wrong with the record fields of this kind in connections.json (e.g.
   * "oauth.clientId is not a string", the path relative to the record), or undefined.
   * `record` is an object whose common fields are already checked.
   */
  checkRecord?(record: Record<string, unknown>): string | undefined;
  /** False when a connection of this option is pointless (it carries nothing). */
  needsConnection(option: AuthOption): boolean;
  /**
   * CI without a stored connection: the parameter names whose CONNECTOR_<K>__<C>__<PARAM>
   * variables stand in for one (all of them needed), or undefined when none can.
   */
  environment(option: AuthOption): { names: string[]; standIn(present: (name: string) => boolean): Record<string, string> | undefined } | undefined;
}

/** Mark a credential on the request: never printed, never sent over plain http off loopback. */
export function markSecret(req: PreparedRequest, where: { header?: string; query?: string }, ...values: string[]): void {
  if (where.header) req.secretHeaders.add(where.header.toLowerCase());
  if (where.query) req.secretQuery.add(where.query);
  for (const v of values) if (v) req.secretValues.add(v);
  req.carriesCredentials = true;
}
