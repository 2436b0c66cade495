import { AuthError, CliError } from '../errors.js';
import { clean } from './loopback.js';
import { conform, defined, endpoint, oauth } from './library.js';
import { deviceCodeGrant, OAuthError, type ClientAuth, type TokenCallOptions, type TokenResponse } from './token.js';
import { systemClock } from '../io/clock.js';

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
  const sleep = o.sleep ?? systemClock.sleep;
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
  const lib = oauth();
  // The same client authentication as the token endpoint (RFC 8628 §3.1): post, basic or a signed assertion.
  const call = endpoint(lib, 'device_authorization_endpoint', o.deviceAuthorizationUrl, 'device authorization endpoint', o.client, o, true);
  const res = await lib.deviceAuthorizationRequest(call.as, call.client, call.auth, defined({ scope: o.scope || undefined, ...o.extra }), call.options);
  const c = await conform(res, fixDevice);
  try {
    const a = await lib.processDeviceAuthorizationResponse(call.as, call.client, c.response);
    return { ...a, interval: a.interval ?? 5 };
  } catch (e) {
    if (e instanceof lib.ResponseBodyError) {
      const code = clean(e.error, 60);
      const d = typeof e.error_description === 'string' ? `: ${clean(e.error_description)}` : '';
      throw new OAuthError(code, `the provider refused the device sign-in (${code}${d})`);
    }
    if (e instanceof lib.OperationProcessingError) throw new CliError(`the device authorization endpoint answered HTTP ${c.status} without a device code`);
    throw e;
  }
}

/**
 * What real device endpoints send, made into RFC 8628 §3.2: older Microsoft
 * endpoints say verification_url; expires_in and interval may be strings, or
 * missing (then 15 minutes and 5 s).
 */
function fixDevice(b: Record<string, unknown>): void {
  b.verification_uri ??= b.verification_url;
  const num = (v: unknown) => {
    const n = typeof v === 'string' ? Number(v) : v;
    return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : undefined;
  };
  b.expires_in = num(b.expires_in) ?? 900;
  b.interval = num(b.interval);
}

function expired(): AuthError {
  return new AuthError('the device code expired before the sign-in was completed', 'Run the command again and enter the code sooner.');
}
