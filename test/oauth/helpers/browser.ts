/**
 * A scripted "browser" for the authorization server's real pages: follows
 * redirects by hand, keeps cookies, and submits each HTML form it meets
 * (filling login/password/user_code). It stops at the first page without a
 * form, such as the CLI's loopback callback page.
 */
export interface BrowseResult {
  url: string;
  status: number;
  body: string;
  visited: string[];
}

export interface BrowseOptions {
  userCode?: string;
  /** Click the devInteractions "abort" link instead of signing in. */
  abort?: boolean;
  /** Rewrite a URL before requesting it (e.g. to tamper with the callback). */
  rewrite?: (url: string) => string;
  /** The HTTP client to browse with (default: the global fetch). */
  fetch?: typeof fetch;
}

export async function browse(start: string, o: BrowseOptions = {}): Promise<BrowseResult> {
  const jar = new Map<string, string>();
  const visited: string[] = [];
  let url = start;
  let init: RequestInit = { method: 'GET' };
  for (let step = 0; step < 25; step++) {
    if (o.rewrite) url = o.rewrite(url);
    visited.push(url);
    const headers = new Headers(init.headers);
    if (jar.size) headers.set('cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await (o.fetch ?? fetch)(url, { ...init, headers, redirect: 'manual' });
    for (const c of res.headers.getSetCookie()) {
      const [pair, ...attrs] = c.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attrs.some((a) => /^\s*(max-age=0|expires=thu, 01 jan 1970)/i.test(a));
      if (expired || value === '') jar.delete(name);
      else jar.set(name, value);
    }
    const body = await res.text();
    if (res.status >= 300 && res.status < 400) {
      url = new URL(res.headers.get('location')!, url).toString();
      init = { method: 'GET' };
      continue;
    }
    if (o.abort) {
      const abort = /href="([^"]*\/abort)"/.exec(body);
      if (abort) {
        url = new URL(decode(abort[1]), url).toString();
        init = { method: 'GET' };
        continue;
      }
    }
    const form = /<form\b([^>]*)>([\s\S]*?)<\/form>/i.exec(body);
    if (!form || !/method="post"/i.test(form[1])) return { url, status: res.status, body, visited };
    const action = /action="([^"]*)"/i.exec(form[1])?.[1] ?? url;
    const fields = new URLSearchParams();
    for (const m of form[2].matchAll(/<input\b([^>]*)>/gi)) {
      const name = /name="([^"]*)"/i.exec(m[1])?.[1];
      if (!name) continue;
      let value = decode(/value="([^"]*)"/i.exec(m[1])?.[1] ?? '');
      if (name === 'login') value = 'alice';
      if (name === 'password') value = 'any-password';
      if (name === 'user_code' && !value) value = o.userCode ?? '';
      fields.set(name, value);
    }
    url = new URL(decode(action), url).toString();
    init = { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: fields.toString() };
  }
  throw new Error(`browse: too many steps from ${start}`);
}

function decode(s: string): string {
  return s
    .replace(/&amp;/g, '&')
    .replace(/&#x2F;/gi, '/')
    .replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n)))
    .replace(/&quot;/g, '"');
}
