import type { Context } from '../../context.js';
import { printJson } from '../../io/output.js';
import { resolveAddress } from '../../connections/store.js';
import { type LoginOptions, login as signInAgain } from '../../auth/oauth2/index.js';

/** `connector connection login <connector>/<name>`: sign in again; the new token set replaces the stored one. */
export default async function login(ctx: Context, address: string, opts: LoginOptions): Promise<number> {
  const { connector, name } = await resolveAddress(ctx, address, { short: true });
  const { flow, facts, store } = await signInAgain(ctx, connector, name, opts);
  if (ctx.json) printJson(ctx.io, { connection: `${connector}/${name}`, flow, ...facts });
  else ctx.io.err(`Signed in to ${connector}/${name}; tokens saved in the ${store}.`);
  return 0;
}
