import { UsageError } from '../errors.js';

/**
 * The one NO_PROXY / HTTP(S)_PROXY reader. Every request the CLI makes (run, import
 * from a URL, every OAuth endpoint) asks it which proxy applies, so they all agree.
 */

/**
 * The proxy URL that applies to `url`, honouring NO_PROXY; undefined → direct. Loopback is never
 * proxied (as in Go's ProxyFromEnvironment): a proxy cannot reach this machine's 127.0.0.1, and a
 * local API, OAuth server or the demo must work for a user behind a corporate proxy.
 */
export function proxyFor(url: URL, env: NodeJS.ProcessEnv): string | undefined {
  const proxy = url.protocol === 'https:' ? (env.HTTPS_PROXY ?? env.https_proxy) : (env.HTTP_PROXY ?? env.http_proxy);
  if (!proxy || isLoopback(url.hostname)) return undefined;
  checkProxy(proxy, url.protocol === 'https:' ? (env.HTTPS_PROXY ? 'HTTPS_PROXY' : 'https_proxy') : env.HTTP_PROXY ? 'HTTP_PROXY' : 'http_proxy');
  const noProxy = (env.NO_PROXY ?? env.no_proxy ?? '').split(/[\s,]+/).filter(Boolean);
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  for (const entry0 of noProxy) {
    if (entry0 === '*') return undefined;
    const [entry, ePort] = entry0
      .toLowerCase()
      .replace(/^\[|\](?=:\d+$|$)/g, '')
      .split(/:(?=\d+$)/);
    if (ePort && ePort !== port) continue;
    const bare = entry.replace(/^\*?\./, '');
    if (host === bare || host.endsWith(`.${bare}`)) return undefined;
  }
  return proxy;
}

/** A proxy setting connector can use: an http(s) URL with a host (a user mistake is exit 2 naming the variable). */
function checkProxy(proxy: string, variable: string): void {
  let u: URL | undefined;
  try {
    u = new URL(proxy);
  } catch {}
  const shown = u ? `${u.protocol}//${u.host}` : 'its value';
  if (!u?.hostname) throw new UsageError(`${variable} is not a valid proxy URL`, 'Write it as http://host:port (user:password@ may come before the host).');
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new UsageError(`${variable} (${shown}): only http:// and https:// proxies are supported`, 'Write it as http://host:port.');
  }
}

/** 127.0.0.0/8, ::1 and localhost names: where plain http may carry credentials. */
export function isLoopback(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/** The proxy as shown to a person: no user name or password. */
export function shownProxy(proxy: string): string {
  try {
    return new URL(proxy).host;
  } catch {
    return 'the proxy';
  }
}
