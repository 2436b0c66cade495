import { describe, it, expect } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempHome } from '../helpers/cli.js';
import { MemoryStore } from '../../src/secrets/store.js';
import { basicRecord, register } from '../connections/helpers.js';

describe('connector remove', () => {
  it('deletes the connector, its connections and their secrets (nothing orphaned)', async () => {
    const home = tempHome();
    await register(home, basicRecord());
    const store = new MemoryStore();
    const overrides = { secrets: async () => store };
    const create = await runCli(
      ['connection', 'create', 'basicco', '--no-input', '--no-verify', '--param', 'instance=x.example', '--param', 'username=u', '--param-env', 'password=PW'],
      { home, env: { PW: 'hunter2-secret' }, overrides },
    );
    expect(create.code, create.stderr).toBe(0);
    expect(store.items.size).toBe(1);

    const r = await runCli(['remove', 'basicco', '--json', '--yes'], { home, overrides });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ removed: 'basicco', connectionsDeleted: ['default'] });
    expect(store.items.size).toBe(0);
    expect(existsSync(join(home, 'connectors', 'basicco.json'))).toBe(false);
    const list = await runCli(['connection', 'list', '--json'], { home, overrides });
    expect(JSON.parse(list.stdout)).toEqual([]);
  });

  it('an unknown name is one line, exit 1, and changes nothing', async () => {
    const home = tempHome();
    await register(home, basicRecord());
    const r = await runCli(['remove', 'basico'], { home });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("no connector named 'basico'");
    expect(r.stderr).toContain('Did you mean: basicco?');
  });
});
