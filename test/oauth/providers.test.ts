import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  checkFlow,
  chooseFlow,
  defaultScope,
  discover,
  fillTemplate,
  fromOAuthSetting,
  fromSecurityScheme,
  resolvePreset,
  scopeParam,
} from '../../src/oauth/providers.js';
import { buildAuthorizationUrl, refreshWithProvider } from '../../src/oauth/authorize.js';
import type { OAuthSetting } from '../../src/model.js';
import { CliError, UsageError } from '../../src/errors.js';
import { CORPUS_DIR } from '../helpers/cli.js';

const hasCorpus = existsSync(CORPUS_DIR);
if (!hasCorpus) console.warn(`corpus not found at ${CORPUS_DIR}: skipping the corpus provider tests`);

/** Every oauthSetting in a connector's apiProperties, customParameters flattened to values (as src/model.ts describes). */
function settings(name: string): OAuthSetting[] {
  const props = JSON.parse(readFileSync(join(CORPUS_DIR, name, 'apiProperties.json'), 'utf8')).properties ?? {};
  const sets = [props.connectionParameters ?? {}, ...(props.connectionParameterSets?.values ?? []).map((v: { parameters: object }) => v.parameters)];
  const out: OAuthSetting[] = [];
  for (const params of sets) {
    for (const p of Object.values(params) as { type?: string; oAuthSettings?: Record<string, unknown> }[]) {
      if (p.type !== 'oauthSetting' || !p.oAuthSettings) continue;
      const o = p.oAuthSettings;
      const cp = Object.fromEntries(Object.entries((o.customParameters as Record<string, { value: string }>) ?? {}).map(([k, v]) => [k, v?.value]));
      out.push({ ...(o as unknown as OAuthSetting), scopes: (o.scopes as string[]) ?? [], customParameters: cp });
    }
  }
  return out;
}
const one = (name: string) => settings(name)[0];
const AUTH = { clientId: 'cid', redirectUri: 'http://127.0.0.1:5555/callback', state: 'st', codeChallenge: 'ch' };

describe.skipIf(!hasCorpus)('providers from the real corpus', () => {
  it('every oauthSetting resolves, or fails with one CliError line (never a crash)', () => {
    let resolved = 0;
    for (const dir of readdirSync(CORPUS_DIR)) {
      if (!existsSync(join(CORPUS_DIR, dir, 'apiProperties.json'))) continue;
      for (const s of settings(dir)) {
        try {
          const p = fromOAuthSetting(s);
          expect(p.tokenUrl, dir).toMatch(/^https:\/\//);
          resolved++;
        } catch (e) {
          expect(e, dir).toBeInstanceOf(CliError);
          expect((e as Error).message, dir).not.toContain('\n');
        }
      }
    }
    expect(resolved).toBeGreaterThan(25);
  });

  it('oauth2 (GitHub Gists): the customParameters URLs and scopes', () => {
    const p = fromOAuthSetting(one('GitHub Gists'));
    expect(p).toMatchObject({
      authorizationUrl: 'https://github.com/login/oauth/authorize',
      tokenUrl: 'https://github.com/login/oauth/access_token',
      scopes: ['gist'],
      flows: ['browser'],
    });
  });

  it('space-joined scope entries are split (OneNote Personal, Microsoft account)', () => {
    const p = fromOAuthSetting(one('OneNote (Personal)'));
    expect(scopeParam(p)).toBe('offline_access Notes.Create Notes.Read Notes.ReadWrite Notes.ReadWrite.CreatedByApp');
    expect(p.tokenUrl).toBe('https://login.microsoftonline.com/consumers/oauth2/v2.0/token');
  });

  it('aadcertificate (Planner): login.windows.net → v2 endpoints, resource → .default + offline_access, certificate auth', () => {
    const p = fromOAuthSetting(one('Planner'));
    expect(p).toMatchObject({
      tokenUrl: 'https://login.microsoftonline.com/common/oauth2/v2.0/token',
      authorizationUrl: 'https://login.microsoftonline.com/common/oauth2/v2.0/authorize',
      deviceAuthorizationUrl: 'https://login.microsoftonline.com/common/oauth2/v2.0/devicecode',
      scopes: ['https://graph.microsoft.com/.default', 'offline_access'],
      clientAuthMethod: 'private_key_jwt',
    });
    expect(() => checkFlow(p, 'client-credentials')).toThrow(UsageError);
    const t = fromOAuthSetting(one('Planner'), { tenant: '72f988bf-86f1-41af-91ab-2d7cd011db47' });
    expect(t.tokenUrl).toBe('https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/token');
    expect(() => checkFlow(t, 'client-credentials')).not.toThrow();
  });

  it('aad with an ARM resource keeps its double slash; capitalised customParameters are read (Lighthouse)', () => {
    expect(fromOAuthSetting(one('Azure Machine Learning')).scopes[0]).toBe('https://management.azure.com//.default');
    const l = fromOAuthSetting(one('Microsoft 365 Lighthouse'), { tenant: 'organizations' });
    expect(l.scopes).toEqual(['https://graph.microsoft.com/.default', 'offline_access']);
    expect(l.tokenUrl).toBe('https://login.microsoftonline.com/organizations/oauth2/v2.0/token');
  });

  it('oauth2generic (Zoho Mail): URL placeholders from connection values, query template + forced loopback redirect and PKCE', () => {
    expect(() => fromOAuthSetting(one('Zoho Mail'))).toThrow(/needs a value for \{CustomHost\}/);
    const p = fromOAuthSetting(one('Zoho Mail'), { values: { customHost: '.eu' } });
    expect(p.tokenUrl).toBe('https://accounts.zoho.eu/oauth/v2/token');
    const u = new URL(buildAuthorizationUrl(p, { ...AUTH, scope: scopeParam(p) }));
    expect(u.origin + u.pathname).toBe('https://accounts.zoho.eu/oauth/v2/auth');
    expect(Object.fromEntries(u.searchParams)).toMatchObject({
      response_type: 'code',
      client_id: 'cid',
      redirect_uri: AUTH.redirectUri,
      state: 'st',
      access_type: 'offline',
      prompt: 'consent',
      code_challenge: 'ch',
      code_challenge_method: 'S256',
    });
    expect(u.searchParams.get('scope')).toContain('VirtualOffice.accounts.READ VirtualOffice.messages.ALL');
  });

  it('oauth2generic (Coupa): a path in the query template, a hard-coded Power Platform redirect replaced', () => {
    const p = fromOAuthSetting(one('Coupa'), { values: { customHost: 'acme', CoupaClientId: 'coupa-id' } });
    const u = new URL(buildAuthorizationUrl(p, AUTH));
    expect(u.origin + u.pathname).toBe('https://acme.coupahost.com/oauth2/authorizations/new');
    expect(u.searchParams.get('redirect_uri')).toBe(AUTH.redirectUri);
    expect(u.searchParams.getAll('redirect_uri')).toHaveLength(1);
  });

  it('oauth2generic (AzureAD): the refresh body template, with the secret left to client authentication', async () => {
    const p = fromOAuthSetting(one('AzureAD'));
    let sent: URLSearchParams | undefined;
    const fakeFetch = (async (_u: string, init: RequestInit) => {
      sent = new URLSearchParams(String(init.body));
      return new Response('{"access_token":"a"}', { headers: { 'content-type': 'application/json' } });
    }) as unknown as typeof fetch;
    await refreshWithProvider(p, { clientId: 'cid', clientSecret: 'sec' }, 'rt', { fetch: fakeFetch });
    expect(Object.fromEntries(sent!)).toEqual({ client_id: 'cid', refresh_token: 'rt', grant_type: 'refresh_token', client_secret: 'sec' });
  });

  it('hash-routed sign-in pages get their query after the fragment (LawVu)', () => {
    const p = fromOAuthSetting(one('LawVu'));
    expect(buildAuthorizationUrl(p, AUTH)).toMatch(/^https:\/\/go\.lawvu\.com\/#\/authorize\?response_type=code&client_id=cid&/);
  });

  it('DocuSign reads its LoginUri', () => {
    expect(fromOAuthSetting(one('DocuSign'))).toMatchObject({
      id: 'docusign',
      tokenUrl: 'https://account.docusign.com/oauth/token',
      clientAuthMethod: 'client_secret_basic',
    });
  });
});

describe('presets', () => {
  it('github, google, microsoft account, entra, docusign, facebook need no URLs', () => {
    expect(resolvePreset('github')).toMatchObject({
      tokenUrl: 'https://github.com/login/oauth/access_token',
      deviceAuthorizationUrl: 'https://github.com/login/device/code',
    });
    expect(resolvePreset('google')).toMatchObject({
      revocationUrl: 'https://oauth2.googleapis.com/revoke',
      authorizationParams: { access_type: 'offline', prompt: 'consent' },
    });
    expect(resolvePreset('microsoft').tokenUrl).toBe('https://login.microsoftonline.com/consumers/oauth2/v2.0/token');
    expect(resolvePreset('entra', { tenant: 'contoso.onmicrosoft.com' }).tokenUrl).toBe(
      'https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token',
    );
    expect(resolvePreset('docusign').authorizationUrl).toBe('https://account.docusign.com/oauth/auth');
    expect(scopeParam(resolvePreset('facebook'), ['email', 'public_profile'])).toBe('email,public_profile');
  });

  it('refuses an unknown provider, a malformed tenant, and a flow the provider lacks', () => {
    expect(() => resolvePreset('myspace')).toThrow(/unknown --provider "myspace"/);
    expect(() => resolvePreset('entra', { tenant: 'not a tenant' })).toThrow(UsageError);
    expect(() => checkFlow(resolvePreset('github'), 'client-credentials')).toThrow(/does not support --flow client-credentials/);
    expect(() => checkFlow(resolvePreset('docusign'), 'device')).toThrow(UsageError);
  });

  it('--flow auto: browser when one can open, else device, client credentials when that is all there is', () => {
    expect(chooseFlow(resolvePreset('github'), 'auto', { canOpenBrowser: true })).toBe('browser');
    expect(chooseFlow(resolvePreset('github'), 'auto', { canOpenBrowser: false })).toBe('device');
    expect(chooseFlow(resolvePreset('docusign'), 'auto', { canOpenBrowser: false })).toBe('browser');
    expect(chooseFlow(fromSecurityScheme({ type: 'oauth2', flow: 'application', tokenUrl: 'https://a/t', scopes: {} }), 'auto', { canOpenBrowser: true })).toBe(
      'client-credentials',
    );
    expect(() => chooseFlow(resolvePreset('docusign'), 'device', { canOpenBrowser: false })).toThrow(UsageError);
  });

  it('defaultScope drops a trailing slash except for ARM', () => {
    expect(defaultScope('https://graph.microsoft.com/')).toBe('https://graph.microsoft.com/.default');
    expect(defaultScope('api://abc')).toBe('api://abc/.default');
    expect(defaultScope('https://management.core.windows.net/')).toBe('https://management.core.windows.net//.default');
  });
});

describe('Swagger / OpenAPI oauth2 security schemes', () => {
  const scopes = { read: 'r', write: 'w' };
  it('accessCode → browser, application → client credentials', () => {
    expect(
      fromSecurityScheme({ type: 'oauth2', flow: 'accessCode', authorizationUrl: 'https://a/authorize', tokenUrl: 'https://a/token', scopes }),
    ).toMatchObject({ flows: ['browser'], scopes: ['read', 'write'] });
    expect(fromSecurityScheme({ type: 'oauth2', flow: 'application', tokenUrl: 'https://a/token', scopes })).toMatchObject({
      flows: ['client-credentials'],
      authorizationUrl: undefined,
    });
  });
  it('implicit runs as code + PKCE against the sibling /token endpoint', () => {
    const p = fromSecurityScheme({ type: 'oauth2', flow: 'implicit', authorizationUrl: 'https://login.example.com/oauth2/authorize', scopes });
    expect(p).toMatchObject({ tokenUrl: 'https://login.example.com/oauth2/token', flows: ['browser'] });
    expect(new URL(buildAuthorizationUrl(p, AUTH)).searchParams.get('response_type')).toBe('code');
  });
  it('the password grant is refused with a clear message', () => {
    expect(() => fromSecurityScheme({ type: 'oauth2', flow: 'password', tokenUrl: 'https://a/token', scopes }, 'pw')).toThrow(
      /security scheme pw uses the OAuth password grant, which connector refuses/,
    );
  });
  it('OpenAPI 3 flows: authorizationCode preferred, refreshUrl kept', () => {
    const p = fromSecurityScheme({
      type: 'oauth2',
      flows: {
        clientCredentials: { tokenUrl: 'https://a/cc', scopes },
        authorizationCode: { authorizationUrl: 'https://a/auth', tokenUrl: 'https://a/token', refreshUrl: 'https://a/refresh', scopes },
      },
    });
    expect(p).toMatchObject({ tokenUrl: 'https://a/token', refreshUrl: 'https://a/refresh', flows: ['browser'] });
  });
});

describe('templates and discovery', () => {
  it('fillTemplate is case-insensitive, encodes query values, and names a missing placeholder', () => {
    expect(fillTemplate('a={clientid}&b={Scopes}', { ClientId: 'x y', scopes: 'a&b' }, 'query')).toBe('a=x%20y&b=a%26b');
    expect(() => fillTemplate('{customHost}', {}, 'url')).toThrow(/needs a value for \{customHost\}/);
    expect(() => fillTemplate('https://{h}.example.com', { h: 'evil.com/x' }, 'url')).toThrow(UsageError);
  });

  it('discovery refuses metadata naming another issuer, and plain http off loopback', async () => {
    const fakeFetch = (async () =>
      new Response(JSON.stringify({ issuer: 'https://evil.example', token_endpoint: 'https://evil.example/token' }))) as unknown as typeof fetch;
    await expect(discover('https://as.example', { fetch: fakeFetch })).rejects.toThrow(/names a different issuer/);
    await expect(discover('http://as.example', { fetch: fakeFetch })).rejects.toThrow(/must be an https URL/);
  });
});

describe('a connector with a malformed OAuth URL', () => {
  it('gets one line naming the URL, not a crash', () => {
    const p = fromSecurityScheme({
      type: 'oauth2',
      flow: 'accessCode',
      authorizationUrl: 'login.example.com/authorize',
      tokenUrl: 'https://login.example.com/token',
    });
    const a = { clientId: 'c', redirectUri: 'http://127.0.0.1:1/callback', state: 's', codeChallenge: 'x' };
    expect(() => buildAuthorizationUrl(p, a)).toThrow(CliError);
    expect(() => buildAuthorizationUrl(p, a)).toThrow("the connector's OAuth authorization URL is not a valid URL: 'login.example.com/authorize'");
  });
});
