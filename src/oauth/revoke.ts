import { CliError } from '../errors.js';
import { parseTokenBody, postForm, type ClientAuth, type TokenCallOptions } from './token.js';

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
  const { res, text } = await postForm(revocationUrl, 'revocation endpoint', { token, token_type_hint: hint }, client, opts, true);
  if (res.ok) return;
  const p = parseTokenBody(res.headers.get('content-type') ?? '', text);
  if (p?.error === 'unsupported_token_type') return;
  throw new CliError(`the revocation endpoint answered HTTP ${res.status}${typeof p?.error === 'string' ? ` (${p.error})` : ''}`);
}
