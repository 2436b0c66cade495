import { createServer, type RequestListener, type Server } from 'node:http';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { browserFlow } from '../../../src/oauth/authorize.js';
import { discover } from '../../../src/oauth/providers.js';
import type { TokenResponse } from '../../../src/oauth/token.js';
import { browse } from './browser.js';
import { HttpClient } from '../../../src/http/client.js';

/** Test clients registered with the in-process authorization server. */
export const CLIENTS = {
  native: 'cli-native',
  secretBasic: 'ci-basic',
  secretPost: 'ci-post',
  cert: 'ci-cert',
  certEc: 'ci-cert-ec',
  secret: 'not-a-real-secret-0123456789',
};

/**
 * The `connection create` flags that sign in the client-credentials client (CLIENTS.secretPost,
 * its secret read from $CC_SECRET), as the CLI tests give them.
 */
export const clientCredentialsFlags = (issuer: string, scopes: readonly string[] = ['api:read']): string[] => [
  '--provider',
  issuer,
  '--flow',
  'client-credentials',
  '--client-id',
  CLIENTS.secretPost,
  '--client-secret-env',
  'CC_SECRET',
  ...scopes.flatMap((s) => ['--scope', s]),
];

export const CERT_FILE = join(import.meta.dirname, '..', '..', '..', 'fixtures', 'oauth', 'client-cert.pem');
export const EC_CERT_FILE = join(import.meta.dirname, '..', '..', '..', 'fixtures', 'oauth', 'client-cert-ec.pem');

/** A full code + PKCE sign-in of the native client (scripted browser), for tests that need a token set. */
export async function signInNative(op: TestProvider): Promise<TokenResponse> {
  const http = new HttpClient({ env: {} });
  try {
    const p = await discover(op.issuer, { fetch: http.fetch, scopes: ['openid', 'offline_access'] });
    p.authorizationParams = { prompt: 'consent' };
    let page: Promise<unknown> | undefined;
    const t = await browserFlow({ fetch: http.fetch, provider: p, client: { clientId: CLIENTS.native }, onUrl: (url) => void (page = browse(url)) });
    await page;
    return t;
  } finally {
    await http.close();
  }
}

export interface TestProvider {
  issuer: string;
  /** Token endpoint grants seen, by grant_type (successes and errors). */
  grants: { type: string; ok: boolean }[];
  /** Invalidate one access token server-side, leaving its grant and refresh token alive (as an early expiry would). */
  expireAccessToken(token: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * A real oidc-provider 9 on 127.0.0.1:0: a native public client (PKCE
 * required, any loopback port), confidential clients for client credentials
 * (secret basic/post, private_key_jwt with fixtures/oauth/client-cert.pem and client-cert-ec.pem),
 * devInteractions login/consent pages, device flow, revocation, rotation.
 */
export interface ProviderOptions {
  /** Mount the provider on a server of the test's own (e.g. https behind a proxy) and return the issuer URL; default: its own http server on 127.0.0.1:0. */
  mount?: (handler: RequestListener) => Promise<string>;
  /** Token lifetimes in seconds over the defaults below (e.g. short ones, to make a run renew). */
  ttl?: Record<string, number>;
}

export async function startProvider(o: ProviderOptions = {}): Promise<TestProvider> {
  const { default: Provider } = await import('oidc-provider');
  let handler: RequestListener | undefined;
  const late: RequestListener = (req, res) => handler!(req, res);
  let server: Server | undefined;
  let issuer: string;
  if (o.mount) issuer = await o.mount(late);
  else {
    const s = (server = createServer(late));
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
    issuer = `http://127.0.0.1:${(s.address() as { port: number }).port}`;
  }
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signing = { ...privateKey.export({ format: 'jwk' }), kid: 'sig', use: 'sig', alg: 'RS256' };
  const certJwk = { ...createPublicKey(readFileSync(CERT_FILE, 'utf8')).export({ format: 'jwk' }), alg: 'RS256', use: 'sig' };
  const ecJwk = { ...createPublicKey(readFileSync(EC_CERT_FILE, 'utf8')).export({ format: 'jwk' }), alg: 'ES256', use: 'sig' };

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENTS.native,
        application_type: 'native',
        token_endpoint_auth_method: 'none',
        redirect_uris: ['http://127.0.0.1/callback'],
        grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
        response_types: ['code'],
      },
      ...[
        [CLIENTS.secretBasic, 'client_secret_basic'],
        [CLIENTS.secretPost, 'client_secret_post'],
      ].map(([id, method]) => ({
        client_id: id,
        client_secret: CLIENTS.secret,
        token_endpoint_auth_method: method,
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        scope: 'api:read',
      })),
      {
        client_id: CLIENTS.cert,
        token_endpoint_auth_method: 'private_key_jwt',
        token_endpoint_auth_signing_alg: 'RS256',
        jwks: { keys: [certJwk] },
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        scope: 'api:read',
      },
      {
        client_id: CLIENTS.certEc,
        token_endpoint_auth_method: 'private_key_jwt',
        token_endpoint_auth_signing_alg: 'ES256',
        jwks: { keys: [ecJwk] },
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        scope: 'api:read',
      },
    ] as never,
    jwks: { keys: [signing] } as never,
    cookies: { keys: ['test-cookie-key-not-secret'] },
    findAccount: async (_ctx: unknown, sub: string) => ({ accountId: sub, claims: async () => ({ sub }) }),
    ttl: {
      AccessToken: 3600,
      AuthorizationCode: 60,
      ClientCredentials: 600,
      DeviceCode: 600,
      Grant: 3600,
      IdToken: 3600,
      Interaction: 600,
      RefreshToken: 86400,
      Session: 3600,
      ...o.ttl,
    },
    pkce: { required: () => true },
    scopes: ['openid', 'offline_access', 'api:read'],
    features: {
      devInteractions: { enabled: true },
      clientCredentials: { enabled: true },
      deviceFlow: { enabled: true },
      revocation: { enabled: true },
      introspection: { enabled: true },
    },
  } as never);
  const grants: TestProvider['grants'] = [];
  const record = (ok: boolean) => (ctx: { oidc?: { params?: { grant_type?: string } } }) => grants.push({ type: String(ctx.oidc?.params?.grant_type), ok });
  provider.on('grant.success', record(true));
  provider.on('grant.error', record(false));
  provider.on('server_error', (_ctx: unknown, err: Error) => console.error('oidc-provider server_error', err));
  handler = provider.callback();
  return {
    issuer,
    grants,
    expireAccessToken: async (token) => {
      const at = await (provider as unknown as { AccessToken: { find(t: string): Promise<{ destroy(): Promise<void> } | undefined> } }).AccessToken.find(token);
      if (!at) throw new Error('expireAccessToken: unknown token');
      await at.destroy();
    },
    close: () =>
      new Promise<void>((r) => {
        if (!server) return r();
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}
