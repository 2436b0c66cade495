import { AuthError, CancelError, CliError } from '../errors.js';
import { clean } from './loopback.js';
import { deviceCodeGrant, OAuthError, parseTokenBody, postForm, type ClientAuth, type TokenCallOptions, type TokenResponse } from './token.js';

/** What the user must see: the code and where to enter it. */
export interface DevicePrompt {
  userCode: string;
  verificationUri: string;
  verificationUriComplete?: string;
  expiresIn: number;
}

export interface DeviceFlowOptions extends TokenCallOptions {
  deviceAuthorizationUrl: string;
  tokenUrl: string;
  client: ClientAuth;
  scope?: string;
  extra?: Record<string, string>;
  /** Show the code (stderr in the CLI). Called once, before polling starts. */
  onPrompt: (p: DevicePrompt) => void;
  /** Injectable for tests; must reject with CancelError when the signal aborts. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  now?: () => number;
}

/**
 * RFC 8628 device authorization grant: request a device code, show it, poll
 * the token endpoint every `interval` seconds (+5 s on slow_down) until the
 * user approves, denies, or the code expires.
 */
export async function deviceFlow(o: DeviceFlowOptions): Promise<TokenResponse> {
  const auth = await requestDeviceCode(o);
  o.onPrompt({
    userCode: auth.user_code,
    verificationUri: auth.verification_uri,
    verificationUriComplete: auth.verification_uri_complete,
    expiresIn: auth.expires_in,
  });
  const sleep = o.sleep ?? abortableSleep;
  const now = o.now ?? Date.now;
  const deadline = now() + auth.expires_in * 1000;
  let interval = auth.interval;
  for (;;) {
    await sleep(interval * 1000, o.signal);
    if (now() > deadline) throw expired();
    try {
      return await deviceCodeGrant({ tokenUrl: o.tokenUrl, deviceCode: auth.device_code, client: o.client }, o);
    } catch (e) {
      if (!(e instanceof OAuthError)) throw e;
      if (e.code === 'authorization_pending') continue;
      if (e.code === 'slow_down') {
        interval += 5;
        continue;
      }
      if (e.code === 'expired_token') throw expired();
      if (e.code === 'access_denied') throw new AuthError('sign-in was denied on the device verification page');
      throw e;
    }
  }
}

interface DeviceAuthorization {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete?: string;
  expires_in: number;
  interval: number;
}

async function requestDeviceCode(o: DeviceFlowOptions): Promise<DeviceAuthorization> {
  // The same client authentication as the token endpoint (RFC 8628 §3.1): post, basic or a signed assertion.
  const { res, text } = await postForm(o.deviceAuthorizationUrl, 'device authorization endpoint', { scope: o.scope || undefined, ...o.extra }, o.client, o, true);
  const p = parseTokenBody(res.headers.get('content-type') ?? '', text);
  if (p && typeof p.error === 'string') {
    const d = typeof p.error_description === 'string' ? `: ${clean(p.error_description)}` : '';
    throw new OAuthError(clean(p.error, 60), `the provider refused the device sign-in (${clean(p.error, 60)}${d})`);
  }
  // Older Microsoft endpoints say verification_url; accept it.
  const uri = p?.verification_uri ?? p?.verification_url;
  if (!res.ok || !p || typeof p.device_code !== 'string' || typeof p.user_code !== 'string' || typeof uri !== 'string') {
    throw new CliError(`the device authorization endpoint answered HTTP ${res.status} without a device code`);
  }
  const num = (v: unknown, d: number) => {
    const n = typeof v === 'string' ? Number(v) : v;
    return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : d;
  };
  return {
    device_code: p.device_code,
    user_code: p.user_code,
    verification_uri: uri,
    verification_uri_complete: typeof p.verification_uri_complete === 'string' ? p.verification_uri_complete : undefined,
    expires_in: num(p.expires_in, 900),
    interval: num(p.interval, 5),
  };
}

function expired(): AuthError {
  return new AuthError('the device code expired before the sign-in was completed', 'Run the command again and enter the code sooner.');
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new CancelError());
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(new CancelError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
