import type { ConnectionRecord } from '../../connections/types.js';
import type { Described } from '../plugin.js';
import { CERTIFICATE, CLIENT_SECRET } from './names.js';

/**
 * What `connection show` and `list` say of an OAuth connection: provider, client, flow,
 * scopes and token expiry, from the registry (the keychain is not read; tokens are never shown).
 */
export function describe(record: ConnectionRecord, nowMs: number): Described | undefined {
  const o = record.oauth;
  if (!o) return undefined;
  const { secretParams } = record;
  const credential = secretParams.includes(CERTIFICATE) ? 'certificate' : secretParams.includes(CLIENT_SECRET) ? 'client secret' : 'public client';
  const t = o.token;
  const signIn = {
    provider: o.provider.id,
    tokenUrl: o.provider.tokenUrl,
    clientId: o.clientId,
    credential,
    flow: o.flow,
    requestedScopes: o.provider.scopes,
    signedIn: Boolean(t),
    ...(t ? { expiresAt: t.expiresAt, scope: t.scope, refreshable: t.refreshable } : {}),
  };
  const facts: [string, string][] = [
    ['oauth', `${o.provider.id} provider, client ${o.clientId} (${credential}), ${o.flow === 'client-credentials' ? 'client credentials' : `${o.flow} flow`}`],
    ['token', o.provider.tokenUrl],
    ['scopes', t?.scope ?? (o.provider.scopes.join(' ') || '(none)')],
    [
      'sign-in',
      t
        ? `${describeExpiry(t.expiresAt, nowMs)}${t.expiresAt ? ` (${t.expiresAt})` : ''}${t.refreshable ? ', refreshable' : ', no refresh token'}`
        : 'signed out (connector connection login)',
    ],
  ];
  const status = t
    ? [describeExpiry(t.expiresAt, nowMs), t.refreshable ? 'refreshable' : '', t.scope ? `scopes: ${t.scope}` : ''].filter(Boolean).join(', ')
    : 'signed out';
  return { facts, json: { signIn }, status: { heading: 'SIGN-IN', text: status } };
}

/** `expires in 59 min` / `expired 3 min ago`, for list and show. */
export function describeExpiry(iso: string | undefined, nowMs = Date.now()): string {
  if (!iso) return 'no expiry given';
  const ms = Date.parse(iso) - nowMs;
  const span = (n: number) =>
    n < 120_000
      ? `${Math.round(n / 1000)} s`
      : n < 2 * 3600_000
        ? `${Math.round(n / 60_000)} min`
        : n < 48 * 3600_000
          ? `${Math.round(n / 3600_000)} h`
          : `${Math.round(n / 86400_000)} d`;
  return ms >= 0 ? `expires in ${span(ms)}` : `expired ${span(-ms)} ago`;
}
