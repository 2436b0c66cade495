import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempHome } from '../helpers/cli.js';
import { Registry } from '../../src/registry/registry.js';

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
});
