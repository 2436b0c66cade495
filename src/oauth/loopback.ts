import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { AuthError, CancelError, CliError, UsageError } from '../errors.js';
import { safeEqual } from './pkce.js';

/** Options for the RFC 8252 loopback redirect listener. */
export interface LoopbackOptions {
  /** The `state` sent in the authorization request; the callback must carry the same one. */
  state: string;
  /** `127.0.0.1` (default, RFC 8252 §7.3) or `localhost` for app registrations that insist on it. */
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Callback path; every other path gets 404. */
  path?: string;
  /** RFC 9207: when the callback carries `iss`, it must equal this. */
  expectedIssuer?: string;
  /** RFC 9207: the server advertised authorization_response_iss_parameter_supported, so `iss` is mandatory. */
  requireIssuer?: boolean;
  /** Default 5 minutes. */
  timeoutMs?: number;
  /** Abort (Ctrl-C) → CancelError. */
  signal?: AbortSignal;
  /** Hears each callback refused for its `state` (the listener keeps waiting for the real one). */
  onRejected?: (message: string) => void;
}

export interface LoopbackCallback {
  code: string;
  iss?: string;
}

/**
 * A bound listener. `result` settles once: on the first callback carrying the right `state`, the
 * timeout, or abort; the listener is then closed.
 */
export interface Loopback {
  redirectUri: string;
  port: number;
  result: Promise<LoopbackCallback>;
  close(): Promise<void>;
}

const DEFAULT_TIMEOUT_MS = 5 * 60_000;

/**
 * Bind the loopback listener (before the browser is opened, so the redirect
 * can never race the bind). Exactly one request to the callback path with the
 * right `state` is accepted; it is answered with a small page and the listener
 * closes. A request with a wrong or missing `state` did not come from this
 * sign-in (anything on the machine, or a page in the browser, can send one): it
 * gets an error page and the listener keeps waiting, so a stray or forged
 * callback cannot end the sign-in before the real one arrives.
 */
export async function startLoopback(opts: LoopbackOptions): Promise<Loopback> {
  const host = opts.host ?? '127.0.0.1';
  if (host !== '127.0.0.1' && host !== 'localhost') {
    throw new UsageError(`--redirect-host must be 127.0.0.1 or localhost, not "${host}"`);
  }
  const path = opts.path ?? '/callback';
  const port = opts.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`--redirect-port must be a port number (0-65535), not "${opts.port}"`);
  }

  let settle!: (err: Error | undefined, value?: LoopbackCallback) => void;
  const result = new Promise<LoopbackCallback>((resolve, reject) => {
    settle = (err, value) => (err ? reject(err) : resolve(value!));
  });
  result.catch(() => {}); // the caller may attach its handler later (after opening the browser)

  const servers: Server[] = [];
  let timer: NodeJS.Timeout | undefined;
  let done = false;
  let rejected = 0;
  const finish = (err: Error | undefined, value?: LoopbackCallback) => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onAbort);
    void closeAll();
    settle(err, value);
  };
  const onAbort = () => finish(new CancelError('sign-in cancelled'));
  const closeAll = async () => {
    await Promise.all(
      servers.map(
        (s) =>
          new Promise<void>((r) => {
            s.close(() => r());
            s.closeAllConnections();
          }),
      ),
    );
  };

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://loopback');
    if (url.pathname !== path || done) return send(res, 404, page('Not found', 'Nothing here.'));
    if (req.method !== 'GET') return send(res, 405, page('Method not allowed', 'Use GET.'));
    const outcome = checkCallback(url.searchParams, opts);
    if (outcome === WRONG_STATE) {
      send(res, 400, page('Sign-in refused', 'This sign-in response does not belong to the sign-in the terminal is waiting for. Return to the terminal.'));
      // Once: any local process can send such requests, and each must not add a line to the terminal.
      if (rejected++ === 0)
        opts.onRejected?.('refused a sign-in callback with the wrong state (not from this sign-in; possible cross-site request forgery); still waiting');
    } else if (outcome instanceof Error) {
      send(res, 400, page('Sign-in failed', `${outcome.message}. Return to the terminal.`));
      finish(outcome);
    } else {
      send(res, 200, page('Sign-in received', 'connector finishes signing in now: the terminal says whether it worked. You can close this window.'));
      finish(undefined, outcome);
    }
  };

  const first = await listen(handler, '127.0.0.1', port);
  servers.push(first);
  const bound = (first.address() as { port: number }).port;
  if (host === 'localhost') {
    // Browsers may resolve localhost to ::1 first; answer there too when IPv6 is available.
    await listen(handler, '::1', bound).then(
      (s) => servers.push(s),
      () => {},
    );
  }

  timer = setTimeout(
    () =>
      finish(
        new AuthError(
          `timed out after ${Math.round((opts.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 1000)} s waiting for the browser sign-in`,
          'Run the command again, or use --flow device on a machine without a browser.',
        ),
      ),
    opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  );
  if (done) clearTimeout(timer);
  if (opts.signal?.aborted) onAbort();
  else opts.signal?.addEventListener('abort', onAbort, { once: true });

  return {
    redirectUri: `http://${host}:${bound}${path}`,
    port: bound,
    result,
    close: async () => {
      finish(new CancelError('sign-in cancelled'));
      await closeAll();
    },
  };
}

const WRONG_STATE = Symbol('wrong state');

/** Only a callback with our `state` may end the sign-in (with a code or an error); any other is WRONG_STATE. */
function checkCallback(q: URLSearchParams, opts: LoopbackOptions): LoopbackCallback | Error | typeof WRONG_STATE {
  const state = q.get('state');
  if (state === null || !safeEqual(state, opts.state)) return WRONG_STATE;
  const iss = q.get('iss') ?? undefined;
  if (iss !== undefined && opts.expectedIssuer !== undefined && iss !== opts.expectedIssuer) {
    return new AuthError(`the sign-in callback came from issuer "${clean(iss)}", expected "${opts.expectedIssuer}"; refused`);
  }
  if (iss === undefined && opts.requireIssuer) {
    return new AuthError('the sign-in callback has no iss parameter although the provider promises one; refused');
  }
  const error = q.get('error');
  if (error !== null) return authorizationError(error, q.get('error_description') ?? undefined);
  const code = q.get('code');
  if (!code) return new AuthError('the sign-in callback has neither a code nor an error');
  return { code, iss };
}

/** Map an authorization-endpoint error (RFC 6749 §4.1.2.1) to one line. */
export function authorizationError(error: string, description?: string): AuthError {
  const detail = description ? `: ${clean(description)}` : '';
  switch (error) {
    case 'access_denied':
      return new AuthError(`sign-in was cancelled or consent was denied at the provider${detail}`);
    case 'consent_required':
    case 'interaction_required':
    case 'login_required':
      return new AuthError(`the provider needs you to sign in or consent interactively (${error})${detail}`);
    case 'invalid_scope':
      return new AuthError(`the provider rejected the requested scopes${detail}`, 'Check --scope.');
    case 'unauthorized_client':
    case 'invalid_client':
      return new AuthError(`the provider rejected the client id (${error})${detail}`, 'Check --client-id and the app registration.');
    default:
      return new AuthError(`the provider refused the sign-in (${clean(error)})${detail}`);
  }
}

/** Text from the network goes to a terminal: drop control characters and keep it short. */
export function clean(s: string, max = 200): string {
  // eslint-disable-next-line no-control-regex
  const t = s.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max)}…` : t;
}

function listen(handler: (req: IncomingMessage, res: ServerResponse) => void, host: string, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer(handler);
    server.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE') {
        reject(new CliError(`port ${port} on ${host} is already in use`, { hint: 'Pick another --redirect-port, or omit it for a random one.' }));
      } else reject(e);
    });
    server.listen(port, host, () => resolve(server));
  });
}

function send(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
    'referrer-policy': 'no-referrer',
    connection: 'close',
  });
  res.end(html);
}

function page(title: string, text: string): string {
  const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html><html><head><meta charset="utf-8"><title>connector: ${esc(title)}</title>
<style>body{font-family:system-ui,sans-serif;margin:4em auto;max-width:32em;text-align:center}</style></head>
<body><h1>${esc(title)}</h1><p>${esc(text)}</p></body></html>`;
}
