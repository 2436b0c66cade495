import { describe, it, expect } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { createContext, type Context } from '../../src/context.js';
import { makeIO } from '../../src/io/iostreams.js';
import type { Prompter } from '../../src/io/prompter.js';
import { KeychainStore, type KeyringModule } from '../../src/secrets/keychain.js';
import { MemoryStore } from '../../src/secrets/store.js';
import { VaultStore } from '../../src/secrets/vault.js';
import { runChecks } from '../../src/doctor/run.js';
import doctor from '../../src/commands/doctor.action.js';
import type { System } from '../../src/doctor/types.js';
import { apiKeyRecord, makeRecord } from '../connections/helpers.js';
import { connection, doctorJson, homeWith } from './helpers.js';
import { runCli } from '../helpers/cli.js';

const PASS = 'doctor-vault-pass';

/** A keyring binding over a map; `find` replaces findCredentialsAsync (to fail like a locked keyring). */
function fakeKeyring(items: Map<string, string>, find?: () => Promise<never>): KeyringModule {
  class AsyncEntry {
    constructor(
      _service: string,
      private readonly account: string,
    ) {}
    async getPassword() {
      return items.get(this.account) ?? null;
    }
    async setPassword(v: string) {
      items.set(this.account, v);
    }
    async deletePassword() {
      return items.delete(this.account);
    }
  }
  return {
    AsyncEntry,
    findCredentialsAsync: find ?? (async () => [...items].map(([account, password]) => ({ account, password }))),
  } as unknown as KeyringModule;
}

function keychainContext(home: string, keyring: KeyringModule, opts: { platform?: NodeJS.Platform; noInput?: boolean; env?: NodeJS.ProcessEnv } = {}) {
  const out = new PassThrough();
  const io = makeIO(new PassThrough(), out, new PassThrough(), { NO_COLOR: '1', ...opts.env }, { platform: opts.platform ?? 'linux' });
  const store = new KeychainStore(3000, () => keyring, opts.platform ?? 'linux');
  const ctx = createContext(io, home, { input: opts.noInput ? false : undefined }, { secrets: async () => store });
  const system: System = { nodeVersion: '20.20.0', alive: () => false, keyring: () => keyring };
  return { ctx, system };
}

describe('doctor: the OS keychain (through a fake binding)', () => {
  it('lists the items of this tool and deletes none: another home may have a connector of the same name (shared keychain)', async () => {
    const home = await homeWith([apiKeyRecord()], [connection('keyco', 'default', ['api_key'], { secretStore: 'keychain' })]);
    const items = new Map([
      ['keyco/default/api_key', 'v1'],
      ['keyco/prod/api_key', 'v2'], // another --home's keyco/prod, or a crash's leftover: doctor cannot tell
      ['elsewhere/default/token', 'v3'],
    ]);
    const { ctx, system } = keychainContext(home, fakeKeyring(items), { noInput: true });
    const findings = await runChecks(ctx, system, { staleMs: 600_000 });
    const byId = (id: string) => findings.filter((f) => f.id === id);
    expect(byId('keychain')[0]).toMatchObject({ status: 'ok', message: 'OS keychain (Secret Service): reachable and unlocked, 3 items' });
    expect(byId('secrets')[0].status).toBe('ok');
    expect(byId('orphans').find((f) => f.items)).toMatchObject({ status: 'ok', items: ['keychain: keyco/prod/api_key', 'keychain: elsewhere/default/token'] });
    expect(byId('orphans').every((f) => !f.fix)).toBe(true);
    const code = await doctor(ctx, { fix: true, staleAfter: '10' }, system);
    expect(code).toBe(0);
    expect([...items.keys()].sort()).toEqual(['elsewhere/default/token', 'keyco/default/api_key', 'keyco/prod/api_key']);
  });

  it('a locked keychain is a warning, and its connections are "not checked", not "broken"; no prompt is made', async () => {
    const home = await homeWith([apiKeyRecord()], [connection('keyco', 'default', ['api_key'], { secretStore: 'keychain' })]);
    const items = new Map<string, string>();
    const locked = async (): Promise<never> => {
      throw new Error('zbus error: org.freedesktop.Secret.Error.IsLocked: Cannot get secret of a locked object');
    };
    const { ctx, system } = keychainContext(home, fakeKeyring(items, locked), { noInput: true });
    const findings = await runChecks(ctx, system, { staleMs: 600_000 });
    expect(findings.find((f) => f.id === 'keychain')).toMatchObject({
      status: 'warn',
      message: 'the OS keychain is locked',
      hint: expect.stringContaining('Unlock'),
    });
    expect(findings.filter((f) => f.id === 'secrets')).toEqual([
      expect.objectContaining({ status: 'warn', message: '1 connection with secrets in the keychain not checked (see the keychain line)' }),
    ]);
    expect(findings.some((f) => f.status === 'fail')).toBe(false);
  });

  it('no Secret Service: fail when connections keep secrets there', async () => {
    const home = await homeWith([apiKeyRecord()], [connection('keyco', 'default', ['api_key'], { secretStore: 'keychain' })]);
    const gone = async (): Promise<never> => {
      throw new Error('Platform failure: DBus error: Using X11 for dbus-daemon autolaunch was disabled');
    };
    const { ctx, system } = keychainContext(home, fakeKeyring(new Map(), gone), { noInput: true });
    const findings = await runChecks(ctx, system, { staleMs: 600_000 });
    expect(findings.find((f) => f.id === 'keychain')).toMatchObject({ status: 'fail', message: expect.stringContaining('no OS keychain is reachable') });
  });

  it('macOS under --no-input: the keychain is not asked at all (a search may show a dialog), and it says so', async () => {
    const home = await homeWith([apiKeyRecord()], [connection('keyco', 'default', ['api_key'], { secretStore: 'keychain' })]);
    const never = async (): Promise<never> => {
      throw new Error('the keychain was asked under --no-input');
    };
    const { ctx, system } = keychainContext(home, fakeKeyring(new Map(), never), { platform: 'darwin', noInput: true });
    const findings = await runChecks(ctx, system, { staleMs: 600_000 });
    expect(findings.find((f) => f.id === 'keychain')).toMatchObject({ status: 'warn', message: expect.stringContaining('not checked') });
  });
});

describe('doctor: the vault', () => {
  it('finds an orphan in the vault and --fix deletes it; the connection’s own secret stays', async () => {
    const home = await homeWith([apiKeyRecord()], [connection('keyco', 'default', ['api_key'], { secretStore: 'vault' })]);
    const vault = new VaultStore(home, async () => PASS);
    await vault.set('keyco/default/api_key', 'kept-value');
    await vault.set('keyco/halfmade/api_key', 'orphan-value');
    const env = { CONNECTOR_VAULT_PASSPHRASE: PASS };
    const before = await doctorJson(home, ['--secret-store', 'vault', '--no-input'], { env });
    expect(before.check('vault')[0]).toMatchObject({ status: 'ok', message: expect.stringContaining('2 items') });
    expect(before.check('orphans')[0]).toMatchObject({ status: 'warn', items: ['vault: keyco/halfmade/api_key'] });
    const after = await doctorJson(home, ['--secret-store', 'vault', '--no-input', '--fix'], { env });
    expect(after.code).toBe(0);
    expect(await vault.accounts()).toEqual(['keyco/default/api_key']);
    expect(after.stdout + after.stderr).not.toContain('value');
  });

  it('without the passphrase under --no-input: "not checked", never a prompt, never "broken"', async () => {
    const home = await homeWith([apiKeyRecord()], [connection('keyco', 'default', ['api_key'], { secretStore: 'vault' })]);
    await new VaultStore(home, async () => PASS).set('keyco/default/api_key', 'v');
    const r = await doctorJson(home, ['--secret-store', 'vault', '--no-input']);
    expect(r.code).toBe(0);
    expect(r.check('vault')[0]).toMatchObject({ status: 'warn', hint: 'Set CONNECTOR_VAULT_PASSPHRASE.' });
    expect(r.check('secrets').map((f) => f.status)).toEqual(['warn']);
    expect(r.check('orphans')).toEqual([expect.objectContaining({ status: 'warn', message: 'not checked in the vault (see the vault line)' })]);
  });

  it('a wrong passphrase fails the vault line', async () => {
    const home = await homeWith([], [connection('x', 'default', ['k'], { secretStore: 'vault' })]);
    await new VaultStore(home, async () => PASS).set('x/default/k', 'v');
    const r = await doctorJson(home, ['--secret-store', 'vault', '--no-input'], { env: { CONNECTOR_VAULT_PASSPHRASE: 'wrong' } });
    expect(r.code).toBe(1);
    expect(r.check('vault')[0]).toMatchObject({ status: 'fail', message: expect.stringContaining('wrong vault passphrase') });
  });
});

describe('doctor --fix on a terminal asks before deleting', () => {
  function ttyContext(home: string, store: MemoryStore, answers: boolean[]) {
    const stdin = Object.assign(new PassThrough(), { isTTY: true });
    const stdout = Object.assign(new PassThrough(), { isTTY: true });
    const stderr = new PassThrough();
    let err = '';
    stderr.on('data', (d) => (err += d));
    const io = makeIO(stdin, stdout, stderr, { NO_COLOR: '1' }, { platform: 'linux' });
    const asked: string[] = [];
    const prompter: Prompter = {
      input: async () => {
        throw new Error('unexpected input prompt');
      },
      password: async () => {
        throw new Error('unexpected password prompt');
      },
      select: async () => {
        throw new Error('unexpected select prompt');
      },
      confirm: async (q) => {
        asked.push(q);
        const a = answers.shift();
        if (a === undefined) throw new Error(`unexpected question: ${q}`);
        return a;
      },
    };
    const ctx: Context = createContext(io, home, {}, { secrets: async () => store, prompter: async () => prompter });
    return { ctx, asked, err: () => err };
  }

  it('lists the orphans and the broken connections, then deletes only what was agreed to', async () => {
    const home = await homeWith([apiKeyRecord(), makeRecord('other')], [connection('keyco', 'default', ['api_key']), connection('other', 'x', ['k'])]);
    const store = new MemoryStore();
    store.items.set('keyco/default/api_key', 'v');
    store.items.set('keyco/old/api_key', 'o');
    const { ctx, asked, err } = ttyContext(home, store, [true, false]); // prune: yes; orphans: no
    const code = await doctor(ctx, { fix: true, staleAfter: '10' }, { nodeVersion: '20.20.0', alive: () => true, keyring: () => ({}) as KeyringModule });
    expect(asked).toEqual([expect.stringMatching(/^Delete 1 connection whose secrets are gone/), 'Delete 1 secret-store item of no connection?']);
    expect(err()).toContain('  other/x\n');
    expect(err()).toContain('  memory: keyco/old/api_key\n');
    expect(store.items.has('keyco/old/api_key')).toBe(true);
    const list = await runCli(['connection', 'list', '--json'], { home, overrides: { secrets: async () => store } });
    expect(JSON.parse(list.stdout).map((c: { address: string }) => c.address)).toEqual(['keyco/default']);
    expect(code).toBe(0); // an orphan left is a warning
    expect(existsSync(join(home, 'connections.json'))).toBe(true);
  });
});
