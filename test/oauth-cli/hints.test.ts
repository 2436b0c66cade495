import { describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { main } from '../../src/main.js';
import { makeIO } from '../../src/io/iostreams.js';
import { CancelError } from '../../src/errors.js';
import type { Prompter } from '../../src/io/prompter.js';
import { MemoryStore } from '../../src/secrets/store.js';
import { runCli, tempHome } from '../helpers/cli.js';

/** A connector whose oauth2 setting has a placeholder client id; `login` is its authorization server. */
async function setup(login = 'https://login.example.invalid') {
  const home = tempHome();
  const dir = join(home, 'src');
  mkdirSync(dir);
  const swagger = {
    swagger: '2.0',
    info: { title: 'Notes', version: '1' },
    host: 'api.example.invalid',
    schemes: ['https'],
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
            scopes: ['Notes.Read'],
            customParameters: {
              authorizationUrl: { value: `${login}/oauth2/v2.0/authorize` },
              tokenUrl: { value: `${login}/oauth2/v2.0/token` },
            },
          },
        },
      },
    },
  };
  writeFileSync(join(dir, 'apiDefinition.swagger.json'), JSON.stringify(swagger));
  writeFileSync(join(dir, 'apiProperties.json'), JSON.stringify(props));
  expect((await runCli(['import', dir, '--name', 'my-notes'], { home })).code).toBe(0);
  return home;
}
const env = { DISPLAY: '', WAYLAND_DISPLAY: '', BROWSER: '', CONNECTOR_SECRET_STORE: 'memory' };

describe('OAuth hints name what to register and what to set', () => {
  it('a missing client id (--no-input) says which redirect URI to register, and --redirect-port for an exact one', async () => {
    const home = await setup();
    const r = await runCli(['connection', 'create', 'my-notes', '--no-input'], { home, env });
    expect(r.code).toBe(5);
    expect(r.stderr).toContain('register the redirect URI http://127.0.0.1/callback');
    expect(r.stderr).toContain('--redirect-port 8400');
    const fixed = await runCli(['connection', 'create', 'my-notes', '--no-input', '--redirect-port', '8123', '--redirect-host', 'localhost'], { home, env });
    expect(fixed.stderr).toContain('register the redirect URI http://localhost:8123/callback');
  });

  it('the client-id prompt shows the same advice before asking', async () => {
    const home = await setup();
    const asked: { message: string; hint?: string }[] = [];
    const refuse = async (): Promise<never> => {
      throw new CancelError();
    };
    const prompter: Prompter = {
      async input(message, o = {}) {
        asked.push({ message, hint: o.hint });
        throw new CancelError();
      },
      password: refuse,
      select: refuse,
      confirm: refuse,
    };
    const tty = () => Object.assign(new PassThrough(), { isTTY: true });
    const io = makeIO(tty(), tty(), new PassThrough(), { NO_COLOR: '1', CONNECTOR_HOME: home });
    const store = new MemoryStore();
    const code = await main(['node', 'connector', 'connection', 'create', 'my-notes'], io, { secrets: async () => store, prompter: async () => prompter });
    expect(code).toBe(3);
    expect(asked).toEqual([{ message: 'OAuth client (application) id', hint: expect.stringContaining('http://127.0.0.1/callback') }]);
  });

  it('--no-input with no browser names the real access-token variable of this connection', async () => {
    const home = await setup();
    const r = await runCli(['connection', 'create', 'my-notes', '--name', 'ci', '--no-input', '--client-id', 'abc'], { home, env });
    expect(r.code).toBe(5);
    expect(r.stderr).toContain('CONNECTOR_MY_NOTES__CI__ACCESS_TOKEN=<token>');
    expect(r.stderr).not.toContain('<K>');
  });

  it('--flow device on a generic template with Entra URLs points at --provider entra (with the tenant of the URLs)', async () => {
    const home = await setup('https://login.microsoftonline.com/contoso.onmicrosoft.com');
    const r = await runCli(['connection', 'create', 'my-notes', '--no-input', '--client-id', 'abc', '--flow', 'device'], { home, env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('does not support --flow device');
    expect(r.stderr).toContain('--provider entra --tenant contoso.onmicrosoft.com --flow device');
    const other = await setup();
    const plain = await runCli(['connection', 'create', 'my-notes', '--no-input', '--client-id', 'abc', '--flow', 'device'], { home: other, env });
    expect(plain.code).toBe(2);
    expect(plain.stderr).not.toContain('--provider entra');
  });
});
