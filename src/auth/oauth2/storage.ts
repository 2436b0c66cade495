import type { TokenSet, TokenStorage } from '../../oauth/tokens.js';
import type { SecretStore } from '../../secrets/store.js';

/**
 * A connection's OAuth token set as ONE secret-store item (JSON), so a save
 * replaces access token, refresh token and expiry together: the keychain
 * writes one item at a time and the vault rewrites its file atomically.
 * `onSave` runs after each save (the registry keeps expiry and scope for `list`).
 */
export class SecretTokenStorage implements TokenStorage {
  constructor(
    private readonly store: SecretStore,
    private readonly account: string,
    private readonly onSave?: (t: TokenSet) => Promise<void>,
  ) {}

  async load(): Promise<TokenSet | undefined> {
    return parseTokenSet(await this.store.get(this.account));
  }

  async save(t: TokenSet): Promise<void> {
    await this.store.set(this.account, JSON.stringify(t));
    await this.onSave?.(t);
  }
}

/** Tokens held only in memory: `connection create` verifies with them before anything is stored. */
export class MemoryTokenStorage implements TokenStorage {
  constructor(public current?: TokenSet) {}
  async load() {
    return this.current;
  }
  async save(t: TokenSet) {
    this.current = t;
  }
}

/** A stored item as a token set; anything unreadable counts as "not signed in". */
export function parseTokenSet(raw: string | undefined): TokenSet | undefined {
  if (!raw) return undefined;
  try {
    const t = JSON.parse(raw) as TokenSet;
    return t && typeof t.access_token === 'string' && t.access_token ? t : undefined;
  } catch {
    return undefined;
  }
}
