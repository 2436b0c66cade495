import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import type { Context } from '../context.js';
import { staleTemps } from '../fs/atomic.js';
import { breakStaleLock, isStaleLock } from '../fs/lock.js';
import type { ConnectionRecord } from '../connections/types.js';
import type { SecretStore } from '../secrets/store.js';
import { secretAccount } from '../secrets/store.js';

/** What `checkConsistency` can find. */
export type FindingCode =
  /** A write a crash interrupted (index.json `pending`): readers already see it resolved; the fix writes that down. */
  | 'interrupted-write'
  /** index.json lists a connector whose record file is missing (a hand edit, a restore). */
  | 'index-missing-record'
  /** A record file in connectors/ that index.json does not list (left by an older connector). */
  | 'unindexed-record'
  /** A connection of a connector that is not in the registry. */
  | 'connection-without-connector'
  /** A connection whose secret (one of its secretParams) is not in its store. */
  | 'connection-missing-secret'
  /** A secret in a store that can be listed (the vault) that no connection points at. */
  | 'orphan-secret'
  /** A temporary file or lock staging folder of a writer that has ended. */
  | 'stale-temp'
  /** A lock whose owner has ended. */
  | 'stale-lock';

/**
 * One inconsistency. `fix` is present only when repairing it loses nothing a user could
 * still want (finish an interrupted write, delete an orphan secret or a dead writer's
 * leftover); the others need the user (re-import, recreate the connection).
 */
export interface Finding {
  code: FindingCode;
  /** What it is about: a connector name, `<connector>/<connection>`, a secret account, or a path. */
  subject: string;
  /** One line for humans (never a secret value). */
  message: string;
  fix?: () => Promise<void>;
}

export interface ConsistencyOptions {
  /** Read the secret stores (missing and orphan secrets); default true. The vault may ask for its passphrase. */
  secrets?: boolean;
}

/**
 * Check the registry under ctx.home against itself and the secret stores: what a crash or a
 * hand edit left behind. Reads only; each finding's `fix` repairs it (under the registry lock
 * where it writes). `connector doctor` prints these; the crash tests assert on them.
 */
export async function checkConsistency(ctx: Context, opts: ConsistencyOptions = {}): Promise<Finding[]> {
  const registry = await ctx.registry();
  const findings: Finding[] = [];

  const raw = await registry.rawIndex();
  for (const [name, p] of Object.entries(raw.pending ?? {})) {
    findings.push({
      code: 'interrupted-write',
      subject: name,
      message: `an interrupted ${p?.op === 'remove' ? 'removal' : 'import'} of '${name}' (already resolved for every command; index.json still notes it)`,
      fix: async () => void (await registry.settle()),
    });
  }
  const idx = await registry.index();
  const recordsDir = join(registry.home, 'connectors');
  const files = new Set((await fsp.readdir(recordsDir).catch(() => [] as string[])).filter((f) => f.endsWith('.json') && !f.startsWith('.')));
  for (const name of Object.keys(idx.connectors)) {
    if (!files.has(`${name}.json`)) {
      findings.push({ code: 'index-missing-record', subject: name, message: `the registry lists '${name}' but ${registry.recordPath(name)} is missing` });
    }
  }
  for (const f of files) {
    const name = f.slice(0, -'.json'.length);
    if (!Object.hasOwn(idx.connectors, name) && !raw.pending?.[name]) {
      findings.push({
        code: 'unindexed-record',
        subject: name,
        message: `${join(recordsDir, f)} is not in the registry's index (import it again, or delete the file)`,
      });
    }
  }

  const connections = await registry.connections();
  for (const c of connections) {
    if (!Object.hasOwn(idx.connectors, c.connector)) {
      findings.push({
        code: 'connection-without-connector',
        subject: `${c.connector}/${c.name}`,
        message: `connection ${c.connector}/${c.name} belongs to no imported connector`,
      });
    }
  }
  if (opts.secrets !== false) findings.push(...(await secretFindings(ctx, connections)));

  for (const path of (await Promise.all(registry.leftoverDirs.map((d) => staleTemps(d)))).flat()) {
    findings.push({
      code: 'stale-temp',
      subject: path,
      message: `${path} was left by a write that did not finish`,
      fix: () => fsp.rm(path, { recursive: true, force: true }),
    });
  }
  const locks = [registry.lockPath, join(registry.home, 'vault.json.lock')];
  for (const f of await fsp.readdir(join(registry.home, 'locks')).catch(() => [] as string[]))
    if (f.endsWith('.lock')) locks.push(join(registry.home, 'locks', f));
  for (const lock of locks) {
    if (await isStaleLock(lock)) {
      findings.push({
        code: 'stale-lock',
        subject: lock,
        message: `${lock} is held by a process that has ended`,
        fix: async () => void (await breakStaleLock(lock)),
      });
    }
  }
  return findings;
}

async function secretFindings(ctx: Context, connections: ConnectionRecord[]): Promise<Finding[]> {
  const findings: Finding[] = [];
  const { storeFor } = await import('../secrets/open.js');
  const stores = new Map<string, SecretStore>();
  const open = async (kind: ConnectionRecord['secretStore']) => {
    let s = stores.get(kind);
    if (!s) stores.set(kind, (s = await storeFor(ctx, kind)));
    return s;
  };
  for (const c of connections) {
    if (!c.secretParams.length) continue;
    const store = await open(c.secretStore);
    const missing: string[] = [];
    for (const p of c.secretParams) if ((await store.get(secretAccount(c.connector, c.name, p))) === undefined) missing.push(p);
    if (missing.length) {
      findings.push({
        code: 'connection-missing-secret',
        subject: `${c.connector}/${c.name}`,
        message: `connection ${c.connector}/${c.name} has no ${missing.map((m) => `'${m}'`).join(', ')} in the ${store.describe()} (recreate it)`,
      });
    }
  }
  // Orphans only where the store can list its accounts: the vault (when it exists).
  const registry = await ctx.registry();
  const vaultExists = await fsp.stat(join(registry.home, 'vault.json')).then(
    () => true,
    () => false,
  );
  if (vaultExists) {
    const vault = (await open('vault')) as SecretStore & { accounts?: () => Promise<string[]> };
    const claimed = (list: ConnectionRecord[]) =>
      new Set(list.filter((c) => c.secretStore === 'vault').flatMap((c) => c.secretParams.map((p) => secretAccount(c.connector, c.name, p))));
    const wanted = claimed(connections);
    for (const account of (await vault.accounts?.()) ?? []) {
      if (wanted.has(account)) continue;
      findings.push({
        code: 'orphan-secret',
        subject: account,
        message: `the ${vault.describe()} holds ${account}, which no connection uses`,
        // Re-checked under the registry lock: a connection created since then keeps its secret.
        fix: () =>
          registry.locked(async () => {
            if (!claimed(await registry.connections()).has(account)) await vault.delete(account);
          }),
      });
    }
  }
  return findings;
}
