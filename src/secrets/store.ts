/**
 * Where secret values live. One interface for the OS keychain, the encrypted
 * file vault, and an in-memory store (tests, `connector demo` without a keychain).
 * Accounts are `<connector>/<connection>/<parameter>` under one service name.
 */
export interface SecretStore {
  readonly kind: 'keychain' | 'vault' | 'memory';
  get(account: string): Promise<string | undefined>;
  set(account: string, value: string): Promise<void>;
  /** True when something was deleted. */
  delete(account: string): Promise<boolean>;
  /** Human description of where secrets go, e.g. "OS keychain (Secret Service)". */
  describe(): string;
}

export const SERVICE = 'connector-cli';

export function secretAccount(connector: string, connection: string, parameter: string): string {
  return `${connector}/${connection}/${parameter}`;
}

export class MemoryStore implements SecretStore {
  readonly kind = 'memory' as const;
  readonly items = new Map<string, string>();
  async get(account: string) {
    return this.items.get(account);
  }
  async set(account: string, value: string) {
    this.items.set(account, value);
  }
  async delete(account: string) {
    return this.items.delete(account);
  }
  describe() {
    return 'in-memory store (gone when the process exits)';
  }
}
