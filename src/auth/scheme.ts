import type { Context } from '../context.js';
import type { AuthKind, ConnectorRecord } from '../model.js';
import type { ResolvedConnection } from '../connections/types.js';
import type { PreparedRequest, RawResponse } from '../http/types.js';

/**
 * Requests that share ONE kept-alive socket. Connection-bound handshakes
 * (NTLM, Negotiate) authenticate the TCP connection, not the request, so the
 * scheme must send every leg of the exchange through the same session.
 */
export interface Session {
  send(req: PreparedRequest): Promise<RawResponse>;
}

/**
 * The auth seam. Every scheme (none, basic, apiKey here; OAuth 2.0 and Windows
 * plug in through registerAuthScheme) is one object:
 *  - authorize: put credentials on the request before it is sent, and mark what
 *    is secret (req.secretHeaders / secretQuery / secretValues) so traces redact it;
 *  - onUnauthorized: after a 401, e.g. refresh an OAuth token; return true and the
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

export type SchemeFactory = (record: ConnectorRecord, conn: ResolvedConnection, ctx?: Context) => AuthScheme | Promise<AuthScheme>;

const factories = new Map<AuthKind, SchemeFactory>();

/** Plug a scheme in for a kind (OAuth 2.0, Windows). Later registrations win. */
export function registerAuthScheme(kind: AuthKind, factory: SchemeFactory): void {
  factories.set(kind, factory);
}

export function registeredFactory(kind: AuthKind): SchemeFactory | undefined {
  return factories.get(kind);
}

/** Mark a credential on the request: never printed, never sent over plain http off loopback. */
export function markSecret(req: PreparedRequest, where: { header?: string; query?: string }, ...values: string[]): void {
  if (where.header) req.secretHeaders.add(where.header.toLowerCase());
  if (where.query) req.secretQuery.add(where.query);
  for (const v of values) if (v) req.secretValues.add(v);
  req.carriesCredentials = true;
}
