import { atomicWrite } from '../../../src/fs/atomic.js';
import { readJsonFile } from '../../../src/fs/json.js';
import type { TokenSet, TokenStorage } from '../../../src/oauth/tokens.js';

/** Test-only TokenStorage: one JSON file, replaced atomically. Real connections use the keychain or vault. */
export class FileTokenStorage implements TokenStorage {
  saves = 0;
  constructor(readonly path: string) {}
  load(): Promise<TokenSet | undefined> {
    return readJsonFile<TokenSet>(this.path);
  }
  async save(t: TokenSet): Promise<void> {
    this.saves++;
    await atomicWrite(this.path, JSON.stringify(t));
  }
}
