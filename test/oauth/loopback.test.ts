import { describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { startLoopback } from '../../src/oauth/loopback.js';
import { challengeFor, createPkce, createState, safeEqual } from '../../src/oauth/pkce.js';
import { AuthError, CancelError, CliError, UsageError } from '../../src/errors.js';

describe('pkce', () => {
  it('matches the RFC 7636 Appendix B example', async () => {
    expect(await challengeFor('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });
  it('makes a 43-character verifier from the unreserved alphabet, and fresh state each time', async () => {
    const p = await createPkce();
    expect(p.verifier).toMatch(/^[A-Za-z0-9\-._~]{43}$/);
    expect(p.challenge).toBe(await challengeFor(p.verifier));
    expect(createState()).not.toBe(createState());
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abc', 'abd')).toBe(false);
    expect(safeEqual('abc', 'abcd')).toBe(false);
  });
});

describe('loopback redirect listener (RFC 8252)', () => {
  it('binds 127.0.0.1 on a random port, answers only the callback path, accepts one callback, then closes', async () => {
    const lb = await startLoopback({ state: 's1' });
    expect(lb.redirectUri).toBe(`http://127.0.0.1:${lb.port}/callback`);
    expect(lb.port).toBeGreaterThan(0);
    expect((await fetch(`http://127.0.0.1:${lb.port}/`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${lb.port}/favicon.ico`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${lb.port}/callback`, { method: 'POST' })).status).toBe(405);
    const res = await fetch(`${lb.redirectUri}?code=abc&state=s1`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const text = await res.text();
    expect(text).toContain('You can close this window');
    // The code is received, not yet exchanged: the page does not claim a sign-in that may still fail.
    expect(text).toContain('Sign-in received');
    expect(text).not.toContain('Signed in');
    expect(await lb.result).toEqual({ code: 'abc', iss: undefined });
    await expect(fetch(`${lb.redirectUri}?code=again&state=s1`)).rejects.toThrow(); // listener is gone
  });

  it('refuses a wrong or missing state with an error page, and keeps waiting for the real callback', async () => {
    const refused: string[] = [];
    const lb = await startLoopback({ state: 's1', onRejected: (m) => refused.push(m) });
    let settled = false;
    void lb.result.finally(() => (settled = true)).catch(() => {});
    for (const q of ['code=abc&state=other', 'code=abc', 'error=access_denied&state=forged']) {
      const res = await fetch(`${lb.redirectUri}?${q}`);
      expect(res.status).toBe(400);
      expect(await res.text()).toContain('does not belong to the sign-in');
    }
    await new Promise((r) => setTimeout(r, 20));
    expect(settled).toBe(false);
    expect(refused).toHaveLength(1); // one warning however many: any local process can send them
    expect(refused[0]).toMatch(/wrong state/);
    expect((await fetch(`${lb.redirectUri}?code=real&state=s1`)).status).toBe(200);
    expect(await lb.result).toEqual({ code: 'real', iss: undefined });
  });

  it('checks RFC 9207 iss when present, and when the server promised it', async () => {
    let lb = await startLoopback({ state: 's', expectedIssuer: 'https://as.example' });
    await fetch(`${lb.redirectUri}?code=c&state=s&iss=https%3A%2F%2Fevil.example`);
    await expect(lb.result).rejects.toThrow(/issuer "https:\/\/evil.example"/);

    lb = await startLoopback({ state: 's', expectedIssuer: 'https://as.example', requireIssuer: true });
    await fetch(`${lb.redirectUri}?code=c&state=s`);
    await expect(lb.result).rejects.toThrow(/no iss parameter/);

    lb = await startLoopback({ state: 's', expectedIssuer: 'https://as.example' });
    await fetch(`${lb.redirectUri}?code=c&state=s&iss=https%3A%2F%2Fas.example`);
    await expect(lb.result).resolves.toEqual({ code: 'c', iss: 'https://as.example' });
  });

  it('maps error=access_denied to an exit-4 AuthError and shows it on the page', async () => {
    const lb = await startLoopback({ state: 's' });
    const res = await fetch(`${lb.redirectUri}?error=access_denied&error_description=User+said+no&state=s`);
    expect(await res.text()).toContain('consent was denied');
    const e = await lb.result.catch((x) => x);
    expect(e).toBeInstanceOf(AuthError);
    expect(e).toMatchObject({ exitCode: 4 });
    expect(e.message).toMatch(/consent was denied at the provider: User said no/);
  });

  it('times out with a clear message, and Ctrl-C (abort) cancels with exit 3', async () => {
    const lb = await startLoopback({ state: 's', timeoutMs: 20 });
    await expect(lb.result).rejects.toThrow(/timed out after 0 s waiting for the browser sign-in/);

    const ac = new AbortController();
    const lb2 = await startLoopback({ state: 's', signal: ac.signal });
    ac.abort();
    const e = await lb2.result.catch((x) => x);
    expect(e).toBeInstanceOf(CancelError);
    expect(e.exitCode).toBe(3);
    await expect(fetch(lb2.redirectUri)).rejects.toThrow(); // closed
  });

  it('supports --redirect-host localhost and a fixed --redirect-port; refuses other hosts and a busy port', async () => {
    const lb = await startLoopback({ state: 's', host: 'localhost' });
    expect(lb.redirectUri).toBe(`http://localhost:${lb.port}/callback`);
    await fetch(`http://127.0.0.1:${lb.port}/callback?code=c&state=s`);
    await expect(lb.result).resolves.toMatchObject({ code: 'c' });

    await expect(startLoopback({ state: 's', host: '0.0.0.0' })).rejects.toBeInstanceOf(UsageError);

    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
    const port = (busy.address() as { port: number }).port;
    const e = await startLoopback({ state: 's', port }).catch((x) => x);
    busy.close();
    expect(e).toBeInstanceOf(CliError);
    expect(e.message).toBe(`port ${port} on 127.0.0.1 is already in use`);

    const free = await startLoopback({ state: 's', port, path: '/cb' });
    expect(free.redirectUri).toBe(`http://127.0.0.1:${port}/cb`);
    await free.close();
    await expect(free.result).rejects.toBeInstanceOf(CancelError);
  });
});
