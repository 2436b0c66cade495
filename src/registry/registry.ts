import { join } from 'node:path';
import { promises as fsp } from 'node:fs';
import { atomicWrite } from '../fs/atomic.js';
import { readJsonFile } from '../fs/json.js';
import { withLock } from '../fs/lock.js';
import { CliError, UsageError } from '../errors.js';
import { closest } from '../util/suggest.js';
import type { ConnectorRecord, ConnectorSummary } from '../model.js';
import type { ConnectionRecord } from '../connections/types.js';
import { readConnectionsFile } from './connections.js';

export interface RegistryIndex {
  version: 1;
  connectors: Record<string, ConnectorSummary>;
}

const NAME_RE = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** Registry names: a lower-case slug with no path separator and no `..`. */
export function validateName(name: string, what = 'connector name'): string {
  if (!NAME_RE.test(name) || name.includes('..')) {
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

  async index(): Promise<RegistryIndex> {
    const idx = await readJsonFile<RegistryIndex>(this.indexPath);
    if (idx === undefined) return { version: 1, connectors: {} };
    if (!idx || typeof idx.connectors !== 'object' || idx.connectors === null || Array.isArray(idx.connectors)) {
      throw new CliError(`registry file ${this.indexPath} is corrupt (no 'connectors' map)`, {
        hint: 'Remove it or restore it from a backup; connector never writes half a file.',
      });
    }
    return idx;
  }

  async list(): Promise<ConnectorSummary[]> {
    const idx = await this.index();
    return Object.values(idx.connectors).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Any string may be asked (a suite's connector may be a path): only an own index entry counts, never `constructor`. */
  async has(name: string): Promise<boolean> {
    return Object.hasOwn((await this.index()).connectors, name);
  }

  /** The full record, or a one-line error naming the closest connectors. */
  async get(name: string): Promise<ConnectorRecord> {
    validateName(name);
    const path = this.recordPath(name);
    const rec = await readJsonFile<unknown>(path);
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
    return new CliError(`no connector named '${name}'`, {
      hint: near.length
        ? `Did you mean: ${near.join(', ')}?`
        : names.length
          ? 'Run `connector list` to see the imported connectors.'
          : 'Import one first: connector import <file|url|folder>',
    });
  }

  /** Store a record; `mutate` runs under the lock and may refuse (e.g. exists without --force). */
  async put(
    record: ConnectorRecord,
    summary: ConnectorSummary,
    check?: (previous: ConnectorRecord | undefined) => void | Promise<void>,
  ): Promise<ConnectorRecord | undefined> {
    validateName(record.name);
    return withLock(
      this.lockPath,
      async () => {
        const previous = await readJsonFile<ConnectorRecord>(this.recordPath(record.name));
        if (check) await check(previous);
        await atomicWrite(this.recordPath(record.name), JSON.stringify(record));
        const idx = await this.index();
        idx.connectors[record.name] = summary;
        await atomicWrite(this.indexPath, JSON.stringify(idx, null, 1));
        return previous;
      },
      { signal: this.signal },
    );
  }

  async remove(name: string): Promise<void> {
    validateName(name);
    await withLock(
      this.lockPath,
      async () => {
        const idx = await this.index();
        if (!idx.connectors[name]) throw await this.notFound(name);
        delete idx.connectors[name];
        await atomicWrite(this.indexPath, JSON.stringify(idx, null, 1));
        await fsp.unlink(this.recordPath(name)).catch(() => {});
      },
      { signal: this.signal },
    );
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
   */
  async updateConnections<T>(fn: (list: ConnectionRecord[]) => T | Promise<T>): Promise<T> {
    return this.locked(async () => {
      const file = await readConnectionsFile(this.connectionsPath);
      const result = await fn(file.connections);
      await atomicWrite(this.connectionsPath, JSON.stringify(file, null, 1) + '\n');
      return result;
    });
  }

  /** Run fn under the registry lock (for multi-file updates such as connections). */
  locked<T>(fn: () => Promise<T>): Promise<T> {
    return withLock(this.lockPath, fn, { signal: this.signal });
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
