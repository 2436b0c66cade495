import { describe, it, expect } from 'vitest';
import { PassThrough } from 'node:stream';
import { createContext } from '../../src/context.js';
import { makeIO } from '../../src/io/iostreams.js';
import { MemoryStore } from '../../src/secrets/store.js';
import { runChecks } from '../../src/doctor/run.js';
import type { KeyringModule } from '../../src/secrets/keychain.js';
import type { ConnectionRecord } from '../../src/connections/types.js';
import { makeRecord } from '../connections/helpers.js';
import { connection, doctorJson, homeWith } from './helpers.js';

const provider = { id: 'generic', tokenUrl: 'https://login.example.invalid/token', scopes: [] };
const hourAgo = new Date(Date.now() - 3600_000).toISOString();
const inAnHour = new Date(Date.now() + 3600_000).toISOString();

function oauthConn(name: string, flow: 'browser' | 'device' | 'client-credentials', token?: { expiresAt?: string; refreshable: boolean }): ConnectionRecord {
  return connection('oco', name, token ? ['oauth:tokens'] : [], {
    kind: 'oauth2',
    oauth: { provider, clientId: 'cid', flow, ...(token ? { token: { ...token, savedAt: hourAgo } } : {}) } as unknown as ConnectionRecord['oauth'],
  });
}

describe('doctor: OAuth sign-ins', () => {
  it('expired with no refresh token needs a sign-in (fail); expired but renewable is ok', async () => {
    const conns = [
      oauthConn('renewable', 'browser', { expiresAt: hourAgo, refreshable: true }),
      oauthConn('machine', 'client-credentials', { expiresAt: hourAgo, refreshable: false }),
      oauthConn('fresh', 'device', { expiresAt: inAnHour, refreshable: false }),
      oauthConn('stuck', 'browser', { expiresAt: hourAgo, refreshable: false }),
    ];
    const home = await homeWith([makeRecord('oco')], conns);
    const store = new MemoryStore();
    for (const c of conns) store.items.set(`oco/${c.name}/oauth:tokens`, '{"access_token":"at-SECRET"}');
    const { code, check, stdout } = await doctorJson(home, ['--no-input'], { overrides: { secrets: async () => store } });
    expect(code).toBe(1);
    expect(check('oauth')[0]).toMatchObject({
      status: 'fail',
      message: '1 OAuth connection expired with no refresh token, sign-in needed: oco/stuck; 2 expired tokens will be renewed on next use',
      hint: 'connector connection login oco/stuck',
      items: ['oco/stuck'],
    });
    expect(stdout).not.toContain('at-SECRET');
  });

  it('all renewable: ok, exit 0; signed out: a warning with the login hint', async () => {
    const home = await homeWith(
      [makeRecord('oco')],
      [oauthConn('renewable', 'browser', { expiresAt: hourAgo, refreshable: true }), oauthConn('out', 'browser')],
    );
    const store = new MemoryStore();
    store.items.set('oco/renewable/oauth:tokens', '{}');
    const { code, check } = await doctorJson(home, ['--no-input'], { overrides: { secrets: async () => store } });
    expect(code).toBe(0);
    expect(check('oauth')[0]).toMatchObject({
      status: 'warn',
      message: expect.stringContaining('signed out: oco/out'),
      hint: 'connector connection login oco/out',
    });
  });
});

describe('doctor: Node version', () => {
  it('a Node older than engines.node fails', async () => {
    const home = await homeWith([]);
    const io = makeIO(new PassThrough(), new PassThrough(), new PassThrough(), {}, { platform: 'linux' });
    const ctx = createContext(io, home, {}, { secrets: async () => new MemoryStore() });
    const findings = await runChecks(ctx, { nodeVersion: '18.19.0', alive: () => true, keyring: () => ({}) as KeyringModule }, { staleMs: 60_000 });
    expect(findings.find((f) => f.id === 'node')).toMatchObject({ status: 'fail', message: 'Node 18.19.0 is too old: connector needs >=20.19' });
  });
});
