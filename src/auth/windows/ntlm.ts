import type { Context } from '../../context.js';
import type { ResolvedConnection } from '../../connections/types.js';
import type { PreparedRequest, RawResponse } from '../../http/types.js';
import { AuthError } from '../../errors.js';
import { setHeader } from '../../http/headers.js';
import { markSecret, type AuthScheme } from '../plugin.js';
import { authenticateMessage, negotiateMessage, parseChallenge, splitUser, type Credentials } from './messages.js';

/**
 * Windows authentication (NTLMv2) for on-premises APIs. NTLM authenticates the
 * TCP connection, so the whole handshake runs through one kept-alive Session:
 *   request + NEGOTIATE → 401 + CHALLENGE → request + AUTHENTICATE → the answer.
 * `WWW-Authenticate: NTLM` is preferred; a server that offers only `Negotiate`
 * gets the same raw NTLMSSP tokens under that name (SPNEGO acceptors take them).
 * The credential is marked secret in authorize(), so the call path refuses to
 * send it over plain http off loopback without --allow-insecure-http.
 */
export function ntlmScheme(ctx?: Context): AuthScheme {
  return {
    kind: 'windows',
    async authorize(req, conn) {
      const cred = credentials(conn);
      markSecret(req, { header: 'authorization' }, cred.password);
    },
    async exchange(req, conn, session) {
      const cred = credentials(conn);
      let name = 'NTLM';
      let type1 = negotiateMessage();
      let res = await session.send(withAuth(req, name, type1));
      let token = challengeToken(res, name);
      if (res.status === 401 && token === undefined && offers(res, 'Negotiate')) {
        name = 'Negotiate';
        type1 = negotiateMessage();
        res = await session.send(withAuth(req, name, type1));
        token = challengeToken(res, name);
      }
      if (res.status !== 401) return res; // the resource did not ask for Windows authentication
      if (!token) {
        const offered =
          authenticateHeaders(res)
            .map((h) => h.split(/\s/)[0])
            .join(', ') || 'none';
        if (offers(res, 'NTLM') || offers(res, 'Negotiate')) return res; // the server refused the NEGOTIATE message itself
        throw new AuthError(`the server does not offer Windows (NTLM) authentication (it offers: ${offered})`, 'Check the connection kind, or the URL.');
      }
      let challenge;
      try {
        challenge = parseChallenge(Buffer.from(token, 'base64'));
      } catch (e) {
        throw new AuthError(`the server sent a malformed NTLM challenge: ${(e as Error).message}`);
      }
      const who = `${cred.domain ? `${cred.domain}\\` : ''}${cred.user}`;
      ctx?.debug(`ntlm: ${name} challenge from ${challenge.targetName || '(no target name)'}; answering as ${who}${challenge.timestamp ? ' with a MIC' : ''}`);
      const type3 = authenticateMessage(cred, type1, challenge);
      const final = await session.send(withAuth(req, name, type3));
      if (final.status === 401) ctx?.warn(`the server refused Windows authentication as ${who}: check the domain, user name and password`);
      return final;
    },
  };
}

function credentials(conn: ResolvedConnection | undefined): Credentials {
  const v = conn?.values ?? {};
  const username = v.username ?? v.userName ?? v.user;
  if (!username)
    throw new AuthError("the connection has no 'username' value for Windows authentication", 'Recreate it: connector connection create <connector>');
  const { user, domain } = splitUser(username, v.domain ?? '');
  // NTOWFv2 hashes the domain as sent. Domain controllers hash what the client sent,
  // but other acceptors (gss-ntlmssp, Samba user files) hash their own upper-case
  // NetBIOS name: upper-casing works with both.
  return { user, domain: domain.toUpperCase(), password: v.password ?? '' };
}

/** A copy of req carrying `Authorization: <name> <token>` (the original stays clean for retries and traces). */
function withAuth(req: PreparedRequest, name: string, token: Buffer): PreparedRequest {
  const copy: PreparedRequest = { ...req, headers: { ...req.headers } };
  setHeader(copy.headers, 'Authorization', `${name} ${token.toString('base64')}`);
  return copy;
}

function authenticateHeaders(res: RawResponse): string[] {
  const h = res.headers['www-authenticate'];
  // node:http joins repeated WWW-Authenticate headers with ", ".
  const list = Array.isArray(h) ? h : h ? [h] : [];
  return list.flatMap((v) => v.split(/,\s*(?=[A-Za-z][\w-]*(?:\s|$))/)).map((v) => v.trim());
}

function offers(res: RawResponse, name: string): boolean {
  return authenticateHeaders(res).some((v) => v.split(/\s/)[0].toLowerCase() === name.toLowerCase());
}

function challengeToken(res: RawResponse, name: string): string | undefined {
  for (const v of authenticateHeaders(res)) {
    const [scheme, token] = v.split(/\s+/);
    if (scheme.toLowerCase() === name.toLowerCase() && token) return token;
  }
  return undefined;
}
