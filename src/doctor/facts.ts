import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Context } from '../context.js';
import { isCliError } from '../errors.js';
import type { ConnectionRecord } from '../connections/types.js';
import type { ConnectorRecord } from '../model.js';
import type { RegistryIndex } from '../registry/registry.js';
import type { SecretStore } from '../secrets/store.js';
import type { DoctorOptions, Status, System } from './types.js';

type StoreKind = SecretStore['kind'];

/** What a secret store holds, or why that cannot be known without a risk (a prompt) or at all. */
export type Listing = { ok: true; accounts: Set<string>; store: SecretStore; where: string } | { ok: false; status: Status; why: string; hint?: string };

/** The registry as found on disk: the index, every record file, and what is wrong with them. */
export interface RegistryScan {
  index?: RegistryIndex;
  /** The index could not be read (not JSON, no `connectors` map). */
  indexError?: string;
  /** Record files that parse, by connector name. */
  records: Map<string, ConnectorRecord>;
  /** Record files that do not, by connector name: why. */
  broken: Map<string, string>;
  /** Writes a crash interrupted (index.json `pending`), by connector name: every command already sees them resolved. */
  pending: string[];
}

/** Read the registry's files as they are (no lock: a report, not a repair). */
export async function scanRegistry(ctx: Context): Promise<RegistryScan> {
  const registry = await ctx.registry();
  const scan: RegistryScan = { records: new Map(), broken: new Map(), pending: [] };
  const raw = await registry.rawIndex().catch(() => undefined);
  scan.pending = Object.keys(raw?.pending ?? {});
  try {
    scan.index = await registry.index();
  } catch (e) {
    if (!isCliError(e)) throw e;
    scan.indexError = e.message;
  }
  for (const name of recordNames(ctx.home)) {
    if (raw?.pending?.[name]?.op === 'remove') continue; // removed for every command; the file goes when the removal is finished
    try {
      scan.records.set(name, await registry.get(name));
    } catch (e) {
      if (!isCliError(e)) throw e;
      scan.broken.set(name, e.message);
    }
  }
  return scan;
}

/** Names of the record files under <home>/connectors (temp files and other names are not records). */
export function recordNames(home: string): string[] {
  let files: string[];
  try {
    files = readdirSync(join(home, 'connectors'));
  } catch {
    return [];
  }
  return files
    .filter((f) => f.endsWith('.json') && !f.startsWith('.'))
    .map((f) => f.slice(0, -'.json'.length))
    .filter((n) => /^[a-z0-9][a-z0-9._-]{0,63}$/.test(n) && !n.includes('..'))
    .sort();
}

/**
 * The facts one pass of the checks shares, each gathered once on first use: the registry
 * scan, the connection records, and what each secret store holds.
 */
export class Facts {
  private memo = new Map<string, Promise<unknown>>();
  constructor(
    private readonly ctx: Context,
    readonly system: System,
    readonly options: DoctorOptions,
  ) {}

  private once<T>(key: string, fn: () => Promise<T>): Promise<T> {
    let p = this.memo.get(key) as Promise<T> | undefined;
    if (!p) this.memo.set(key, (p = fn()));
    return p;
  }

  registry(): Promise<RegistryScan> {
    return this.once('registry', () => scanRegistry(this.ctx));
  }

  /** The connection records, or why connections.json cannot be read. */
  connections(): Promise<{ list: ConnectionRecord[]; error?: string }> {
    return this.once('connections', async () => {
      try {
        return { list: await (await this.ctx.registry()).connections() };
      } catch (e) {
        if (!isCliError(e)) throw e;
        return { list: [], error: e.message };
      }
    });
  }

  /** The stores worth looking at: the chosen one, those connections name, and the vault when its file exists. */
  storesInUse(): Promise<StoreKind[]> {
    return this.once('stores', async () => {
      const kinds = new Set<StoreKind>([(await this.ctx.secrets()).kind]);
      for (const c of (await this.connections()).list) kinds.add(c.secretStore);
      if (existsSync(join(this.ctx.home, 'vault.json'))) kinds.add('vault');
      return (['keychain', 'vault', 'memory'] as const).filter((k) => kinds.has(k));
    });
  }

  /** Every account in the store of `kind` (values are read by some stores to list, and dropped at once). */
  listing(kind: StoreKind): Promise<Listing> {
    return this.once(`listing:${kind}`, async () => {
      const { listAccounts } = await import('./stores.js');
      return listAccounts(this.ctx, kind, this.system);
    });
  }
}
