import { few, plural } from './text.js';
import type { Check } from './types.js';

/**
 * OAuth connections, from the sign-in facts the registry keeps (no token is read): an
 * expired access token is fine while it can be renewed (a refresh token, or the client
 * credentials flow, which asks again); without either the next call fails until a sign-in.
 */
export const oauthCheck: Check = async (ctx, facts) => {
  const { list } = await facts.connections();
  const oauth = list.filter((c) => c.oauth);
  if (!oauth.length) return { id: 'oauth', status: 'ok', message: 'no OAuth connections' };
  const now = ctx.clock.now();
  const signIn: string[] = [];
  const signedOut: string[] = [];
  let renewable = 0;
  for (const c of oauth) {
    const address = `${c.connector}/${c.name}`;
    const t = c.oauth?.token;
    if (!t) {
      signedOut.push(address);
      continue;
    }
    const expired = t.expiresAt !== undefined && Date.parse(t.expiresAt) <= now;
    if (!expired) continue;
    if (t.refreshable || c.oauth?.flow === 'client-credentials') renewable++;
    else signIn.push(address);
  }
  const note = renewable ? `; ${plural(renewable, 'expired token')} will be renewed on next use` : '';
  if (signIn.length) {
    return {
      id: 'oauth',
      status: 'fail',
      message: `${plural(signIn.length, 'OAuth connection')} expired with no refresh token, sign-in needed: ${few(signIn)}${note}`,
      hint: `connector connection login ${signIn[0]}`,
      items: signIn,
    };
  }
  if (signedOut.length) {
    return {
      id: 'oauth',
      status: 'warn',
      message: `${plural(signedOut.length, 'OAuth connection')} signed out: ${few(signedOut)}${note}`,
      hint: `connector connection login ${signedOut[0]}`,
      items: signedOut,
    };
  }
  return { id: 'oauth', status: 'ok', message: `${plural(oauth.length, 'OAuth connection')} usable${note}` };
};
