import type { Context } from '../../context.js';
import type { AuthOption } from '../../model.js';
import type { Configured } from '../plugin.js';
import { CERTIFICATE, CLIENT_SECRET, TOKENS } from './names.js';
import { gatherClient, oauthSettingOf, pickFlow, redirectOptions, resolveProvider } from './provider.js';
import { signIn } from './signin.js';
import { MemoryTokenStorage } from './storage.js';
import { tokenFacts } from './tokens.js';
import type { OAuthConnectionInfo, OAuthFlags } from './types.js';

/**
 * `connection create` for OAuth 2.0: resolve provider, client and flow, then sign in.
 * The tokens stay in memory (the verification uses them) until the connection is saved;
 * the client secret and certificate join the secrets.
 */
export async function configure(
  ctx: Context,
  option: AuthOption | undefined,
  flags: OAuthFlags,
  values: Record<string, string>,
  address: string,
): Promise<Configured> {
  const { toTokenSet } = await import('../../oauth/tokens.js');
  const setting = oauthSettingOf(option);
  const provider = await resolveProvider(ctx, setting, flags, values, option?.parameters);
  const client = await gatherClient(ctx, flags, setting);
  const flow = await pickFlow(ctx, provider, flags.flow ?? 'auto', client.auth, address);
  const info: OAuthConnectionInfo = { provider, clientId: client.auth.clientId, flow, ...redirectOptions(flags) };
  const tokens = new MemoryTokenStorage(toTokenSet(await signIn(ctx, info, client.auth, address), undefined, ctx.clock.now()));
  ctx.io.err(`Signed in (${flow === 'client-credentials' ? 'client credentials' : `${flow} flow`}).`);
  const secrets: Record<string, string> = {};
  if (client.secret !== undefined) secrets[CLIENT_SECRET] = client.secret;
  if (client.certificatePem !== undefined) secrets[CERTIFICATE] = client.certificatePem;
  return {
    secrets,
    record: { oauth: info },
    tokenStorage: tokens,
    later: [TOKENS],
    noun: 'tokens',
    // The verification may have renewed the tokens: store the latest set.
    finish() {
      const latest = tokens.current!;
      info.token = tokenFacts(latest, ctx.clock.now());
      return { secrets: { [TOKENS]: JSON.stringify(latest) } };
    },
  };
}
