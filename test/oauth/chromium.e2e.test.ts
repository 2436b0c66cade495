import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import { browserFlow } from '../../src/oauth/authorize.js';
import { discover } from '../../src/oauth/providers.js';
import { CLIENTS, startProvider, type TestProvider } from './helpers/provider.js';
import { HttpClient } from '../../src/http/client.js';

/**
 * The one end-to-end run of the loopback flow in a real browser: Debian's
 * headless Chromium (driven by playwright-core, which never downloads a
 * browser here) signs in and consents on oidc-provider's own pages and is
 * redirected to the CLI's loopback callback page.
 */
const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`chromium.e2e: ${CHROMIUM} not found; skipping the headless Chromium sign-in test (apt-get install -y chromium)`);

describe.skipIf(!hasChromium)('browser sign-in in headless Chromium', () => {
  let op: TestProvider | undefined;
  let context: BrowserContext | undefined;
  let profile: string | undefined;
  const http = new HttpClient({ env: {} });

  beforeAll(async () => {
    op = await startProvider();
    profile = mkdtempSync('/tmp/chr-');
    const { chromium } = await import('playwright-core');
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    // Loopback only: the devInteractions layout @imports a web font; refuse anything off 127.0.0.1.
    await context.route(/^(?!https?:\/\/127\.0\.0\.1[:/])/, (route) => route.abort());
  }, 30_000);

  afterAll(async () => {
    await context?.close();
    await http.close();
    await op?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('signs in, consents, and lands on the CLI callback page with tokens', async () => {
    const provider = await discover(op!.issuer, { fetch: http.fetch, scopes: ['openid', 'offline_access'] });
    // oidc-provider issues a refresh token only for offline_access with prompt=consent.
    provider.authorizationParams = { prompt: 'consent' };
    const page = context!.pages()[0] ?? (await context!.newPage());
    const abort = new AbortController();
    let driving: Promise<void> | undefined;

    const flow = browserFlow({
      fetch: http.fetch,
      provider,
      client: { clientId: CLIENTS.native },
      timeoutMs: 25_000,
      signal: abort.signal,
      // Instead of `open`: drive Chromium. A failure there cancels the flow so the real error surfaces below.
      onUrl: (url) => {
        driving = drive(page, url).catch((e) => {
          abort.abort();
          throw e;
        });
      },
    });
    const tokens = await flow.catch(async (e) => {
      await driving; // rethrows the browser-side failure, if that is what cancelled the flow
      throw e;
    });
    await driving;

    expect(page.url()).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback\?/);
    expect(new URL(page.url()).origin).not.toBe(op!.issuer);
    expect(await page.locator('body').innerText()).toContain('You can close this window');
    expect(tokens.access_token).toBeTruthy();
    expect(tokens.refresh_token).toBeTruthy();
    expect(tokens.scope?.split(' ').sort()).toEqual(['offline_access', 'openid']);
    expect(op!.grants).toContainEqual({ type: 'authorization_code', ok: true });
  }, 30_000);
});

/** What a user does: open the URL, fill devInteractions' login form, press Continue on consent, land on the callback. */
async function drive(page: Page, url: string): Promise<void> {
  const step = { timeout: 10_000 };
  await page.goto(url, { waitUntil: 'domcontentloaded', ...step });
  await page.locator('input[name="login"]').fill('alice', step);
  await page.locator('input[name="password"]').fill('any-password', step);
  await page.getByRole('button', { name: 'Sign-in' }).click(step);
  await page.getByRole('button', { name: 'Continue' }).click(step);
  await page.waitForURL(/^http:\/\/127\.0\.0\.1:\d+\/callback\?/, { waitUntil: 'domcontentloaded', ...step });
  await page.getByText('You can close this window').waitFor(step);
}
