import { CliError } from '../errors.js';
import { conform, endpoint, oauth } from './library.js';
import { clean } from './loopback.js';
import type { ClientAuth, TokenCallOptions } from './token.js';

/**
 * RFC 7009 token revocation (for `connection logout`). 2xx means revoked or
 * already unknown; an unsupported_token_type answer is not an error worth
 * stopping a logout for, so only transport failures and other errors throw.
 */
export async function revokeToken(
  revocationUrl: string,
  token: string,
  hint: 'refresh_token' | 'access_token',
  client: ClientAuth,
  opts: TokenCallOptions,
): Promise<void> {
  const o = oauth();
  const call = endpoint(o, 'revocation_endpoint', revocationUrl, 'revocation endpoint', client, opts, true);
  const res = await o.revocationRequest(call.as, call.client, call.auth, token, { ...call.options, additionalParameters: { token_type_hint: hint } });
  const c = await conform(res, undefined, false);
  try {
    await o.processRevocationResponse(c.response);
  } catch (e) {
    if (e instanceof o.ResponseBodyError && e.error === 'unsupported_token_type') return;
    if (e instanceof o.ResponseBodyError) throw new CliError(`the revocation endpoint answered HTTP ${c.status} (${clean(e.error, 60)})`);
    if (e instanceof o.OperationProcessingError) throw new CliError(`the revocation endpoint answered HTTP ${c.status}`);
    throw e;
  }
}
