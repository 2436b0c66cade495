import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempHome } from '../helpers/cli.js';
import { MemoryStore } from '../../src/secrets/store.js';
import { apiKeyRecord, basicRecord, makeRecord, register } from './helpers.js';

let home: string;
let store: MemoryStore;
let server: Server;
let seen: (string | undefined)[];
const run = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli(args, { home, env, overrides: { secrets: async () => store } });

beforeEach(async () => {
  seen = [];
  server = createServer((req, res) => {
    seen.push(req.headers['x-key'] as string | undefined);
    res.writeHead(200, { 'content-type': 'application/json' }).end('[]');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  home = tempHome();
  store = new MemoryStore();
  await register(home, apiKeyRecord(`127.0.0.1:${(server.address() as AddressInfo).port}`, 'http'), basicRecord());
});
afterEach(() => new Promise<void>((r) => server.close(() => r())));

describe('connections that exist only in the environment (CI)', () => {
  it('connection list shows them, marked env with their variables; stored ones are not listed twice; a partial set is not one', async () => {
    expect((await run(['connection', 'create', 'keyco', '--name', 'stored', '--no-verify', '--param-env', 'api_key=K'], { K: 'k' })).code).toBe(0);
    const env = {
      CONNECTOR_KEYCO__CI__API_KEY: 'ci-secret-value',
      CONNECTOR_KEYCO__STORED__API_KEY: 'override',
      CONNECTOR_BASICCO__HALF__USERNAME: 'me', // no password, no instance: not a connection
    };
    const table = await run(['connection', 'list'], env);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/keyco\/ci\s+apiKey\s+env: CONNECTOR_KEYCO__CI__API_KEY/);
    expect(table.stdout.match(/keyco\/stored/g)).toHaveLength(1);
    expect(table.stdout).not.toContain('basicco/half');
    expect(table.stdout + table.stderr).not.toContain('ci-secret-value');
    const json = JSON.parse((await run(['connection', 'list', 'keyco', '--json'], env)).stdout) as Record<string, unknown>[];
    expect(json.map((c) => c.address)).toEqual(['keyco/ci', 'keyco/stored']);
    expect(json[0]).toMatchObject({ source: 'env', variables: ['CONNECTOR_KEYCO__CI__API_KEY'], kind: 'apiKey' });
    expect(json[0]).not.toHaveProperty('secretStore');
    expect(JSON.stringify(json)).not.toContain('ci-secret-value');
  });

  it('an env-only default connection is the default; with nothing set, the list says none', async () => {
    const only = await run(['connection', 'list'], { CONNECTOR_KEYCO__DEFAULT__API_KEY: 'x' });
    expect(only.stdout).toMatch(/keyco\/default\s+apiKey\s+yes\s+env: CONNECTOR_KEYCO__DEFAULT__API_KEY/);
    expect((await run(['connection', 'list'])).stderr).toContain('No connections yet');
  });

  it('connection test uses an env-only connection, and names the variables when there is none', async () => {
    const ok = await run(['connection', 'test', 'keyco/ci'], { CONNECTOR_KEYCO__CI__API_KEY: 'from-env' });
    expect(ok.stderr).toContain('OK: keyco/ci');
    expect(ok.code).toBe(0);
    expect(seen).toEqual(['from-env']);
    const none = await run(['connection', 'test', 'keyco/ci']);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain("no connection 'keyco/ci'");
    expect(none.stderr).toContain('Or, in CI, set CONNECTOR_KEYCO__CI__API_KEY.');
  });

  it('K alone means the env-only default connection: connection show, test and token (K/default too), no value shown', async () => {
    const env = { CONNECTOR_KEYCO__DEFAULT__API_KEY: 'env-only-secret' };
    for (const address of ['keyco', 'keyco/default', 'KEYCO']) {
      const shown = await run(['connection', 'show', address], env);
      expect([shown.code, shown.stderr], address).toEqual([0, '']);
      expect(shown.stdout).toMatch(/^keyco\/default\n {2}auth: {5}apiKey/);
      expect(shown.stdout).toContain('default:  yes');
      expect(shown.stdout).toContain('source:   env: CONNECTOR_KEYCO__DEFAULT__API_KEY');
      expect(shown.stdout).not.toContain('env-only-secret');
    }
    const json = await run(['connection', 'show', 'keyco', '--json'], env);
    expect(JSON.parse(json.stdout)).toMatchObject({
      address: 'keyco/default',
      source: 'env',
      variables: ['CONNECTOR_KEYCO__DEFAULT__API_KEY'],
      isDefault: true,
    });
    expect(json.stdout).not.toContain('env-only-secret');
    const tested = await run(['connection', 'test', 'keyco'], env);
    expect([tested.code, tested.stderr]).toEqual([0, 'OK: keyco/default — ListItems answered HTTP 200.\n']);
    expect(seen).toEqual(['env-only-secret']);
    // Only a non-default name in the environment: K alone has no connection to mean.
    const other = await run(['connection', 'show', 'keyco'], { CONNECTOR_KEYCO__CI__API_KEY: 'x' });
    expect([other.code, other.stderr]).toEqual([1, "connector: connector 'keyco' has no connection\nCreate one: connector connection create keyco\n"]);
    expect((await run(['connection', 'show', 'keyco/nosuch'], env)).stderr).toContain("no connection 'keyco/nosuch'");

    await register(
      home,
      makeRecord('oco', {
        definition: {
          securityDefinitions: {
            oauth: {
              type: 'oauth2',
              flow: 'accessCode',
              authorizationUrl: 'https://id.example.invalid/auth',
              tokenUrl: 'https://id.example.invalid/token',
              scopes: {},
            },
          },
          paths: { '/me': { get: { operationId: 'Me', responses: { 200: { description: 'ok' } } } } },
        },
      }),
    );
    const token = await run(['connection', 'token', 'oco'], { CONNECTOR_OCO__DEFAULT__ACCESS_TOKEN: 'ci-access-token' });
    expect([token.code, token.stdout, token.stderr]).toEqual([0, 'ci-access-token\n', '']);
  });

  it('connector test with no connection stops before any step with the variables to set', async () => {
    const r = await run(['test', 'keyco']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("connector: connector 'keyco' needs a connection and has none");
    expect(r.stderr).toContain('Or, in CI, set CONNECTOR_KEYCO__DEFAULT__API_KEY.');
    expect(seen).toEqual([]);
  });
});

describe('a secret missing from its store', () => {
  it('the hint speaks of the store the connection uses (no keychain advice for the vault)', async () => {
    const env = { CONNECTOR_VAULT_PASSPHRASE: 'correct horse battery staple', K: 'k' };
    const made = await runCli(['connection', 'create', 'keyco', '--no-verify', '--param-env', 'api_key=K', '--secret-store', 'vault'], { home, env });
    expect(made.code).toBe(0);
    // A parameter the vault has no item for (the file restored from an older copy, say).
    const file = join(home, 'connections.json');
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    doc.connections[0].secretParams.push('extra');
    writeFileSync(file, JSON.stringify(doc));
    const r = await runCli(['run', 'keyco', 'ListItems', '--secret-store', 'vault'], { home, env });
    expect(r.stderr).toContain("secret 'extra' of connection keyco/default is missing from the");
    expect(r.stderr).toContain('vault file may have been replaced');
    expect(r.stderr).not.toMatch(/keychain/i);
  });
});
