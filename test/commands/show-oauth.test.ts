import { describe, expect, it } from 'vitest';
import { runCli, tempHome } from '../helpers/cli.js';
import { makeRecord, register } from '../connections/helpers.js';

// A newcomer saw `token: token [oauthSetting, secret, optional]` for an OAuth connector: nothing to act on.
describe('connector show of an OAuth connector', () => {
  it('says what the sign-in uses (provider, URLs, scopes), not the internal oauthSetting parameter', async () => {
    const home = tempHome();
    const record = makeRecord('oauthco', {
      definition: {
        host: 'api.example.invalid',
        securityDefinitions: {
          oauth2_auth: {
            type: 'oauth2',
            flow: 'accessCode',
            authorizationUrl: 'https://id.example.invalid/authorize',
            tokenUrl: 'https://id.example.invalid/token',
            scopes: {},
          },
        },
        paths: { '/me': { get: { operationId: 'Me', responses: { 200: { description: 'ok' } } } } },
      },
      apiProperties: {
        properties: {
          connectionParameters: {
            token: {
              type: 'oauthSetting',
              oAuthSettings: { identityProvider: 'oauth2', clientId: '[[DUMMY]]', scopes: ['read', 'write'], redirectMode: 'Global', customParameters: {} },
            },
          },
        },
      },
    });
    await register(home, record);
    const r = await runCli(['show', 'oauthco'], { home });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toContain('oauthSetting');
    expect(r.stdout).toContain('    sign-in: identity provider oauth2, accessCode flow\n');
    expect(r.stdout).toContain('      authorize: https://id.example.invalid/authorize\n');
    expect(r.stdout).toContain('      token:     https://id.example.invalid/token\n');
    expect(r.stdout).toContain('      scopes:    read write\n');
    expect(r.stdout).not.toContain('DUMMY');
  });
});
