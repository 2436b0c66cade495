import { describe, it, expect } from 'vitest';
import { PassThrough } from 'node:stream';
import { join } from 'node:path';
import { main } from '../../src/main.js';
import { makeIO } from '../../src/io/iostreams.js';
import { tempHome } from '../helpers/cli.js';
import { strictPrompter } from '../helpers/context.js';
import { apiKeyRecord, register } from '../connections/helpers.js';

async function createOnTty(home: string, answers: Record<string, string>) {
  const p = strictPrompter(answers);
  const tty = () => Object.assign(new PassThrough(), { isTTY: true });
  const stderr = new PassThrough();
  let err = '';
  stderr.on('data', (d) => (err += d));
  const io = makeIO(tty(), tty(), stderr, { NO_COLOR: '1', CONNECTOR_HOME: home });
  const code = await main(['node', 'connector', 'connection', 'create', 'keyco', '--no-verify', '--secret-store', 'vault'], io, { prompter: async () => p });
  return { code, err, asked: p.asked };
}

describe('the vault passphrase prompt', () => {
  it('says what the passphrase is for and how to skip the prompt before asking, on creating and on opening', async () => {
    const home = tempHome();
    await register(home, apiKeyRecord());
    const first = await createOnTty(home, { 'API Key': 'k1', 'New vault passphrase': 'pw', 'Repeat the vault passphrase': 'pw' });
    expect(first.code).toBe(0);
    const vault = join(home, 'vault.json');
    expect(first.asked[1]).toEqual({ kind: 'password', message: 'New vault passphrase', hint: expect.stringContaining(`new encrypted file vault ${vault}`) });
    expect(first.asked[1].hint).toContain('CONNECTOR_VAULT_PASSPHRASE=... skips this prompt');
    expect(first.asked[1].hint).toContain('cannot be recovered');

    const { Registry } = await import('../../src/registry/registry.js');
    await new Registry(home).updateConnections((list) => {
      list.length = 0;
    });
    const again = await createOnTty(home, { 'API Key': 'k2', 'Vault passphrase': 'pw' });
    expect(again.code).toBe(0);
    expect(again.asked[1]).toEqual({
      kind: 'password',
      message: 'Vault passphrase',
      hint: expect.stringContaining(`Opening the encrypted file vault ${vault}`),
    });
  });
});
