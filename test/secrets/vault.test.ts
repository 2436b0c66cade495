import { describe, it, expect, beforeEach } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempHome } from '../helpers/cli.js';
import { VaultStore } from '../../src/secrets/vault.js';
import { register, apiKeyRecord } from '../connections/helpers.js';

let home: string;
beforeEach(() => {
  home = tempHome();
});
const vault = (pass: string) => new VaultStore(home, async () => pass);

describe('encrypted file vault', () => {
  it('round-trips, survives a new instance, and keeps no plaintext on disk', async () => {
    await vault('pw').set('k/c/p', 'super-secret-value');
    await vault('pw').set('k/c/q', 'other');
    const v = vault('pw');
    expect(await v.get('k/c/p')).toBe('super-secret-value');
    expect(await v.get('k/c/nope')).toBeUndefined();
    expect(await v.delete('k/c/p')).toBe(true);
    expect(await v.delete('k/c/p')).toBe(false);
    expect(await vault('pw').get('k/c/q')).toBe('other');
    const text = readFileSync(join(home, 'vault.json'), 'utf8');
    expect(text).not.toContain('other');
    expect(text).not.toContain('k/c/q');
    expect(JSON.parse(text)).toMatchObject({ version: 1, kdf: { name: 'scrypt', N: 32768, r: 8, p: 1 }, cipher: 'aes-256-gcm' });
    expect(Buffer.from(JSON.parse(text).kdf.salt, 'base64')).toHaveLength(16);
  });

  it('wrong passphrase → AuthError (exit 4), vault file untouched', async () => {
    await vault('right').set('a/b/c', 'v');
    const before = readFileSync(join(home, 'vault.json'));
    await expect(vault('wrong').get('a/b/c')).rejects.toMatchObject({ exitCode: 4 });
    await expect(vault('wrong').set('a/b/d', 'x')).rejects.toMatchObject({ exitCode: 4 });
    await expect(vault('wrong').delete('a/b/c')).rejects.toMatchObject({ exitCode: 4 });
    expect(readFileSync(join(home, 'vault.json')).equals(before)).toBe(true);
  });

  it.each([
    ['ciphertext', (f: any) => (f.data = Buffer.from(Buffer.from(f.data, 'base64').map((b, i) => (i === 0 ? b ^ 1 : b))).toString('base64'))],
    ['tag', (f: any) => (f.tag = Buffer.alloc(16).toString('base64'))],
    ['salt (header is authenticated)', (f: any) => (f.kdf.salt = Buffer.alloc(16, 7).toString('base64'))],
    ['iv', (f: any) => (f.iv = Buffer.alloc(12).toString('base64'))],
  ])('tampering with the %s is detected', async (_what, mutate) => {
    await vault('pw').set('a/b/c', 'v');
    const path = join(home, 'vault.json');
    const f = JSON.parse(readFileSync(path, 'utf8'));
    mutate(f);
    writeFileSync(path, JSON.stringify(f));
    await expect(vault('pw').get('a/b/c')).rejects.toMatchObject({ exitCode: 4 });
  });
});

describe('--secret-store vault through the CLI', () => {
  it('creates with CONNECTOR_VAULT_PASSPHRASE; wrong passphrase exits 4; no passphrase and no terminal exits 5', async () => {
    await register(home, apiKeyRecord());
    const ok = await runCli(['--secret-store', 'vault', 'connection', 'create', 'keyco', '--no-verify', '--param-env', 'api_key=K'], {
      home,
      env: { K: 'vaulted-secret', CONNECTOR_VAULT_PASSPHRASE: 'pass-1' },
    });
    expect(ok.stderr).toContain('encrypted file vault');
    expect(ok.code).toBe(0);
    const show = await runCli(['connection', 'show', 'keyco/default', '--json'], { home, env: { CONNECTOR_VAULT_PASSPHRASE: 'pass-1' } });
    expect(JSON.parse(show.stdout).parameters[0]).toMatchObject({ origin: 'vault', value: '********' });
    const before = readFileSync(join(home, 'vault.json'));
    const wrong = await runCli(['--secret-store', 'vault', 'connection', 'create', 'keyco', '--name', 'two', '--no-verify', '--param-env', 'api_key=K'], {
      home,
      env: { K: 'x', CONNECTOR_VAULT_PASSPHRASE: 'pass-2' },
    });
    expect(wrong.code).toBe(4);
    expect(wrong.stderr).toContain('wrong vault passphrase');
    expect(readFileSync(join(home, 'vault.json')).equals(before)).toBe(true);
    const none = await runCli(['connection', 'show', 'keyco/default'], { home, env: { CONNECTOR_VAULT_PASSPHRASE: '' } });
    expect(none.code).toBe(5);
    expect(none.stderr).toContain('CONNECTOR_VAULT_PASSPHRASE');
    for (const f of ['connections.json', 'vault.json']) expect(readFileSync(join(home, f), 'utf8')).not.toContain('vaulted-secret');
  });
});
