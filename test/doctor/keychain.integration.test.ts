import { describe, it, expect } from 'vitest';
import { randomBytes } from 'node:crypto';
import { KeychainStore } from '../../src/secrets/keychain.js';
import { makeRecord } from '../connections/helpers.js';
import { connection, doctorJson, homeWith } from './helpers.js';

/** The real Secret Service, when the session has one (the full-suite command starts gnome-keyring). */
async function probe(): Promise<string | undefined> {
  const store = new KeychainStore();
  const account = `doctor-probe/${process.pid}/${randomBytes(4).toString('hex')}`;
  try {
    await store.set(account, 'probe');
    await store.delete(account);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}
const why = await probe();
if (why) console.warn(`[doctor] no usable OS keychain (${why}): the doctor keychain test is skipped; run it under the dbus-run-session wrapper`);

describe.skipIf(Boolean(why))('doctor with the real OS keychain', () => {
  it('lists items no connection of this home uses, and --fix deletes none of them (the keychain is shared by every home)', async () => {
    const id = randomBytes(4).toString('hex');
    const mine = `doc${id}`;
    const home = await homeWith([makeRecord(mine)], [connection(mine, 'default', ['api_key'], { secretStore: 'keychain' })]);
    const store = new KeychainStore();
    const kept = `${mine}/default/api_key`;
    const orphan = `${mine}/prod/api_key`; // a crash's leftover, or another --home's ${mine}/prod: doctor cannot tell
    const foreign = `other${id}/default/api_key`; // another --home's connector: never ours to delete
    await store.set(kept, `kept-${id}-SECRET`);
    await store.set(orphan, `orphan-${id}-SECRET`);
    await store.set(foreign, `foreign-${id}-SECRET`);
    try {
      const before = await doctorJson(home, ['--secret-store', 'keychain', '--no-input']);
      expect(before.check('keychain')[0]).toMatchObject({ status: 'ok', message: expect.stringContaining('reachable and unlocked') });
      expect(before.check('secrets')[0].status).toBe('ok');
      const listed = before.check('orphans').flatMap((f) => f.items ?? []);
      expect(listed).toContain(`keychain: ${orphan}`);
      expect(listed).toContain(`keychain: ${foreign}`);
      const after = await doctorJson(home, ['--secret-store', 'keychain', '--no-input', '--fix']);
      expect(after.stdout + after.stderr).not.toContain('SECRET');
      expect(await store.get(orphan)).toBe(`orphan-${id}-SECRET`);
      expect(await store.get(kept)).toBe(`kept-${id}-SECRET`);
      expect(await store.get(foreign)).toBe(`foreign-${id}-SECRET`);
    } finally {
      for (const a of [kept, orphan, foreign]) await store.delete(a).catch(() => {});
    }
  });
});
