import { describe, it, expect, beforeEach } from 'vitest';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { MemoryStore } from '../../src/secrets/store.js';
import { runCli } from '../helpers/cli.js';
import { apiKeyRecord, basicRecord, makeRecord } from '../connections/helpers.js';
import { connection, deadPid, doctorJson, fileAt, homeWith } from './helpers.js';

const API_KEY = 'key-7f3a-SECRET-value';
const PASSWORD = 'pw-91c2-SECRET-value';
const ORPHAN = 'orphan-55d1-SECRET-value';

let store: MemoryStore;
const overrides = () => ({ secrets: async () => store });

beforeEach(() => {
  store = new MemoryStore();
});

/** The broken home the 300-kill probe left, in small: every kind of damage doctor knows. */
async function brokenHome() {
  const home = await homeWith(
    [apiKeyRecord(), basicRecord(), makeRecord('gone'), makeRecord('stale')],
    [connection('keyco', 'default', ['api_key']), connection('basicco', 'default', ['password'], { kind: 'basic' })],
  );
  store.items.set('keyco/default/api_key', API_KEY);
  store.items.set('keyco/old/api_key', ORPHAN); // a connection whose record never got written
  // basicco/default's password is gone (a kill between deleting the secret and the record)
  rmSync(join(home, 'connectors', 'gone.json')); // an index entry without a record
  const index = JSON.parse(readFileSync(join(home, 'index.json'), 'utf8'));
  index.connectors.stale.title = 'an old title'; // a stale summary
  writeFileSync(join(home, 'index.json'), JSON.stringify(index));
  writeFileSync(join(home, 'connectors', 'unindexed.json'), JSON.stringify(makeRecord('unindexed'))); // a record the index misses
  const dead = deadPid();
  fileAt(home, '.lock', `${dead}\n`); // dead owner, pid-only content
  fileAt(home, 'locks/oauth-keyco--default.lock', JSON.stringify({ pid: dead, token: 'a1b2' })); // dead owner, JSON content
  fileAt(home, 'vault.json.lock', '', 45); // empty (kill between create and write), old
  fileAt(home, 'locks/oauth-live--one.lock', `${process.pid}\n`, 45); // a live owner: never broken
  fileAt(home, `connectors/.keyco.json.${process.pid}.ab12cd.tmp`, '{"half', 45); // old
  fileAt(home, `.index.json.${dead}.ef34gh.tmp`, '{"half'); // dead writer
  const fresh = fileAt(home, `.connections.json.${process.pid}.ij56kl.tmp`, '{'); // a write in progress: kept
  // src/fs/lock.ts's own format: a folder holding the owner's token file; and a lock being staged when its taker died.
  fileAt(home, `locks/oauth-basicco--default.lock/${dead}-zz9`, JSON.stringify({ pid: dead, host: hostname(), at: Date.now() }));
  fileAt(home, `.lock.${dead}-qq1.tmp/${dead}-qq1`, JSON.stringify({ pid: dead, host: hostname(), at: Date.now() }), 45);
  return { home, fresh };
}

describe('connector doctor: a broken home', () => {
  it('reports each problem on one line with a hint, and exits 1', async () => {
    const { home } = await brokenHome();
    const { code, report, check } = await doctorJson(home, ['--no-input'], { overrides: overrides() });
    expect(code).toBe(1);
    expect(report.ok).toBe(false);
    const [index] = check('index');
    expect(index.status).toBe('fail');
    expect(index.items?.sort()).toEqual(['gone', 'stale', 'unindexed']);
    expect(index.message).toMatch(/1 entry without a record \(gone\).*1 record missing from the index \(unindexed\).*1 stale summary \(stale\)/);
    expect(index.fix).toEqual({ consent: 'safe', action: 'rebuild the index from the records' });
    expect(check('secrets')[0]).toMatchObject({ status: 'fail', items: ['basicco/default'] });
    expect(check('secrets')[0].message).toContain('basicco/default (password in the memory)');
    expect(check('orphans')[0]).toMatchObject({ status: 'warn', items: ['memory: keyco/old/api_key'] });
    expect(check('temp-files')[0].items?.sort()).toEqual([
      expect.stringMatching(/^\.index\.json\.\d+\.ef34gh\.tmp$/),
      expect.stringMatching(/^\.lock\.\d+-qq1\.tmp$/),
      `connectors/.keyco.json.${process.pid}.ab12cd.tmp`,
    ]);
    const locks = check('locks');
    expect(locks[0].items?.sort()).toEqual(['.lock', 'locks/oauth-basicco--default.lock', 'locks/oauth-keyco--default.lock', 'vault.json.lock']);
    expect(locks[1]).toMatchObject({ status: 'warn', items: [expect.stringContaining(`locks/oauth-live--one.lock (pid ${process.pid}`)] });
    expect(check('node')[0].status).toBe('ok');
  });

  it('the human report: one line per check, status first, hints under problems', async () => {
    const { home } = await brokenHome();
    const r = await runCli(['doctor', '--no-input'], { home, overrides: overrides() });
    expect(r.code).toBe(1);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.find((l) => l.startsWith('FAIL  index'))).toBeDefined();
    expect(lines.find((l) => l.startsWith('warn  orphans'))).toContain('keyco/old/api_key');
    expect(lines.find((l) => l.startsWith('ok    node'))).toBeDefined();
    expect(r.stdout).toContain('hint: connector doctor --fix rebuilds the index from the records.');
    expect(r.stderr).toMatch(/\d+ failed, \d+ warnings\. Run `connector doctor --fix` to repair what is safe\./);
  });

  it('--fix --no-input repairs what is safe and leaves the broken connection (no --prune-broken): exit 1', async () => {
    const { home, fresh } = await brokenHome();
    const { code, report, check } = await doctorJson(home, ['--fix', '--no-input'], { overrides: overrides() });
    expect(code).toBe(1);
    const outcome = Object.fromEntries((report.repairs ?? []).map((r) => [r.id, r.outcome]));
    expect(outcome).toEqual({ index: 'fixed', secrets: 'skipped', orphans: 'fixed', 'temp-files': 'fixed', locks: 'fixed' });
    expect(report.repairs?.find((r) => r.id === 'secrets')?.message).toContain('--prune-broken');
    // the final state, checked again
    expect(check('index')[0].status).toBe('ok');
    expect(check('orphans')[0].status).toBe('ok');
    expect(check('temp-files')[0].status).toBe('ok');
    expect(check('secrets')[0].status).toBe('fail');
    expect(store.items.has('keyco/old/api_key')).toBe(false);
    expect(store.items.get('keyco/default/api_key')).toBe(API_KEY);
    const index = JSON.parse(readFileSync(join(home, 'index.json'), 'utf8'));
    expect(Object.keys(index.connectors).sort()).toEqual(['basicco', 'keyco', 'stale', 'unindexed']);
    expect(index.connectors.stale.title).toBe('stale');
    for (const f of ['.lock', 'locks/oauth-basicco--default.lock', 'locks/oauth-keyco--default.lock', 'vault.json.lock'])
      expect(existsSync(join(home, f)), f).toBe(false);
    expect(existsSync(join(home, 'locks/oauth-live--one.lock'))).toBe(true);
    expect(existsSync(fresh)).toBe(true);
    expect(check('locks')).toEqual([expect.objectContaining({ status: 'warn', items: [expect.stringContaining('oauth-live--one.lock')] })]);
    // the commands agree with the repaired index
    const list = await runCli(['list', '--json'], { home, overrides: overrides() });
    expect(JSON.parse(list.stdout).map((c: { name: string }) => c.name)).toEqual(['basicco', 'keyco', 'stale', 'unindexed']);
  });

  it('--fix --prune-broken --no-input also deletes the connection whose secret is gone: exit 0', async () => {
    const { home } = await brokenHome();
    const { code, report, check } = await doctorJson(home, ['--fix', '--prune-broken', '--no-input'], { overrides: overrides() });
    expect(code, JSON.stringify(report, null, 1)).toBe(0);
    expect(report.repairs?.find((r) => r.id === 'secrets')).toMatchObject({ outcome: 'fixed', message: expect.stringContaining('basicco/default') });
    expect(check('secrets')[0].status).toBe('ok');
    const conns = JSON.parse(readFileSync(join(home, 'connections.json'), 'utf8')).connections;
    expect(conns.map((c: { name: string; connector: string }) => `${c.connector}/${c.name}`)).toEqual(['keyco/default']);
    // a second run finds nothing to do
    const again = await doctorJson(home, ['--no-input'], { overrides: overrides() });
    expect(again.code).toBe(0);
    expect(again.report.checks.filter((c) => c.status !== 'ok').map((c) => c.id)).toEqual(['locks']); // the live owner's lock
  });

  it('a record that does not parse is reported (and left alone by --fix); its index entry stays so `remove` finds it', async () => {
    const home = await homeWith([apiKeyRecord(), makeRecord('bad')]);
    writeFileSync(join(home, 'connectors', 'bad.json'), JSON.stringify({ name: 'bad' }));
    const { code, check } = await doctorJson(home, ['--fix', '--no-input'], { overrides: overrides() });
    expect(code).toBe(1);
    expect(check('records')[0]).toMatchObject({ status: 'fail', items: ['bad'] });
    expect(check('records')[0].hint).toContain('connector remove bad');
    expect(check('index')[0].status).toBe('ok');
    expect(existsSync(join(home, 'connectors', 'bad.json'))).toBe(true);
    expect((await runCli(['remove', 'bad', '--yes'], { home, overrides: overrides() })).code).toBe(0);
  });

  it('an interrupted removal (index.json pending) is a warning, not an unreadable record; --fix finishes it', async () => {
    const home = await homeWith([apiKeyRecord(), basicRecord()]);
    const index = JSON.parse(readFileSync(join(home, 'index.json'), 'utf8'));
    index.pending = { basicco: { op: 'remove' } }; // killed after noting the removal, before unlinking the record
    writeFileSync(join(home, 'index.json'), JSON.stringify(index));
    const before = await doctorJson(home, ['--no-input'], { overrides: overrides() });
    expect(before.check('records')[0].status).toBe('ok');
    expect(before.check('index')[0]).toMatchObject({ status: 'warn', items: ['basicco'] });
    expect(before.check('index')[0].message).toContain('1 interrupted write (basicco');
    const after = await doctorJson(home, ['--fix', '--no-input'], { overrides: overrides() });
    expect(after.code).toBe(0);
    expect(after.check('index')[0].message).toBe('1 connector; the index matches the records');
    expect(existsSync(join(home, 'connectors', 'basicco.json'))).toBe(false);
    expect(JSON.parse(readFileSync(join(home, 'index.json'), 'utf8')).pending).toBeUndefined();
  });

  it('an index that is not JSON fails and --fix rebuilds it from the records', async () => {
    const home = await homeWith([apiKeyRecord(), basicRecord()]);
    writeFileSync(join(home, 'index.json'), '{"connectors": {"keyco": ');
    const before = await doctorJson(home, ['--no-input'], { overrides: overrides() });
    expect(before.code).toBe(1);
    expect(before.check('index')[0].message).toContain('not valid JSON');
    const after = await doctorJson(home, ['--fix', '--no-input'], { overrides: overrides() });
    expect(after.code).toBe(0);
    expect(after.check('index')[0].message).toBe('2 connectors; the index matches the records');
  });

  it('a connections.json that does not parse fails, and the secret checks say they could not run', async () => {
    const home = await homeWith([apiKeyRecord()]);
    writeFileSync(join(home, 'connections.json'), '[]');
    const { code, check } = await doctorJson(home, ['--no-input'], { overrides: overrides() });
    expect(code).toBe(1);
    expect(check('connections')[0]).toMatchObject({ status: 'fail', message: expect.stringContaining('not a connections file') });
    expect(check('secrets')[0].status).toBe('warn');
  });

  it('a healthy home: every check ok, exit 0, "All checks passed."', async () => {
    const home = await homeWith([apiKeyRecord()], [connection('keyco', 'default', ['api_key'])]);
    store.items.set('keyco/default/api_key', API_KEY);
    const r = await runCli(['doctor', '--no-input'], { home, overrides: overrides() });
    expect(r.code, r.stdout).toBe(0);
    expect(
      r.stdout
        .split('\n')
        .filter(Boolean)
        .every((l) => l.startsWith('ok ')),
    ).toBe(true);
    expect(r.stderr.trim()).toBe('All checks passed.');
  });

  it('a secret supplied by its environment variable is not a broken connection', async () => {
    const home = await homeWith([apiKeyRecord()], [connection('keyco', 'ci', ['api_key'])]);
    const { code, check } = await doctorJson(home, ['--no-input'], { overrides: overrides(), env: { CONNECTOR_KEYCO_CI_API_KEY: API_KEY } });
    expect(code).toBe(0);
    expect(check('secrets')[0].message).toContain('keyco/ci supplied by environment variables');
  });

  it('--stale-after must be a positive number (exit 2)', async () => {
    const home = await homeWith([]);
    const r = await runCli(['doctor', '--stale-after', 'soon'], { home, overrides: overrides() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("connector: --stale-after must be a positive number of minutes, got 'soon'");
  });
});

describe('connector doctor never prints a secret', () => {
  it('not a stored secret, an orphan, a vault passphrase or a proxy password, in any mode', async () => {
    const { home } = await brokenHome();
    const env = {
      HTTPS_PROXY: 'http://alice:proxy-pw-SECRET-value@proxy.example.invalid:8080',
      CONNECTOR_VAULT_PASSPHRASE: 'vault-pass-SECRET-value',
    };
    const secrets = [API_KEY, PASSWORD, ORPHAN, 'proxy-pw-SECRET-value', 'vault-pass-SECRET-value', 'alice'];
    store.items.set('basicco/other/password', PASSWORD);
    for (const args of [['doctor'], ['doctor', '--json'], ['doctor', '--verbose'], ['doctor', '--fix', '--prune-broken', '--json']]) {
      const r = await runCli([...args, '--no-input'], { home, env, overrides: overrides() });
      for (const s of secrets) {
        expect(r.stdout, `${args.join(' ')} stdout`).not.toContain(s);
        expect(r.stderr, `${args.join(' ')} stderr`).not.toContain(s);
      }
      expect(r.stdout + r.stderr).not.toMatch(/SECRET/);
    }
  });
});

describe('connector doctor under runCli’s strict keychain stand-in', () => {
  it('does not touch a store it cannot list (no read, no describe): the keychain line says "not checkable"', async () => {
    const home = await homeWith([apiKeyRecord()], [connection('keyco', 'default', ['api_key'], { secretStore: 'keychain' })]);
    const r = await runCli(['doctor', '--json', '--no-input'], { home });
    const report = JSON.parse(r.stdout);
    expect(report.checks.find((c: { id: string }) => c.id === 'keychain')).toMatchObject({ status: 'warn', message: expect.stringContaining('not checkable') });
    expect(r.code).toBe(0);
  });
});

describe('connector doctor: the home', () => {
  it('says when --home does not exist (a typo passed every check silently), and creates nothing', async () => {
    const home = join(await homeWith([], []), 'no-such-home');
    const { code, check } = await doctorJson(home, ['--no-input'], { overrides: overrides() });
    expect(code).toBe(0);
    expect(check('home')).toEqual([
      {
        id: 'home',
        status: 'warn',
        message: `${home} does not exist yet (the first import creates it)`,
        hint: 'If connectors should be there, check --home and CONNECTOR_HOME.',
      },
    ]);
    expect(existsSync(home)).toBe(false);
    const ok = await doctorJson(join(home, '..'), ['--no-input'], { overrides: overrides() });
    expect(ok.check('home')[0]).toMatchObject({ status: 'ok' });
  });
});
