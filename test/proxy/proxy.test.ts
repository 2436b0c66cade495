import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { tempHome } from '../helpers/cli.js';
import { startProxyNet, type ProxyNet } from '../helpers/proxy-net.js';
import { browse } from '../oauth/helpers/browser.js';
import { CLIENTS, clientCredentialsFlags, startProvider, type TestProvider } from '../oauth/helpers/provider.js';
import { writeConnector } from '../oauth-cli/helpers.js';
import { builtCliExists, killLeftovers, runBuilt, spawnCli, ROOT } from './child.js';

// Issue 9, "Done when": behind HTTPS_PROXY, import from an https URL, every OAuth flow and `run`
// all go through the proxy. The hosts exist only behind the loopback CONNECT proxy (names under
// .invalid never resolve), so a request that went around it fails. The CLI is the built bundle,
// one process per command, with the encrypted vault as the store shared between them.

const KEY = 'proxy-test-api-key';
const VAULT = 'proxy-test-vault-passphrase';
let net: ProxyNet;
let op: TestProvider;
let issuer: string;
let home: string;
const apiCalls: { path: string; key?: string; token?: string; status: number }[] = [];

if (!builtCliExists()) throw new Error('dist/cli is missing: run `npm run build` before these tests');

beforeAll(async () => {
  net = await startProxyNet();
  const spec = JSON.parse(readFileSync(join(ROOT, 'fixtures', 'specs', 'petstore.swagger.json'), 'utf8'));
  spec.host = 'api.example.invalid';
  spec.schemes = ['https'];
  await net.host('specs', (req, res) => {
    if (req.url === '/petstore.json') res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(spec));
    else res.writeHead(404).end();
  });
  op = await startProvider({ mount: (h) => net.host('auth', h), ttl: { ClientCredentials: 5 } });
  issuer = op.issuer;
  await net.host('api', api);
  home = tempHome('connector-proxy-');
  const dir = writeConnector(join(home, 'src', 'oauthtest'), issuer, 'api.example.invalid');
  const swagger = join(dir, 'apiDefinition.swagger.json');
  writeFileSync(swagger, readFileSync(swagger, 'utf8').replace('"schemes": ["http"]', '"schemes": ["https"]'));
  const r = await cli(['import', dir, '--name', 'oauthtest']);
  expect(r.code, r.stderr).toBe(0);
}, 20_000);

afterEach(killLeftovers);
afterAll(async () => {
  await op?.close();
  await net?.close();
});

/** The petstore (X-Api-Key) and GET /me (a bearer token the provider's introspection calls active). */
async function api(req: IncomingMessage, res: ServerResponse) {
  const path = req.url ?? '';
  const key = req.headers['x-api-key'] as string | undefined;
  const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
  let status = 404;
  let body: unknown = { error: 'not found' };
  if (path.startsWith('/v1/pets')) {
    status = key === KEY ? 200 : 401;
    body = status !== 200 ? { error: 'bad key' } : path.startsWith('/v1/pets/') ? { id: 1, name: 'Rex' } : [{ id: 1, name: 'Rex' }];
  } else if (path === '/me') {
    const info = token ? await introspect(token) : { active: false };
    status = info.active ? 200 : 401;
    body = info.active ? { sub: info.sub ?? null, client_id: info.client_id, scope: info.scope } : { error: 'invalid_token' };
  }
  apiCalls.push({ path, key, token, status });
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

async function introspect(token: string): Promise<{ active?: boolean; sub?: string; client_id?: string; scope?: string }> {
  const r = await net.fetch(`${issuer}/token/introspection`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${CLIENTS.secretBasic}:${CLIENTS.secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ token }).toString(),
  });
  return (await r.json()) as { active?: boolean };
}

const env = (extra: NodeJS.ProcessEnv = {}) => ({ ...net.env(), CONNECTOR_VAULT_PASSPHRASE: VAULT, ...extra });
const cli = (args: string[], extra: NodeJS.ProcessEnv = {}) => runBuilt(['--secret-store', 'vault', ...args], { home, env: env(extra) });
const spawnVault = (args: string[], extra: NodeJS.ProcessEnv = {}) => spawnCli(['--secret-store', 'vault', ...args], { home, env: env(extra) });

/** What the proxy tunnelled while `fn` ran. */
async function tunnelled<T>(fn: () => Promise<T>): Promise<{ result: T; hosts: string[] }> {
  const from = net.connects.length;
  const result = await fn();
  return { result, hosts: [...new Set(net.connects.slice(from))] };
}

describe('behind HTTPS_PROXY (hosts only the proxy can reach)', () => {
  it('imports from an https URL through the proxy', async () => {
    const { result: r, hosts } = await tunnelled(() => cli(['import', 'https://specs.example.invalid/petstore.json', '--name', 'petstore']));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("Imported 'petstore'");
    expect(hosts).toEqual(['specs.example.invalid:443']);
    expect(net.plain).toEqual([]);
  }, 15_000);

  it('a request that goes around the proxy cannot reach these hosts (the control)', async () => {
    const r = await runBuilt(['import', 'https://specs.example.invalid/petstore.json', '--name', 'direct'], { home, env: { NODE_EXTRA_CA_CERTS: net.caFile } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('cannot resolve host specs.example.invalid');
  }, 15_000);

  it('creates an API key connection (verified) and runs an operation through the proxy', async () => {
    const { result: c, hosts } = await tunnelled(() =>
      cli(['connection', 'create', 'petstore', '--param-env', 'api_key=PET_KEY', '--no-input'], { PET_KEY: KEY }),
    );
    expect(c.code, c.stderr).toBe(0);
    expect(c.stderr).toMatch(/Verified: \w+ answered HTTP 200/);
    expect(hosts).toEqual(['api.example.invalid:443']);
    const calls = apiCalls.length;
    const { result: r, hosts: runHosts } = await tunnelled(() => cli(['run', 'petstore', 'getPetById', '-p', 'petId=1']));
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ id: 1, name: 'Rex' });
    expect(runHosts).toEqual(['api.example.invalid:443']);
    expect(apiCalls.slice(calls)).toEqual([{ path: '/v1/pets/1', key: KEY, token: undefined, status: 200 }]);
  }, 15_000);

  it('runs with the connection from CONNECTOR_<K>_<C>_<PARAM> alone', async () => {
    const { result: r, hosts } = await tunnelled(() => cli(['run', 'petstore', 'listPets', '-c', 'ci'], { CONNECTOR_PETSTORE_CI_API_KEY: KEY }));
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([{ id: 1, name: 'Rex' }]);
    expect(hosts).toEqual(['api.example.invalid:443']);
  }, 15_000);
});

// These need the OAuth code on the one HTTP client (ctx.http): on Node's global fetch the
// CLI ignores HTTPS_PROXY and fails to resolve auth.example.invalid.
describe('every OAuth flow through the proxy (a real oidc-provider at https://auth.example.invalid)', () => {
  it('client credentials: discovery and the token request; a run renews the short-lived token', async () => {
    const args = ['connection', 'create', 'oauthtest', '--name', 'ci', ...clientCredentialsFlags(issuer), '--no-input'];
    const grants = op.grants.length;
    const { result: c, hosts } = await tunnelled(() => cli(args, { CC_SECRET: CLIENTS.secret }));
    expect(c.code, c.stderr).toBe(0);
    expect(hosts.sort()).toEqual(['api.example.invalid:443', 'auth.example.invalid:443']); // sign-in, then the verifying call
    const signedIn = Date.now();
    expect(op.grants.slice(grants)).toEqual([{ type: 'client_credentials', ok: true }]);

    // The token lives 5 s (its renewal margin is a tenth of that): once it has expired, the run gets a new one before the call.
    await new Promise((r) => setTimeout(r, Math.max(0, 5_100 - (Date.now() - signedIn))));
    const before = op.grants.length;
    const { result: r, hosts: runHosts } = await tunnelled(() => cli(['run', 'oauthtest', 'GetMe', '-c', 'ci']));
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ client_id: CLIENTS.secretPost, scope: 'api:read' });
    expect(op.grants.slice(before)).toEqual([{ type: 'client_credentials', ok: true }]);
    expect(runHosts.sort()).toEqual(['api.example.invalid:443', 'auth.example.invalid:443']);
  }, 25_000);

  it('browser: the code exchange goes through the proxy; a run refreshes the expired token through it', async () => {
    const grants = op.grants.length;
    const { result, hosts } = await tunnelled(async () => {
      const child = spawnVault(['connection', 'create', 'oauthtest', '--flow', 'browser', '--no-input']);
      const [, url] = await child.waitForStderr(/(https:\/\/auth\.example\.invalid\/auth\?\S+)/);
      const page = await browse(url, { fetch: net.fetch });
      return { page, r: await child.done };
    });
    expect(result.r.code, result.r.stderr).toBe(0);
    expect(result.page.status).toBe(200);
    expect(result.page.body).toContain('You can close this window');
    expect(result.r.stderr).toContain('Verified: GetMe answered HTTP 200');
    expect(op.grants.slice(grants)).toEqual([{ type: 'authorization_code', ok: true }]);
    expect(hosts.sort()).toEqual(['api.example.invalid:443', 'auth.example.invalid:443']); // sign-in, then the verifying call

    // The access token dies server-side: the API answers 401 and the run refreshes, through the proxy.
    const tok = await cli(['connection', 'token', 'oauthtest/default']);
    expect(tok.code, tok.stderr).toBe(0);
    await op.expireAccessToken(tok.stdout.trim());
    const before = op.grants.length;
    const calls = apiCalls.length;
    const { result: r, hosts: runHosts } = await tunnelled(() => cli(['run', 'oauthtest', 'GetMe', '-c', 'default']));
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ sub: 'alice', client_id: CLIENTS.native });
    expect(apiCalls.slice(calls).map((c) => c.status)).toEqual([401, 200]);
    expect(op.grants.slice(before)).toEqual([{ type: 'refresh_token', ok: true }]);
    expect(runHosts.sort()).toEqual(['api.example.invalid:443', 'auth.example.invalid:443']);
  }, 15_000);

  it('device: authorization and polling go through the proxy; logout revokes through it', async () => {
    const { result, hosts } = await tunnelled(async () => {
      const child = spawnVault([
        'connection',
        'create',
        'oauthtest',
        '--name',
        'dev',
        '--provider',
        issuer,
        '--flow',
        'device',
        '--client-id',
        CLIENTS.native,
        '--scope',
        'openid',
        '--scope',
        'offline_access',
        '--no-input',
      ]);
      const [, uri, code] = await child.waitForStderr(/open (\S+) and enter the code: (\S+)/);
      const page = await browse(uri, { userCode: code, fetch: net.fetch });
      return { uri, page, r: await child.done };
    });
    expect(result.r.code, result.r.stderr).toBe(0);
    expect(result.uri).toBe(`${issuer}/device`);
    expect(result.page.status).toBe(200);
    expect(hosts.sort()).toEqual(['api.example.invalid:443', 'auth.example.invalid:443']); // sign-in, then the verifying call

    const tok = await cli(['connection', 'token', 'oauthtest/dev']);
    expect(tok.code, tok.stderr).toBe(0);
    const token = tok.stdout.trim();
    expect((await introspect(token)).active).toBe(true);

    const { result: out, hosts: outHosts } = await tunnelled(() => cli(['connection', 'logout', 'oauthtest/dev']));
    expect(out.code, out.stderr).toBe(0);
    expect(out.stderr).toContain('tokens revoked at the provider and deleted');
    expect(outHosts).toEqual(['auth.example.invalid:443']);
    expect((await introspect(token)).active).toBe(false);
  }, 20_000); // the provider asks for 5 s between polls
});
