import { describe, it, expect } from 'vitest';
import { runCli, tempHome } from '../helpers/cli.js';
import { MemoryStore } from '../../src/secrets/store.js';
import { KeychainStore, type KeyringModule } from '../../src/secrets/keychain.js';
import { apiKeyRecord, noneRecord, register } from './helpers.js';

/** A keychain whose library answers like a machine with no Secret Service on the bus. */
function unreachableKeychain(calls: string[]) {
  const fail = (what: string) => () => {
    calls.push(what);
    return Promise.reject(Object.assign(new Error("Couldn't access platform storage: DBus error: no such bus"), { code: 'GenericFailure' }));
  };
  const mod = {
    AsyncEntry: class {
      getPassword = fail('get');
      setPassword = fail('set');
      deletePassword = fail('delete');
    },
  } as unknown as KeyringModule;
  return new KeychainStore(1000, () => mod);
}

describe('connection create finds out first whether the keychain can take the secrets', () => {
  it('an unreachable keychain is reported before any value is asked for', async () => {
    const home = tempHome();
    await register(home, apiKeyRecord());
    const calls: string[] = [];
    const r = await runCli(['connection', 'create', 'keyco', '--no-input'], { home, overrides: { secrets: async () => unreachableKeychain(calls) } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^connector: no OS keychain is reachable/);
    expect(r.stderr).not.toContain('missing a required parameter');
    expect(r.stderr).toContain('CONNECTOR_KEYCO__DEFAULT__API_KEY=...'); // the variable of the secret it needs
    expect(calls).toEqual(['get']);
  });

  it('control: with a store that works, the same command goes on to the missing value (exit 5)', async () => {
    const home = tempHome();
    await register(home, apiKeyRecord());
    const r = await runCli(['connection', 'create', 'keyco', '--no-input'], { home, overrides: { secrets: async () => new MemoryStore() } });
    expect(r.code).toBe(5);
    expect(r.stderr).toContain('missing a required parameter');
  });

  it('a connection with no secret never touches the keychain', async () => {
    const home = tempHome();
    await register(home, noneRecord());
    const calls: string[] = [];
    const r = await runCli(['connection', 'create', noneRecord().name, '--no-verify'], {
      home,
      overrides: { secrets: async () => unreachableKeychain(calls) },
    });
    expect(calls).toEqual([]);
    expect(r.stderr).not.toContain('keychain is reachable');
  });
});
