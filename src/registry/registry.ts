import { join } from 'node:path';
import { existsSync, promises as fsp } from 'node:fs';
import { atomicWrite, removeStaleTemps } from '../fs/atomic.js';
import { readJsonFile } from '../fs/json.js';
import { withLock } from '../fs/lock.js';
import { CliError, NotFoundError, UsageError } from '../errors.js';
import { closest, legacySlugify, slugify } from '../util/suggest.js';
import type { ConnectorRecord, ConnectorSummary } from '../model.js';
import type { ConnectionRecord } from '../connections/types.js';
import { readConnectionsFile } from './connections.js';
import { load } from '../util/load.js';

/** node:crypto only when a write needs it (start-up does not load it). */
function sha256(bytes: Uint8Array): string {
  const { createHash } = load<typeof import('node:crypto')>('node:crypto');
  return createHash('sha256').update(bytes).digest('hex');
}

export interface RegistryIndex {
  version: 1;
  connectors: Record<string, ConnectorSummary>;
  /**
   * Writes in flight (or interrupted by a crash): an import writes its intent here before the
   * record, a removal before it unlinks the record. Readers resolve them (see `resolvePending`),
   * the next writer under the lock finishes them, so a crash between the two files is never seen.
   */
  pending?: Record<string, PendingWrite>;
}

/** `put`: the record file becomes the one with this SHA-256, then `summary` is the entry. `remove`: the record file goes. */
export type PendingWrite = { op: 'put'; sha256: string; summary: ConnectorSummary } | { op: 'remove' };

const NAME_RE = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** A name import could have given: a lower-case slug with no path separator and no `..`. */
export const isValidName = (name: string): boolean => NAME_RE.test(name) && !name.includes('..');

/** Registry names: a lower-case slug with no path separator and no `..`. */
export function validateName(name: string, what = 'connector name'): string {
  if (!isValidName(name)) {
    throw new UsageError(`invalid ${what} '${name}': use lower-case letters, digits, '.', '_' and '-' (no '/', no '..', at most 64)`);
  }
  return name;
}

/**
 * The on-disk registry under `home`:
 *   index.json              name -> summary (what `list` reads; no spec parsing)
 *   connectors/<name>.json  the full ConnectorRecord
 *   connections.json        every connection record (secret values live in the secret store)
 * Every write happens under one lock file and is atomic.
 */
export class Registry {
  readonly home: string;
  private readonly signal?: AbortSignal;
  /** `signal` (the context's Ctrl-C) ends a wait for the lock with CancelError. */
  constructor(home: string, opts: { signal?: AbortSignal } = {}) {
    this.home = home;
    this.signal = opts.signal;
  }

  get lockPath() {
    return join(this.home, '.lock');
  }
  private get indexPath() {
    return join(this.home, 'index.json');
  }
  recordPath(name: string) {
    return join(this.home, 'connectors', `${validateName(name)}.json`);
  }

  /** The index as users see it: writes a crash interrupted are resolved (in memory; `put`/`remove` persist it). */
  async index(): Promise<RegistryIndex> {
    const idx = await this.rawIndex();
    if (idx.pending) await this.resolvePending(idx, false);
    return idx;
  }

  /** index.json as stored, pending writes included. */
  async rawIndex(): Promise<RegistryIndex> {
    const idx = await readJsonFile<RegistryIndex>(this.indexPath);
    if (idx === undefined) return { version: 1, connectors: {} };
    if (!idx || typeof idx.connectors !== 'object' || idx.connectors === null || Array.isArray(idx.connectors)) {
      throw new CliError(`registry file ${this.indexPath} is corrupt (no 'connectors' map)`, {
        hint: 'connector doctor --fix rebuilds it from the records (connector never writes half a file).',
      });
    }
    if (idx.pending !== undefined && (typeof idx.pending !== 'object' || idx.pending === null || Array.isArray(idx.pending))) delete idx.pending;
    return idx;
  }

  /**
   * Decide each pending write: a put whose record file has the intended content happened (its
   * summary becomes the entry), any other did not (the previous entry stays); a removal
   * happened. With `finish` (only under the lock, where a pending write is a dead writer's)
   * the record file of a removal is unlinked too; the caller then writes the index.
   */
  private async resolvePending(idx: RegistryIndex, finish: boolean): Promise<void> {
    for (const [name, p] of Object.entries(idx.pending ?? {})) {
      if (p?.op === 'put') {
        if (typeof p.sha256 === 'string' && (await this.recordHash(name)) === p.sha256) idx.connectors[name] = p.summary;
      } else {
        delete idx.connectors[name];
        if (finish) await fsp.unlink(this.recordPath(name)).catch(() => {});
      }
    }
    delete idx.pending;
  }

  private async recordHash(name: string): Promise<string | undefined> {
    const bytes = await fsp.readFile(this.recordPath(name)).catch(() => undefined);
    return bytes && sha256(bytes);
  }

  /** Under the lock: the index with interrupted writes finished and written back. */
  private async settledIndex(): Promise<RegistryIndex> {
    const idx = await this.rawIndex();
    if (idx.pending) {
      await this.resolvePending(idx, true);
      await this.writeIndex(idx);
    }
    return idx;
  }

  private writeIndex(idx: RegistryIndex) {
    if (idx.pending && !Object.keys(idx.pending).length) delete idx.pending;
    return atomicWrite(this.indexPath, JSON.stringify(idx, null, 1));
  }

  /** Finish writes a crash interrupted (for `doctor --fix`); true when there were some. */
  async settle(): Promise<boolean> {
    return this.locked(async () => {
      const had = Boolean((await this.rawIndex()).pending);
      await this.settledIndex();
      return had;
    });
  }

  async list(): Promise<ConnectorSummary[]> {
    const idx = await this.index();
    return Object.values(idx.connectors).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Any string may be asked (a suite's connector may be a path): only an own index entry counts, never `constructor`. */
  async has(name: string): Promise<boolean> {
    const { connectors } = await this.index();
    return Object.hasOwn(connectors, name) || Object.hasOwn(connectors, await this.resolve(name));
  }

  /**
   * The registry name `name` means: the exact name; else the one name equal to it ignoring case
   * (operation ids are matched so too); else a connector imported before apostrophes were dropped
   * from slugs (africa-s-talking-sms), asked for by its new slug (africas-talking-sms), or the
   * other way round. Anything else is returned as given (and then not found).
   */
  async resolve(name: string): Promise<string> {
    const idx = await this.index().catch(() => undefined); // get() reads a record even when the index is unreadable
    if (!idx || Object.hasOwn(idx.connectors, name)) return name;
    const lc = name.toLowerCase();
    const names = Object.keys(idx.connectors);
    const one = (found: string[]) => (found.length === 1 ? found[0] : undefined);
    const slugs = (n: string) => {
      const title = idx.connectors[n]?.title;
      return typeof title === 'string' ? [slugify(title), legacySlugify(title)] : [];
    };
    return one(names.filter((n) => n.toLowerCase() === lc)) ?? one(names.filter((n) => slugs(n).includes(n) && slugs(n).includes(lc))) ?? name;
  }

  /** The full record, or a one-line error naming the closest connectors. */
  async get(asked: string): Promise<ConnectorRecord> {
    // The name as typed first (one stat: `run` reads no index for it); else what it means.
    const name = isValidName(asked) && existsSync(this.recordPath(asked)) ? asked : await this.resolve(asked);
    // A name no import could have given (Upper case, a path) is not found like any other.
    if (!isValidName(name)) throw await this.notFound(asked);
    const path = this.recordPath(name);
    // A record stays readable when index.json is not (doctor rebuilds the index from the records).
    const removing = await this.rawIndex().then(
      (idx) => idx.pending?.[name]?.op === 'remove',
      () => false,
    );
    const rec = removing ? undefined : await readJsonFile<unknown>(path);
    if (!rec) {
      if (await this.has(name)) {
        throw new CliError(`the registry lists '${name}' but ${path} is missing`, {
          hint: `Import it again (connector import <source> --name ${name} --force), or: connector remove ${name}`,
        });
      }
      throw await this.notFound(name);
    }
    const why = recordProblem(rec, name);
    if (why) throw new CliError(`${path}: not a connector record (${why})`, { hint: `Import it again: connector import <source> --name ${name} --force` });
    return rec as ConnectorRecord;
  }

  async notFound(name: string): Promise<CliError> {
    const names = Object.keys((await this.index()).connectors);
    const near = closest(name, names);
    return new NotFoundError(
      `no connector named '${name}'`,
      near.length
        ? `Did you mean: ${near.join(', ')}?`
        : names.length
          ? 'Run `connector list` to see the imported connectors.'
          : 'Import one first: connector import <file|url|folder>',
    );
  }

  /** Store a record; `mutate` runs under the lock and may refuse (e.g. exists without --force). */
  async put(
    record: ConnectorRecord,
    summary: ConnectorSummary,
    check?: (previous: ConnectorRecord | undefined) => void | Promise<void>,
  ): Promise<ConnectorRecord | undefined> {
    validateName(record.name);
    return this.locked(async () => {
      const idx = await this.settledIndex();
      // Any record file there is someone's connector, listed in the index or not (a lost or
      // hand-removed index.json): replacing it needs --force, or its connections' secrets would
      // go to another API. Only a file that does not parse is replaced without asking.
      const previous = await readJsonFile<ConnectorRecord>(this.recordPath(record.name)).catch(() => undefined);
      if (check) await check(previous);
      // Intent, record, entry: a crash anywhere leaves the old connector or the new one, never a mix.
      const text = JSON.stringify(record);
      idx.pending = { [record.name]: { op: 'put', sha256: sha256(Buffer.from(text)), summary } };
      await this.writeIndex(idx);
      await atomicWrite(this.recordPath(record.name), text);
      delete idx.pending;
      idx.connectors[record.name] = summary;
      await this.writeIndex(idx);
      return previous;
    });
  }

  async remove(name: string): Promise<void> {
    validateName(name);
    await this.locked(async () => {
      const idx = await this.settledIndex();
      if (!Object.hasOwn(idx.connectors, name)) throw await this.notFound(name);
      // The entry goes first (with a note to unlink the record), so a crash never leaves a listed connector without its file.
      delete idx.connectors[name];
      idx.pending = { [name]: { op: 'remove' } };
      await this.writeIndex(idx);
      await fsp.unlink(this.recordPath(name)).catch(() => {});
      delete idx.pending;
      await this.writeIndex(idx);
    });
  }

  private get connectionsPath() {
    return join(this.home, 'connections.json');
  }

  /** Every connection record, in file order (a file of the wrong shape is a one-line error). */
  async connections(): Promise<ConnectionRecord[]> {
    return (await readConnectionsFile(this.connectionsPath)).connections;
  }

  /**
   * Read-modify-write connections.json under the registry lock. `fn` mutates the list
   * in place; its return value is passed through. Nothing is written when it throws.
   * `afterWrite` runs once the file is written, before the lock is released.
   */
  async updateConnections<T>(fn: (list: ConnectionRecord[]) => T | Promise<T>, opts: { afterWrite?: (result: T) => Promise<void> } = {}): Promise<T> {
    return this.locked(async () => {
      const file = await readConnectionsFile(this.connectionsPath);
      const result = await fn(file.connections);
      await atomicWrite(this.connectionsPath, JSON.stringify(file, null, 1) + '\n');
      await opts.afterWrite?.(result); // still under the lock: e.g. delete secrets no new record can claim meanwhile
      return result;
    });
  }

  /** Run fn under the registry lock (for multi-file updates such as connections). */
  locked<T>(fn: () => Promise<T>): Promise<T> {
    return withLock(
      this.lockPath,
      async () => {
        if (!this.swept) {
          this.swept = true; // once per process: what crashed writers left (see staleTemps)
          await removeStaleTemps(this.leftoverDirs).catch(() => {});
        }
        return fn();
      },
      // Dead owners are detected at once, so the wait is only ever for a live writer: 20 at once on a busy machine take more than 10 s.
      { signal: this.signal, timeoutMs: 30_000 },
    );
  }
  private swept = false;

  /** Where writes and locks leave temporary files: the home, its records, its lock folder. */
  get leftoverDirs(): string[] {
    return [this.home, join(this.home, 'connectors'), join(this.home, 'locks')];
  }
}

/** What makes a stored connector record unusable (a hand edit, a truncated copy), or undefined. */
function recordProblem(rec: unknown, name: string): string | undefined {
  if (!rec || typeof rec !== 'object' || Array.isArray(rec)) return 'not a JSON object';
  const r = rec as Record<string, unknown>;
  if (r.name !== name) return `its name is ${JSON.stringify(r.name)}, not '${name}'`;
  if (typeof r.specFormat !== 'string') return 'specFormat is not a string';
  const d = r.definition;
  if (!d || typeof d !== 'object' || Array.isArray(d)) return 'definition is not an object';
  if (typeof (d as Record<string, unknown>).swagger !== 'string' && typeof (d as Record<string, unknown>).openapi !== 'string')
    return "definition has no 'swagger' or 'openapi' version";
  if (r.apiProperties !== undefined && (typeof r.apiProperties !== 'object' || r.apiProperties === null)) return 'apiProperties is not an object';
  return undefined;
}
