import { createCipheriv, createDecipheriv, randomBytes, scrypt as scryptCb } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { atomicWrite } from '../fs/atomic.js';
import { readJsonFile } from '../fs/json.js';
import { withLock } from '../fs/lock.js';
import { AuthError, CliError, InputNeededError } from '../errors.js';
import type { SecretStore } from './store.js';

const scrypt = promisify(scryptCb) as (pw: string, salt: Buffer, len: number, opts: object) => Promise<Buffer>;

/** scrypt cost: N=2^15, r=8, p=1 (needs 32 MiB, so maxmem is raised above node's default). */
export const KDF = { N: 2 ** 15, r: 8, p: 1 } as const;

interface VaultFile {
  version: 1;
  kdf: { name: 'scrypt'; N: number; r: number; p: number; salt: string };
  cipher: 'aes-256-gcm';
  iv: string;
  tag: string;
  data: string;
}

/** Where the vault of a connector home lives. */
export const vaultPath = (home: string) => join(home, 'vault.json');

/**
 * The encrypted file vault at <home>/vault.json: one JSON map account → secret,
 * encrypted as a whole with AES-256-GCM under a key from scrypt(passphrase, salt).
 * The header (kdf parameters, salt) is authenticated as AAD, so any change to the
 * file is detected. A wrong passphrase is an AuthError and leaves the file untouched.
 */
export class VaultStore implements SecretStore {
  readonly kind = 'vault' as const;
  readonly path: string;
  private key?: { salt: string; key: Buffer };
  private passphrase?: string;

  constructor(
    home: string,
    private readonly getPassphrase: (creating: boolean) => Promise<string>,
    /** Ends a wait for the vault's lock with CancelError. */
    private readonly signal?: AbortSignal,
  ) {
    this.path = vaultPath(home);
  }

  describe() {
    return `encrypted file vault at ${this.path}`;
  }

  async get(account: string) {
    const file = await readJsonFile<VaultFile>(this.path);
    if (!file) return undefined;
    return (await this.open(file))[account];
  }

  /** Every account in the vault (for `connector doctor`); needs the passphrase, like get. */
  async accounts(): Promise<string[]> {
    const file = await readJsonFile<VaultFile>(this.path);
    return file ? Object.keys(await this.open(file)) : [];
  }

  async set(account: string, value: string) {
    await this.update((items) => {
      items[account] = value;
      return true;
    });
  }

  async delete(account: string) {
    let found = false;
    await this.update((items) => {
      found = account in items;
      delete items[account];
      return found;
    });
    return found;
  }

  private async update(fn: (items: Record<string, string>) => boolean) {
    await withLock(
      this.path + '.lock',
      async () => {
        const file = await readJsonFile<VaultFile>(this.path);
        if (!file) {
          const items: Record<string, string> = {};
          if (!fn(items)) return;
          const salt = randomBytes(16).toString('base64');
          await this.write(items, salt, await this.deriveKey(salt, true));
          return;
        }
        const items = await this.open(file); // throws before any write on a wrong passphrase
        if (!fn(items)) return;
        await this.write(items, file.kdf.salt, await this.deriveKey(file.kdf.salt, false));
      },
      { signal: this.signal },
    );
  }

  private async write(items: Record<string, string>, salt: string, key: Buffer) {
    const iv = randomBytes(12);
    const header = { version: 1 as const, kdf: { name: 'scrypt' as const, ...KDF, salt }, cipher: 'aes-256-gcm' as const };
    const c = createCipheriv('aes-256-gcm', key, iv);
    c.setAAD(Buffer.from(JSON.stringify(header)));
    const data = Buffer.concat([c.update(JSON.stringify(items), 'utf8'), c.final()]);
    const file: VaultFile = { ...header, iv: iv.toString('base64'), tag: c.getAuthTag().toString('base64'), data: data.toString('base64') };
    await atomicWrite(this.path, JSON.stringify(file, null, 1) + '\n');
  }

  private async open(file: VaultFile): Promise<Record<string, string>> {
    if (file.version !== 1 || file.kdf?.name !== 'scrypt' || file.cipher !== 'aes-256-gcm' || typeof file.kdf.salt !== 'string') {
      throw new CliError(`the vault ${this.path} has an unknown format`, { hint: 'It was written by a newer connector, or it is damaged.' });
    }
    if (file.kdf.N !== KDF.N || file.kdf.r !== KDF.r || file.kdf.p !== KDF.p) {
      throw new AuthError(`the vault ${this.path} was modified (its key-derivation parameters changed)`);
    }
    const key = await this.deriveKey(file.kdf.salt, false);
    const header = { version: file.version, kdf: file.kdf, cipher: file.cipher };
    try {
      const d = createDecipheriv('aes-256-gcm', key, Buffer.from(file.iv, 'base64'));
      d.setAAD(Buffer.from(JSON.stringify(header)));
      d.setAuthTag(Buffer.from(file.tag, 'base64'));
      const text = Buffer.concat([d.update(Buffer.from(file.data, 'base64')), d.final()]).toString('utf8');
      return JSON.parse(text) as Record<string, string>;
    } catch {
      this.key = undefined;
      this.passphrase = undefined;
      throw new AuthError(
        `wrong vault passphrase, or ${this.path} was modified (decryption failed)`,
        'Check CONNECTOR_VAULT_PASSPHRASE; the vault file was left untouched.',
      );
    }
  }

  private async deriveKey(salt: string, creating: boolean): Promise<Buffer> {
    if (this.key?.salt === salt) return this.key.key;
    this.passphrase ??= await this.getPassphrase(creating);
    const key = await scrypt(this.passphrase, Buffer.from(salt, 'base64'), 32, { ...KDF, maxmem: 64 * 1024 * 1024 });
    this.key = { salt, key };
    return key;
  }
}

/** Passphrase from CONNECTOR_VAULT_PASSPHRASE, else a password prompt (twice when creating the vault). */
export function passphraseSource(
  env: NodeJS.ProcessEnv,
  prompter: () => Promise<import('../io/prompter.js').Prompter>,
  /** The vault file, named in the hint shown before the first question. */
  path?: string,
): (creating: boolean) => Promise<string> {
  return async (creating) => {
    const fromEnv = env.CONNECTOR_VAULT_PASSPHRASE;
    if (fromEnv) return fromEnv;
    const p = await prompter();
    // Said before the question, not after: what the passphrase is for, and how to skip the prompt.
    const file = path ? ` ${path}` : '';
    const hint = creating
      ? `Secrets go to a new encrypted file vault${file}: choose its passphrase (it cannot be recovered). CONNECTOR_VAULT_PASSPHRASE=... skips this prompt.`
      : `Opening the encrypted file vault${file}. CONNECTOR_VAULT_PASSPHRASE=... skips this prompt.`;
    try {
      const first = await p.password(creating ? 'New vault passphrase' : 'Vault passphrase', { required: true, hint });
      if (creating) {
        const again = await p.password('Repeat the vault passphrase', { required: true });
        if (again !== first) throw new CliError('the two passphrases differ; nothing was written');
      }
      return first;
    } catch (e) {
      if (e instanceof InputNeededError) {
        throw new InputNeededError('the vault passphrase is needed but prompting is impossible', 'Set CONNECTOR_VAULT_PASSPHRASE.');
      }
      throw e;
    }
  };
}
