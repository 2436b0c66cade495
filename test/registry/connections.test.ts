import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempHome } from '../helpers/cli.js';
import { Registry } from '../../src/registry/registry.js';

const SAMPLE = join(import.meta.dirname, '..', '..', 'fixtures', 'sample-api');

describe('connections.json belongs to the Registry', () => {
  it('round-trips records under the lock, and a missing file is no connections', async () => {
    const home = tempHome();
    const reg = new Registry(home);
    expect(await reg.connections()).toEqual([]);
    const rec = {
      connector: 'k',
      name: 'c',
      authOption: '',
      kind: 'none' as const,
      values: {},
      secretParams: [],
      secretStore: 'memory' as const,
      isDefault: true,
      createdAt: 'x',
      updatedAt: 'x',
    };
    expect(await reg.updateConnections((list) => list.push(rec))).toBe(1);
    expect(await reg.connections()).toEqual([rec]);
  });

  const good = {
    connector: 'k',
    name: 'c',
    authOption: 'o',
    kind: 'none',
    secretStore: 'memory',
    createdAt: 'x',
    updatedAt: 'x',
    isDefault: true,
    values: {},
    secretParams: [],
  };
  const oauth = { provider: { id: 'p', tokenUrl: 'http://t', scopes: [] }, clientId: 'a', flow: 'browser' };
  const wrong: [string, unknown, RegExp][] = [
    ['a list', [], /expected an object, found an array/],
    ['no connections', { version: 1 }, /no 'connections' list/],
    ['another version', { version: 2, connections: [] }, /version is 2, expected 1/],
    [
      'a record without a name',
      { version: 1, connections: [{ connector: 'k', kind: 'none', secretStore: 'memory', createdAt: 'x', values: {}, secretParams: [] }] },
      /connections\[0\]\.name is not a string/,
    ],
    [
      'secretParams not a list',
      { version: 1, connections: [{ connector: 'k', name: 'c', kind: 'none', secretStore: 'memory', createdAt: 'x', values: {}, secretParams: 'a' }] },
      /connections\[0\]\.secretParams/,
    ],
    ['isDefault not a boolean', { version: 1, connections: [{ ...good, isDefault: 'yes' }] }, /connections\[0\]\.isDefault is not a boolean/],
    ['authOption not a string', { version: 1, connections: [{ ...good, authOption: 1 }] }, /connections\[0\]\.authOption is not a string/],
    ['updatedAt not a string', { version: 1, connections: [good, { ...good, name: 'd', updatedAt: null }] }, /connections\[1\]\.updatedAt is not a string/],
    // The kind's plug-in checks its own record fields: without this, show/login read oauth.provider.id of undefined.
    [
      'an OAuth record without a provider',
      { version: 1, connections: [{ ...good, kind: 'oauth2', oauth: { clientId: 'a' } }] },
      /connections\[0\]\.oauth\.provider is not an object/,
    ],
    [
      'an OAuth provider without scopes',
      { version: 1, connections: [{ ...good, kind: 'oauth2', oauth: { ...oauth, provider: { id: 'p', tokenUrl: 'http://t' } } }] },
      /connections\[0\]\.oauth\.provider\.scopes is not a list of strings/,
    ],
    [
      'an OAuth record without a client',
      { version: 1, connections: [{ ...good, kind: 'oauth2', oauth: { ...oauth, clientId: 3 } }] },
      /connections\[0\]\.oauth\.clientId is not a string/,
    ],
    [
      'an OAuth record without a flow',
      { version: 1, connections: [{ ...good, kind: 'oauth2', oauth: { ...oauth, flow: undefined } }] },
      /connections\[0\]\.oauth\.flow is not a string/,
    ],
    ['oauth not an object', { version: 1, connections: [{ ...good, kind: 'oauth2', oauth: 'x' }] }, /connections\[0\]\.oauth is not an object/],
  ];
  for (const [what, content, why] of wrong) {
    it(`a connections.json of the wrong shape (${what}) is one line, exit 1, with a hint`, async () => {
      const home = tempHome();
      const path = join(home, 'connections.json');
      writeFileSync(path, JSON.stringify(content));
      for (const args of [
        ['connection', 'list'],
        ['connection', 'default', 'k/c'],
      ]) {
        const r = await runCli(args, { home });
        expect(r.code, r.stderr).toBe(1);
        const [first, ...rest] = r.stderr.trim().split('\n');
        expect(first).toContain(`connector: ${path}: not a connections file (`);
        expect(first).toMatch(why);
        expect(rest.join('\n')).toMatch(/restore it from a backup/i);
        expect(r.stderr).not.toMatch(/unexpected error|This is a bug|\n\s+at /);
      }
    });
  }

  it('an OAuth record missing its sign-in facts is a shape error for show and login too, not a TypeError', async () => {
    const home = tempHome();
    expect((await runCli(['import', SAMPLE, '--name', 'k'], { home })).code).toBe(0);
    const path = join(home, 'connections.json');
    writeFileSync(path, JSON.stringify({ version: 1, connections: [{ ...good, kind: 'oauth2', oauth: { clientId: 'a' } }] }));
    for (const args of [
      ['connection', 'show', 'k/c'],
      ['connection', 'show', 'k/c', '--json'],
      ['connection', 'login', 'k/c'],
    ]) {
      const r = await runCli(args, { home });
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr.trim().split('\n')[0]).toBe(`connector: ${path}: not a connections file (connections[0].oauth.provider is not an object)`);
      expect(r.stderr).toMatch(/restore it from a backup/i);
      expect(r.stderr).not.toMatch(/unexpected error|Cannot read properties|\n\s+at /);
    }
    // The same record with its facts whole is shown.
    writeFileSync(path, JSON.stringify({ version: 1, connections: [{ ...good, kind: 'oauth2', oauth }] }));
    const ok = await runCli(['connection', 'show', 'k/c'], { home });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('  oauth:    p provider, client a (public client), browser flow');
  });
});
