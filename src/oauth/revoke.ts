import { CliError } from '../errors.js';
import { applyClientAuth, parseTokenBody, requireSecureEndpoint, type ClientAuth, type TokenCallOptions } from './token.js';

/**
 * RFC 7009 token revocation (for `connection logout`). 200 means revoked or
 * already unknown; an unsupported_token_type answer is not an error worth
 * stopping a logout for, so only transport failures and other errors throw.
 */
export async function revokeToken(
  revocationUrl: string,
  token: string,
  hint: 'refresh_token' | 'access_token',
  client: ClientAuth,
  opts: TokenCallOptions = {},
): Promise<void> {
  requireSecureEndpoint(revocationUrl, 'revocation endpoint');
  const body = new URLSearchParams({ token, token_type_hint: hint });
  const headers: Record<string, string> = { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' };
  applyClientAuth(body, headers, client, revocationUrl);
  const timeout = AbortSignal.timeout(opts.timeoutMs ?? 30_000);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  let res: Response;
  let text: string;
  try {
    res = await (opts.fetch ?? fetch)(revocationUrl, { method: 'POST', headers, body: body.toString(), redirect: 'error', signal });
    text = await res.text();
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    const why = timeout.aborted ? 'timed out' : (cause?.code ?? cause?.message ?? (e as Error).message);
    throw new CliError(`could not reach the revocation endpoint ${new URL(revocationUrl).origin}: ${why}`);
  }
  if (res.ok) return;
  const p = parseTokenBody(res.headers.get('content-type') ?? '', text);
  if (p?.error === 'unsupported_token_type') return;
  throw new CliError(`the revocation endpoint answered HTTP ${res.status}${typeof p?.error === 'string' ? ` (${p.error})` : ''}`);
}
