import type { Context } from '../context.js';
import { isCI } from '../io/progress.js';
import { InputNeededError, isCliError } from '../errors.js';
import { storeFor } from '../secrets/open.js';
import { MemoryStore, SERVICE, type SecretStore } from '../secrets/store.js';
import { KEYCHAIN_TIMEOUT_MS, KeychainStore, keychainCures, mapKeyringError } from '../secrets/keychain.js';
import type { Listing } from './facts.js';
import type { System } from './types.js';

/**
 * Every account a secret store holds for connector. The memory store lists its map; the
 * vault decrypts its file (the passphrase from CONNECTOR_VAULT_PASSPHRASE, or a prompt on
 * a terminal); the OS keychain is asked through findCredentials for the items of service
 * 'connector-cli'. The keychain binding returns the passwords with the accounts: they are
 * dropped here, before anything else sees them.
 */
export async function listAccounts(ctx: Context, kind: SecretStore['kind'], system: System): Promise<Listing> {
  let store: SecretStore;
  try {
    store = await storeFor(ctx, kind);
  } catch (e) {
    if (!isCliError(e)) throw e;
    return { ok: false, status: 'fail', why: e.message, hint: e.hint };
  }
  if (store instanceof KeychainStore) return listKeychain(ctx, store, system);
  if (store instanceof MemoryStore) return { ok: true, accounts: new Set(store.items.keys()), store, where: store.describe() };
  const listable = store as SecretStore & { accounts?: () => Promise<string[]> };
  // Any other store (one a test injected) is only asked what it can answer: not even describe().
  if (typeof listable.accounts !== 'function') return { ok: false, status: 'warn', why: `the ${kind} store cannot list its items: not checkable` };
  const where = store.describe();
  try {
    return { ok: true, accounts: new Set(await listable.accounts()), store, where };
  } catch (e) {
    if (!isCliError(e)) throw e;
    if (e instanceof InputNeededError)
      return {
        ok: false,
        status: 'warn',
        why: `${where} not checked: its passphrase is needed and prompting is impossible`,
        hint: 'Set CONNECTOR_VAULT_PASSPHRASE.',
      };
    return { ok: false, status: 'fail', why: e.message, hint: e.hint };
  }
}

/**
 * The keychain's items of this tool, within the keychain timeout and without a prompt: on
 * Linux a locked Secret Service collection answers IsLocked to a search (a read would ask
 * gcr-prompter to unlock it), so the search is safe; the macOS Keychain may show an access
 * dialog for a search, so under --no-input or CI it is not asked at all.
 */
async function listKeychain(ctx: Context, store: KeychainStore, system: System): Promise<Listing> {
  const where = store.describe();
  if (ctx.io.platform === 'darwin' && (ctx.noInput || isCI(ctx.io.env))) {
    return {
      ok: false,
      status: 'warn',
      why: `${where} not checked: listing its items may show a dialog, and --no-input or CI forbids prompts`,
      hint: 'Run connector doctor in a terminal to check the keychain.',
    };
  }
  let mod: ReturnType<System['keyring']>;
  try {
    mod = system.keyring();
  } catch (e) {
    return { ok: false, status: 'fail', why: `the OS keychain library could not be loaded (${(e as Error).message})` };
  }
  if (typeof mod.findCredentialsAsync !== 'function')
    return { ok: false, status: 'warn', why: `${where} not checkable: the keychain library cannot list items` };
  const ac = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      ac.abort();
      reject(new Error(`no answer within ${KEYCHAIN_TIMEOUT_MS / 1000} s`));
    }, KEYCHAIN_TIMEOUT_MS);
    timer.unref?.();
  });
  try {
    const found = await Promise.race([mod.findCredentialsAsync(SERVICE, null, ac.signal), timeout]);
    return { ok: true, accounts: new Set(found.map((c) => c.account)), store, where };
  } catch (e) {
    const msg = String((e as Error)?.message ?? e);
    // zbus's "Failed to connect to address" (no session bus) is not among the binding's own messages.
    const mapped = /failed to connect|no such file or directory/i.test(msg)
      ? { message: 'no OS keychain is reachable (no Secret Service on the session bus)' }
      : mapKeyringError(e, '*', 'list items of');
    const locked = /is locked/i.test(mapped.message);
    const cures = keychainCures(ctx.io.platform, locked ? 'locked' : 'unreachable');
    return {
      ok: false,
      status: locked ? 'warn' : 'fail',
      why: /did not answer|no answer within/.test(String((e as Error)?.message))
        ? `the OS keychain did not answer within ${KEYCHAIN_TIMEOUT_MS / 1000} s`
        : mapped.message,
      hint: `${cures.map((c, i) => (i ? c : c[0].toUpperCase() + c.slice(1))).join('; or ')}; or use --secret-store vault (or CONNECTOR_SECRET_STORE=vault).`,
    };
  } finally {
    clearTimeout(timer);
  }
}
