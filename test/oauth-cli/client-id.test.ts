import { describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { realClientId } from '../../src/auth/oauth2/provider.js';
import { runCli, tempHome } from '../helpers/cli.js';

describe('realClientId', () => {
  // Every placeholder below is a clientId from a published connector in the corpus.
  it.each([
    '[YOUR_CLIENT_ID]',
    '<<Please add your clientID here>>',
    '<clientId>',
    '<resource-id>',
    '{{aad_application_id}}',
    'PLACEHOLDER_CLIENTID',
    'dummy',
    'YOUR_CLIENT_ID_HERE',
    '[null]',
    '[[DUMMY]]',
    '<Enter Your Client ID>',
    '',
    '  ',
  ])('treats %j as no client id', (id) => expect(realClientId(id)).toBeUndefined());
  it.each(['16420c1b-724e-4914-a0f4-b4399c97960e', 'power-platform-integration', 'Iv1.8a61f9b3a7aba766'])('keeps %j', (id) => {
    expect(realClientId(id)).toBe(id);
  });
});

describe('connection create for an OAuth connector without a terminal', () => {
  const swagger = {
    swagger: '2.0',
    info: { title: 'Gists like', version: '1' },
    host: 'api.example.invalid',
    schemes: ['https'],
    securityDefinitions: {
      oauth2_auth: {
        type: 'oauth2',
        flow: 'accessCode',
        authorizationUrl: 'https://login.example.invalid/authorize',
        tokenUrl: 'https://login.example.invalid/token',
        scopes: {},
      },
    },
    paths: { '/me': { get: { operationId: 'GetMe', responses: { 200: { description: 'ok' } } } } },
  };
  const props = {
    properties: {
      connectionParameters: {
        token: {
          type: 'oauthSetting',
          oAuthSettings: {
            identityProvider: 'oauth2',
            clientId: '[YOUR_CLIENT_ID]',
            scopes: ['gist'],
            customParameters: {
              authorizationUrl: { value: 'https://login.example.invalid/authorize' },
              tokenUrl: { value: 'https://login.example.invalid/token' },
              refreshUrl: { value: 'https://login.example.invalid/token' },
            },
          },
        },
      },
    },
  };

  async function setup() {
    const home = tempHome();
    const dir = join(home, 'src');
    mkdirSync(dir);
    writeFileSync(join(dir, 'apiDefinition.swagger.json'), JSON.stringify(swagger));
    writeFileSync(join(dir, 'apiProperties.json'), JSON.stringify(props));
    expect((await runCli(['import', dir, '--name', 'gists'], { home })).code).toBe(0);
    return home;
  }

  it('asks for --client-id instead of using the placeholder (exit 5)', async () => {
    const home = await setup();
    const r = await runCli(['connection', 'create', 'gists', '--no-input'], { home, env: { DISPLAY: '', CONNECTOR_SECRET_STORE: 'memory' } });
    expect(r.code).toBe(5);
    expect(r.stderr).toContain('pass --client-id');
    expect(r.stderr).not.toContain('YOUR_CLIENT_ID');
  });

  it('fails at once (exit 5) rather than waiting five minutes for a browser nobody can open', async () => {
    const home = await setup();
    const r = await runCli(['connection', 'create', 'gists', '--no-input', '--client-id', 'abc'], {
      home,
      env: { DISPLAY: '', WAYLAND_DISPLAY: '', BROWSER: '', CONNECTOR_SECRET_STORE: 'memory' },
    });
    expect(r.code).toBe(5);
    expect(r.stderr).toContain('signing in needs a browser');
    expect(r.stderr).toContain('--flow browser');
  });
});
