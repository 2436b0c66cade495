import { CliError } from '../errors.js';
import { load } from '../util/load.js';
import { SERVICE, type SecretStore } from './store.js';
import { envVarName } from './env.js';

export const KEYCHAIN_TIMEOUT_MS = 3000;

export type KeyringModule = typeof import('@napi-rs/keyring');

/**
 * @napi-rs/keyring is a CommonJS package around a native binding: require() loads it in
 * about 4 ms, where import() took 17-40 ms (the ESM loader wraps it and scans its source).
 */
export const loadKeyring = (): KeyringModule => load<KeyringModule>('@napi-rs/keyring');

/**
 * The OS keychain through @napi-rs/keyring (macOS Keychain, Windows Credential
 * Manager, Secret Service on Linux): service 'connector-cli', one account per
 * `<connector>/<connection>/<parameter>`. Every call is bounded by a 3 s timeout
 * and every failure becomes ONE CliError that says what to do instead.
 */
export class KeychainStore implements SecretStore {
  readonly kind = 'keychain' as const;
  private mod: KeyringModule | undefined;
  constructor(
    private readonly timeoutMs = KEYCHAIN_TIMEOUT_MS,
    private readonly load: () => KeyringModule = loadKeyring,
    /** The OS (ctx.io.platform): which keychain, and on Linux the Secret Service pin. */
    private readonly platform: NodeJS.Platform = 'linux',
  ) {}

  async get(account: string): Promise<string | undefined> {
    const v = await this.call(account, 'read', (e, signal) => e.getPassword(signal));
    return v ?? undefined;
  }
  async set(account: string, value: string): Promise<void> {
    await this.call(account, 'write', (e, signal) => e.setPassword(value, signal));
  }
  async delete(account: string): Promise<boolean> {
    return this.call(account, 'delete', (e, signal) => e.deletePassword(signal));
  }
  describe(): string {
    return keychainName(this.platform);
  }

  /**
   * Whether `account` could be written now, before anyone types a secret for it. A locked
   * Secret Service collection answers reads of a missing item with "none" and fails only
   * writes, so on Linux a missing item is written and deleted at once (the write is what
   * raises the desktop's unlock prompt, or fails "locked" without one). Elsewhere one read.
   */
  async probe(account: string): Promise<void> {
    if ((await this.get(account)) !== undefined || this.platform !== 'linux') return;
    await this.set(account, 'connector-probe');
    await this.delete(account);
  }

  private async call<T>(account: string, verb: string, fn: (e: InstanceType<KeyringModule['AsyncEntry']>, signal: AbortSignal) => Promise<T>): Promise<T> {
    let mod: KeyringModule;
    try {
      mod = this.mod ??= this.load();
    } catch (e) {
      throw keychainError(`the OS keychain library could not be loaded (${(e as Error).message})`, account, this.platform, e);
    }
    const ac = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        ac.abort();
        reject(keychainError(`the OS keychain did not answer within ${this.timeoutMs / 1000} s (${verb} ${account})`, account, this.platform));
      }, this.timeoutMs);
      timer.unref?.();
    });
    try {
      // Pinned to the Secret Service on Linux: the binding otherwise falls back silently to the
      // kernel keyutils keyring, which forgets everything at reboot.
      const entry = new mod.AsyncEntry(SERVICE, account, this.platform === 'linux' ? { linux: { store: 'secret-service' } } : undefined);
      return await Promise.race([fn(entry, ac.signal), timeout]);
    } catch (e) {
      if (e instanceof CliError) throw e;
      throw mapKeyringError(e, account, verb, this.platform);
    } finally {
      clearTimeout(timer);
    }
  }
}

export function keychainName(platform: NodeJS.Platform): string {
  if (platform === 'darwin') return 'macOS Keychain';
  if (platform === 'win32') return 'Windows Credential Manager';
  return 'OS keychain (Secret Service)';
}

/** Why the keychain failed, as the hint tells the cure apart. */
export type KeychainTrouble = 'locked' | 'unreachable' | 'no-keyring' | 'other';

/**
 * Map @napi-rs/keyring's GenericFailure messages to what the user should do. A locked
 * Secret Service collection fails a write with "Couldn't access platform storage: Secret
 * Service: unlock prompt was dismissed" (the prompt cannot show without a display): the
 * lock is tested before the generic "couldn't access" of an unreachable bus.
 */
export function mapKeyringError(e: unknown, account: string, verb = 'access', platform: NodeJS.Platform = 'linux'): CliError {
  const msg = String((e as Error)?.message ?? e);
  const [what, trouble] = classify(msg, account, verb);
  return keychainError(what, account, platform, e, trouble);
}

function classify(msg: string, account: string, verb: string): [string, KeychainTrouble] {
  if (/unlock prompt was dismissed|is ?locked|locked object|keychain is locked/i.test(msg)) {
    const why = /unlock prompt was dismissed/i.test(msg) ? ' (Secret Service: its unlock prompt could not be shown or was dismissed)' : '';
    return [`the OS keychain is locked${why}`, 'locked'];
  }
  if (/no result found/i.test(msg)) return ['the Secret Service has no keyring to store secrets in', 'no-keyring'];
  if (/couldn'?t access platform storage|dbus error|platform failure|failed to connect/i.test(msg))
    return ['no OS keychain is reachable (no Secret Service on the session bus)', 'unreachable'];
  return [`the OS keychain failed to ${verb} ${account}: ${msg}`, 'other'];
}

/** How to unlock or start the keychain, one line per way (doctor prints the same). */
export function keychainCures(platform: NodeJS.Platform, trouble: KeychainTrouble): string[] {
  if (platform === 'darwin') return ['unlock it: security unlock-keychain login.keychain'];
  if (platform !== 'linux') return ['unlock the OS keychain'];
  const unlock = 'printf %s "$PASS" | gnome-keyring-daemon --unlock --replace --components=secrets';
  if (trouble === 'locked')
    return [
      'unlock the "Login" keyring in Passwords and Keys (seahorse) on a desktop, then run the command again',
      `without a desktop (SSH, CI): \`${unlock}\` ($PASS: the keyring's password)`,
    ];
  if (trouble === 'unreachable')
    return [`start a Secret Service in a D-Bus session: \`dbus-run-session -- sh -c '${unlock.replace(' --replace', '')} >/dev/null && exec "$SHELL"'\``];
  return [`unlock (or create) a Secret Service keyring: \`${unlock}\` inside a D-Bus session`];
}

function keychainError(what: string, account: string, platform: NodeJS.Platform, cause?: unknown, trouble: KeychainTrouble = 'other'): CliError {
  const [k = 'K', c = 'C', p = 'PARAM'] = account.split('/');
  const hint = [
    'Do one of:',
    ...keychainCures(platform, trouble).map((l) => `  - ${l}`),
    `  - supply the secret by environment variable, e.g. ${envVarName(k, c, p)}=...`,
    '  - use the encrypted file vault: --secret-store vault (or CONNECTOR_SECRET_STORE=vault)',
  ].join('\n');
  return new CliError(what, { hint, cause });
}
