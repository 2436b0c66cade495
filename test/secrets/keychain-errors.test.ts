import { describe, it, expect, beforeEach } from 'vitest';
import { KeychainStore as RealKeychainStore, mapKeyringError, type KeyringModule } from '../../src/secrets/keychain.js';

/** A fake @napi-rs/keyring whose behaviour each test sets. */
const behaviour: { set?: () => Promise<void>; get?: () => Promise<string | null> } = {};
const fake = {
  AsyncEntry: class {
    constructor(
      readonly service: string,
      readonly account: string,
    ) {}
    setPassword() {
      return behaviour.set!();
    }
    getPassword() {
      return behaviour.get!();
    }
    deletePassword() {
      return Promise.resolve(true);
    }
  },
} as unknown as KeyringModule;
class KeychainStore extends RealKeychainStore {
  constructor(timeoutMs?: number) {
    super(timeoutMs, () => fake);
  }
}

const generic = (message: string) => Object.assign(new Error(message), { code: 'GenericFailure' });

beforeEach(() => {
  behaviour.set = undefined;
  behaviour.get = undefined;
});

describe('keychain failures become one clear CliError', () => {
  it.each([
    ["Couldn't access platform storage: AccessDenied", 'no OS keychain is reachable'],
    ['Platform failure: DBus error: Failed to connect to socket /nowhere: No such file or directory', 'no OS keychain is reachable'],
    ["Couldn't access platform storage: Secret Service: no result found", 'has no keyring'],
    ['Platform secure storage failure: unlock prompt was dismissed', 'the OS keychain is locked'],
    // What gnome-keyring 42 answers a write to a locked login keyring with (measured): locked, not unreachable.
    ["Couldn't access platform storage: Secret Service: unlock prompt was dismissed", 'the OS keychain is locked'],
  ])('%s', async (raw, expected) => {
    behaviour.set = () => Promise.reject(generic(raw));
    const err = await new KeychainStore().set('jira/prod/password', 'x').catch((e) => e);
    expect(err.name).toBe('CliError');
    expect(err.exitCode).toBe(1);
    expect(err.message).toContain(expected);
    expect(err.hint).toContain('gnome-keyring-daemon --unlock');
    expect(err.hint).toContain('CONNECTOR_JIRA__PROD__PASSWORD=');
    expect(err.hint).toContain('--secret-store vault');
  });

  it('a keychain that never answers times out instead of hanging', async () => {
    behaviour.get = () => new Promise(() => {});
    const err = await new KeychainStore(20).get('a/b/c').catch((e) => e);
    expect(err.message).toContain('did not answer');
    expect(err.hint).toContain('CONNECTOR_A__B__C=');
  });

  it('missing items read as undefined', async () => {
    behaviour.get = () => Promise.resolve(null);
    expect(await new KeychainStore().get('a/b/c')).toBeUndefined();
  });

  it('unknown failures keep the original text', () => {
    expect(mapKeyringError(new Error('boom'), 'a/b/c', 'write').message).toBe('the OS keychain failed to write a/b/c: boom');
  });
});

describe('keychain library that cannot load', () => {
  it('is one CliError naming the cause, and the next call tries again', async () => {
    let calls = 0;
    const store = new RealKeychainStore(1000, () => {
      calls++;
      throw new Error('keyring.linux-x64-gnu.node: cannot open shared object file');
    });
    const err = await store.get('a/b/c').catch((e) => e);
    expect(err.message).toMatch(/the OS keychain library could not be loaded \(keyring\.linux-x64-gnu\.node: cannot open shared object file\)/);
    await store.get('a/b/c').catch(() => undefined);
    expect(calls).toBe(2);
  });
});
