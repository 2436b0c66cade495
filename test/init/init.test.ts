import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempHome } from '../helpers/cli.js';
import { strictPrompter } from '../helpers/context.js';
import { MemoryStore } from '../../src/secrets/store.js';

/** The loopback API the scaffolded connectors point at: GET /v1/items, answering only with the credential it expects. */
let server: Server;
let base: string;
let seen: IncomingMessage[] = [];
const AUTH_OK: Record<string, (req: IncomingMessage) => boolean> = {
  none: () => true,
  basic: (req) => req.headers.authorization === `Basic ${Buffer.from('maker:s3cret').toString('base64')}`,
  apikey: (req) => req.headers['x-test-key'] === 'k3y',
  apikeyquery: (req) => new URL(req.url!, 'http://x').searchParams.get('key') === 'k3y',
};
let expectAuth: (req: IncomingMessage) => boolean = () => true;

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req);
    const path = new URL(req.url!, 'http://x').pathname;
    if (req.method !== 'GET' || path !== '/v1/items') return void res.writeHead(404).end();
    if (!expectAuth(req)) return void res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"unauthorized"}');
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify([{ id: '1', name: 'first' }]));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

let home: string;
let work: string;
let store: MemoryStore;
beforeEach(() => {
  home = tempHome();
  work = tempHome('connector-init-');
  store = new MemoryStore();
  seen = [];
});
const run = (args: string[], env: NodeJS.ProcessEnv = {}, overrides = {}) =>
  runCli(args, { home, env, overrides: { secrets: async () => store, ...overrides } });
const readJson = (...p: string[]) => JSON.parse(readFileSync(join(...p), 'utf8'));

const FLAGS: Record<string, string[]> = {
  none: [],
  basic: [],
  apikey: ['--api-key-name', 'X-Test-Key', '--api-key-in', 'header'],
  oauth2: ['--authorization-url', 'https://auth.example.com/authorize', '--token-url', 'https://auth.example.com/token', '--scope', 'read', '--scope', 'write'],
  'oauth2-aad': ['--client-id', '11111111-2222-3333-4444-555555555555', '--resource-uri', 'https://api.example.com', '--scope', 'User.Read'],
  windows: [],
};

describe('connector init --no-input, every --auth kind', () => {
  for (const kind of Object.keys(FLAGS)) {
    it(`${kind}: writes a paconn folder that imports`, async () => {
      const dir = join(work, kind);
      const r = await run(['init', dir, '--title', `Init ${kind}`, '--base-url', base, '--auth', kind, ...FLAGS[kind], '--no-input']);
      expect(r.stderr).toContain('Wrote 2 files');
      expect(r.stderr).toContain(`connector import ${dir}`);
      expect(r.code).toBe(0);
      expect(readdirSync(dir).sort()).toEqual(['apiDefinition.swagger.json', 'apiProperties.json']);
      const swagger = readJson(dir, 'apiDefinition.swagger.json');
      expect(swagger).toMatchObject({ swagger: '2.0', info: { title: `Init ${kind}` }, host: new URL(base).host, basePath: '/v1', schemes: ['http'] });
      expect(swagger.info.description.length).toBeGreaterThanOrEqual(30);
      const op = swagger.paths['/items'].get;
      expect(op).toMatchObject({ operationId: 'ListItems', summary: expect.any(String), description: expect.any(String) });
      expect(op.responses['200'].schema.items.properties.id['x-ms-summary']).toBe('ID');
      const props = readJson(dir, 'apiProperties.json').properties;
      expect(props.iconBrandColor).not.toBe('#007ee5');
      expect(Array.isArray(props.capabilities)).toBe(true);

      const imported = await run(['import', dir]);
      expect(imported.stderr).not.toContain('warning');
      expect(imported.code).toBe(0);
      expect(JSON.parse((await run(['list', '--json'])).stdout).map((c: { name: string }) => c.name)).toEqual([`init-${kind}`]);
    });
  }

  it('every kind validates with no error (`connector validate <dir>` exits 0) with an https base URL', async () => {
    for (const kind of Object.keys(FLAGS)) {
      const dir = join(work, `valid-${kind}`);
      const args = ['init', dir, '--title', `Init ${kind}`, '--base-url', 'https://api.example.com/v1', '--auth', kind, ...FLAGS[kind], '--no-input'];
      expect((await run(args)).code).toBe(0);
      const v = await run(['validate', dir, '--json']);
      expect([kind, v.code, JSON.parse(v.stdout).summary.errors]).toEqual([kind, 0, 0]);
    }
    // a loopback http base URL (to run against a local API) is what certification refuses: said as errors, not hidden
    const localDir = join(work, 'local');
    expect((await run(['init', localDir, '--title', 'Init local', '--base-url', base, '--no-input'])).code).toBe(0);
    const local = await run(['validate', localDir]);
    expect(local.code).toBe(1);
    expect(local.stdout + local.stderr).toMatch(/checklist-(https-only|host-not-local)/);
  });

  it('writes the connection parameters the platform writes for each kind', async () => {
    const props: Record<string, any> = {};
    for (const kind of Object.keys(FLAGS)) {
      const dir = join(work, kind);
      expect(
        (await run(['init', dir, '--title', `T ${kind}`, '--base-url', 'https://api.example.com', '--auth', kind, ...FLAGS[kind], '--no-input'])).code,
      ).toBe(0);
      props[kind] = { ...readJson(dir, 'apiProperties.json').properties, swagger: readJson(dir, 'apiDefinition.swagger.json') };
    }
    expect(props.none.connectionParameters).toEqual({});
    expect(props.basic.connectionParameters).toMatchObject({ username: { type: 'securestring' }, password: { type: 'securestring' } });
    expect(props.basic.connectionParameters.password.uiDefinition.constraints.required).toBe('true');
    expect(props.basic.swagger.securityDefinitions).toEqual({ basic_auth: { type: 'basic' } });
    expect(Object.keys(props.apikey.connectionParameters)).toEqual(['api_key']);
    expect(props.apikey.swagger.securityDefinitions['API Key']).toEqual({ type: 'apiKey', in: 'header', name: 'X-Test-Key' });
    const generic = props.oauth2.connectionParameters.token;
    expect(generic.type).toBe('oauthSetting');
    expect(generic.oAuthSettings).toMatchObject({
      identityProvider: 'oauth2',
      scopes: ['read', 'write'],
      customParameters: {
        authorizationUrl: { value: 'https://auth.example.com/authorize' },
        tokenUrl: { value: 'https://auth.example.com/token' },
        refreshUrl: { value: 'https://auth.example.com/token' },
      },
    });
    expect(props.oauth2.swagger.securityDefinitions.oauth2_auth).toMatchObject({
      type: 'oauth2',
      flow: 'accessCode',
      scopes: { read: 'read', write: 'write' },
    });
    expect(props['oauth2-aad'].connectionParameters.token.oAuthSettings).toMatchObject({
      identityProvider: 'aad',
      clientId: '11111111-2222-3333-4444-555555555555',
      customParameters: {
        loginUri: { value: 'https://login.microsoftonline.com' },
        tenantId: { value: 'common' },
        resourceUri: { value: 'https://api.example.com' },
      },
    });
    expect(Object.keys(props.windows.connectionParameters).sort()).toEqual(['authType', 'gateway', 'password', 'username']);
    expect(props.windows.connectionParameters.gateway.type).toBe('gatewaySetting');
    expect(props.windows.capabilities).toEqual(['gateway']);
  });

  it('--provider github: identity provider github with its endpoints, no customParameters', async () => {
    const dir = join(work, 'gh');
    const r = await run(['init', dir, '--title', 'Gh', '--base-url', 'https://api.github.com', '--auth', 'oauth2', '--provider', 'github', '--no-input']);
    expect(r.code).toBe(0);
    const token = readJson(dir, 'apiProperties.json').properties.connectionParameters.token.oAuthSettings;
    expect(token.identityProvider).toBe('github');
    expect(token.customParameters).toBeUndefined();
    expect(readJson(dir, 'apiDefinition.swagger.json').securityDefinitions.oauth2_auth.authorizationUrl).toBe('https://github.com/login/oauth/authorize');
    const entra = await run([
      'init',
      join(work, 'e'),
      '--title',
      'E',
      '--base-url',
      'https://api.example.com',
      '--auth',
      'oauth2',
      '--provider',
      'entra',
      '--no-input',
    ]);
    expect(entra.code).toBe(0);
    expect(readJson(work, 'e', 'apiProperties.json').properties.connectionParameters.token.oAuthSettings.identityProvider).toBe('aad');
  });
});

describe('connector init → import → connection create → run against a loopback API', () => {
  const cases: [string, string[], string[], NodeJS.ProcessEnv, string][] = [
    ['none', [], [], {}, 'none'],
    ['basic', [], ['--param', 'username=maker', '--param-env', 'password=PW'], { PW: 's3cret' }, 'basic'],
    ['apikey', FLAGS.apikey, ['--param-env', 'api_key=KEY'], { KEY: 'k3y' }, 'apikey'],
    ['apikey', ['--api-key-name', 'key', '--api-key-in', 'query'], ['--param-env', 'api_key=KEY'], { KEY: 'k3y' }, 'apikeyquery'],
  ];
  for (const [kind, initFlags, connFlags, env, check] of cases) {
    it(`${check}: the sample operation answers 200`, async () => {
      const dir = join(work, check);
      expect((await run(['init', dir, '--title', `Run ${check}`, '--base-url', base, '--auth', kind, ...initFlags, '--no-input'])).code).toBe(0);
      expect((await run(['import', dir])).code).toBe(0);
      if (kind !== 'none') {
        const c = await run(['connection', 'create', `run-${check}`, '--no-verify', '--no-input', ...connFlags], env);
        expect(c.stderr).toContain(`Created connection run-${check}/default`);
        expect(c.code).toBe(0);
      }
      expectAuth = AUTH_OK[check];
      const r = await run(['run', `run-${check}`, 'ListItems', '--json']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(JSON.stringify(JSON.parse(r.stdout))).toContain('"first"');
      expect(seen).toHaveLength(1);
    });
  }
});

describe('connector init, interactive', () => {
  it('asks title, base URL, auth kind and its parameters (strict prompter), and writes what was answered', async () => {
    const prompter = strictPrompter({
      'Title of the connector:': 'Asked Connector',
      'Base URL of the API (https://…):': 'https://api.example.com/v2/',
      'Authentication:': 'apikey',
      'Header or query parameter that carries the API key:': 'X-Asked',
      'Where the API key goes:': 'query',
    });
    const cwdDir = join(work, 'asked');
    const r = await run(['init', cwdDir], {}, { prompter: async () => prompter });
    expect(r.stderr).toContain('connector connection create asked-connector --param-env api_key=<ENV_VAR>');
    expect(r.stderr).toContain('warning: certification wants a title of at most 30 characters without the words "API" or "Connector"');
    expect(r.code).toBe(0);
    expect(prompter.asked.map((q) => q.kind)).toEqual(['input', 'input', 'select', 'input', 'select']);
    expect(prompter.asked[2].choices).toContain('OAuth 2.0 with Microsoft Entra ID (Azure AD)=oauth2-aad');
    const swagger = readJson(cwdDir, 'apiDefinition.swagger.json');
    expect(swagger).toMatchObject({ info: { title: 'Asked Connector' }, host: 'api.example.com', basePath: '/v2', schemes: ['https'] });
    expect(swagger.securityDefinitions['API Key']).toEqual({ type: 'apiKey', in: 'query', name: 'X-Asked' });
  });

  it('asks only what the flags leave out: generic OAuth endpoints and scopes', async () => {
    const prompter = strictPrompter({
      'Identity provider:': 'oauth2',
      'Authorization URL:': 'https://auth.example.com/a',
      'Token URL:': 'https://auth.example.com/t',
      'Refresh URL:': '',
      'Scopes (space-separated, empty for none):': 'one two',
      'OAuth client id (empty: a placeholder to fill in):': 'cid',
    });
    const dir = join(work, 'o');
    const r = await run(['init', dir, '--title', 'O', '--base-url', 'https://api.example.com', '--auth', 'oauth2'], {}, { prompter: async () => prompter });
    expect(r.code).toBe(0);
    const o = readJson(dir, 'apiProperties.json').properties.connectionParameters.token.oAuthSettings;
    expect(o).toMatchObject({ clientId: 'cid', scopes: ['one', 'two'], customParameters: { refreshUrl: { value: 'https://auth.example.com/t' } } });
  });

  it('--no-input without --title or --base-url: exit 5 naming the flag, nothing written', async () => {
    const r = await run(['init', join(work, 'x'), '--no-input']);
    expect(r.code).toBe(5);
    expect(r.stderr).toContain('--title is needed');
    expect(r.stderr).toContain('Pass --title');
    const u = await run(['init', join(work, 'x'), '--title', 'X', '--no-input']);
    expect(u.code).toBe(5);
    expect(u.stderr).toContain('--base-url is needed');
    const o = await run(['init', join(work, 'x'), '--title', 'X', '--base-url', base, '--auth', 'oauth2', '--no-input']);
    expect(o.code).toBe(5);
    expect(o.stderr).toContain('--authorization-url is needed');
    expect(existsSync(join(work, 'x'))).toBe(false);
  });

  it('--no-input without --auth: no authentication (the question’s default)', async () => {
    expect((await run(['init', join(work, 'n'), '--title', 'N', '--base-url', base, '--no-input'])).code).toBe(0);
    expect(readJson(work, 'n', 'apiProperties.json').properties.connectionParameters).toEqual({});
  });

  it('a bad --base-url is a usage error', async () => {
    const r = await run(['init', join(work, 'b'), '--title', 'B', '--base-url', 'ftp://example.com', '--no-input']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--base-url must be an http(s) URL');
  });

  it('default folder: the slug of the title in the current folder', async () => {
    const cwd = process.cwd();
    process.chdir(work);
    try {
      expect((await run(['init', '--title', 'My Shiny API', '--base-url', base, '--no-input'])).code).toBe(0);
    } finally {
      process.chdir(cwd);
    }
    expect(existsSync(join(work, 'my-shiny-api', 'apiDefinition.swagger.json'))).toBe(true);
  });
});

describe('connector init never overwrites without --force', () => {
  it('an existing file: exit 2 naming it, nothing written; --force overwrites', async () => {
    const dir = join(work, 'exists');
    mkdirSync(dir);
    writeFileSync(join(dir, 'apiProperties.json'), '{"mine":true}');
    const r = await run(['init', dir, '--title', 'E', '--base-url', base, '--no-input']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${join(dir, 'apiProperties.json')} exists; nothing was written`);
    expect(r.stderr).toContain('--force');
    expect(readdirSync(dir)).toEqual(['apiProperties.json']);
    expect(readFileSync(join(dir, 'apiProperties.json'), 'utf8')).toBe('{"mine":true}');
    const f = await run(['init', dir, '--title', 'E', '--base-url', base, '--no-input', '--force']);
    expect(f.code).toBe(0);
    expect(readJson(dir, 'apiProperties.json').properties).toBeDefined();
  });

  it('a file where the folder should be: exit 2', async () => {
    writeFileSync(join(work, 'file'), 'x');
    const r = await run(['init', join(work, 'file'), '--title', 'E', '--base-url', base, '--no-input']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is not a folder');
  });

  it('--script: script.csx passing the request through and settings.json naming it; the folder imports', async () => {
    const dir = join(work, 's');
    expect((await run(['init', dir, '--title', 'S', '--base-url', base, '--script', '--no-input'])).code).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['apiDefinition.swagger.json', 'apiProperties.json', 'script.csx', 'settings.json']);
    expect(readFileSync(join(dir, 'script.csx'), 'utf8')).toMatch(/public class Script : ScriptBase[\s\S]*SendAsync\(this\.Context\.Request/);
    expect(readJson(dir, 'settings.json')).toMatchObject({ script: 'script.csx' });
    expect(readJson(dir, 'apiProperties.json').properties.scriptOperations).toEqual(['ListItems']);
    const imported = await run(['import', dir, '--json']);
    expect(imported.code).toBe(0);
  });
});

describe('connector init --from', () => {
  const SWAGGER = {
    swagger: '2.0',
    info: { title: 'From File', version: '2.1.0', description: 'A Swagger 2.0 file of the test’s own, with one operation.' },
    host: 'old.example.com',
    basePath: '/old',
    schemes: ['https'],
    securityDefinitions: { key: { type: 'apiKey', in: 'header', name: 'X-Test-Key' } },
    paths: {
      '/items': {
        get: {
          operationId: 'GetThings',
          summary: 'Get things',
          description: 'Gets the things.',
          responses: { '200': { description: 'ok', schema: { type: 'array', items: { type: 'object' } } } },
        },
      },
    },
  };

  it('a Swagger 2.0 file: its operations kept, base URL replaced, apiProperties from its securityDefinitions; runs', async () => {
    const file = join(work, 'from.swagger.json');
    writeFileSync(file, JSON.stringify(SWAGGER));
    const dir = join(work, 'from');
    const r = await run(['init', dir, '--from', file, '--base-url', base, '--no-input']);
    expect(r.code).toBe(0);
    const swagger = readJson(dir, 'apiDefinition.swagger.json');
    expect(swagger).toMatchObject({ info: { title: 'From File', version: '2.1.0' }, host: new URL(base).host, basePath: '/v1', schemes: ['http'] });
    expect(Object.keys(swagger.paths['/items'])).toEqual(['get']);
    expect(swagger.paths['/items'].get.operationId).toBe('GetThings');
    expect(Object.keys(readJson(dir, 'apiProperties.json').properties.connectionParameters)).toEqual(['api_key']);
    expect((await run(['import', dir])).code).toBe(0);
    expect((await run(['connection', 'create', 'from-file', '--no-verify', '--no-input', '--param-env', 'api_key=KEY'], { KEY: 'k3y' })).code).toBe(0);
    expectAuth = AUTH_OK.apikey;
    const ran = await run(['run', 'from-file', 'GetThings']);
    expect(ran.code).toBe(0);
    expect(ran.stdout).toContain('first');
  });

  it('--title and --auth override the file; a short description gets a placeholder, with a warning', async () => {
    const file = join(work, 'short.json');
    writeFileSync(file, JSON.stringify({ ...SWAGGER, info: { title: 'Old', version: '1', description: 'short' } }));
    const dir = join(work, 'short');
    const r = await run(['init', dir, '--from', file, '--title', 'New Title', '--auth', 'basic', '--no-input']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('info.description was missing or under 30 characters');
    const swagger = readJson(dir, 'apiDefinition.swagger.json');
    expect(swagger.info.title).toBe('New Title');
    expect(swagger.host).toBe('old.example.com');
    expect(swagger.securityDefinitions).toEqual({ basic_auth: { type: 'basic' } });
    expect(swagger.info.description.length).toBeGreaterThanOrEqual(30);
  });

  it('a paconn folder: its apiProperties kept, stackOwner set aside in connector.meta.json as export does; import restores it', async () => {
    const dir = join(work, 'owned');
    const r = await run(['init', dir, '--from', join(import.meta.dirname, '..', 'fixtures', 'init', 'stackowner'), '--no-input']);
    expect(r.code).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['apiDefinition.swagger.json', 'apiProperties.json', 'connector.meta.json']);
    const props = readJson(dir, 'apiProperties.json').properties;
    expect(props.stackOwner).toBeUndefined();
    expect(props.publisher).toBe('Contoso Ltd');
    expect((await run(['import', dir])).code).toBe(0);
    expect(JSON.parse((await run(['export', 'owned-widgets', '--json'])).stdout).apiProperties.properties.stackOwner).toBe('Contoso Widgets Inc');
  });

  it('OpenAPI 3 goes through the converter (src/spec/downconvert.ts)', async () => {
    const file = join(work, 'oas3.json');
    const oas3 = { openapi: '3.0.3', info: { title: 'Three', version: '1' }, servers: [{ url: 'https://api.example.com/v3' }], paths: {} };
    writeFileSync(file, JSON.stringify(oas3));
    const r = await run(['init', join(work, 'three'), '--from', file, '--no-input']);
    expect(r.code, r.stderr).toBe(0);
    const swagger = readJson(work, 'three', 'apiDefinition.swagger.json');
    expect(swagger).toMatchObject({ swagger: '2.0', host: 'api.example.com', basePath: '/v3', schemes: ['https'] });
    // converted and completed as certification wants it (contact, x-ms-connector-metadata): no error
    const v = await run(['validate', join(work, 'three'), '--json']);
    expect(JSON.parse(v.stdout).findings.filter((f: { severity: string }) => f.severity === 'error')).toEqual([]);
  });

  it('a file that is not there: exit 1 naming it, nothing written', async () => {
    const r = await run(['init', join(work, 'nf'), '--from', join(work, 'missing.json'), '--no-input']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('missing.json');
    expect(existsSync(join(work, 'nf'))).toBe(false);
  });
});
