import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { Context } from '../context.js';
import { atomicWrite } from '../fs/atomic.js';
import type { RegistryIndex } from '../registry/registry.js';
import { summarize } from '../spec/normalize.js';
import { scanRegistry } from './facts.js';
import type { Check } from './types.js';
import { few, plural } from './text.js';

/** JSON with sorted keys: an index summary and a fresh one compare equal whatever their key order. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.keys(v)
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

/**
 * The home itself: a --home or CONNECTOR_HOME that does not exist is said so (a typo passed every
 * other check silently: an empty registry is a healthy one).
 */
export const homeCheck: Check = async (ctx) => {
  const stat = (() => {
    try {
      return statSync(ctx.home);
    } catch {
      return undefined;
    }
  })();
  if (!stat) {
    return {
      id: 'home',
      status: 'warn',
      message: `${ctx.home} does not exist yet (the first import creates it)`,
      hint: 'If connectors should be there, check --home and CONNECTOR_HOME.',
    };
  }
  if (!stat.isDirectory()) return { id: 'home', status: 'fail', message: `${ctx.home} is not a folder`, hint: 'Point --home (or CONNECTOR_HOME) at a folder.' };
  return { id: 'home', status: 'ok', message: ctx.home };
};

/** Index vs records: summaries pointing to no record, stale summaries, records the index misses. */
export const indexCheck: Check = async (ctx, facts) => {
  const scan = await facts.registry();
  const fix = { consent: 'safe' as const, action: 'rebuild the index from the records', run: () => rebuildIndex(ctx) };
  if (scan.indexError) {
    return { id: 'index', status: 'fail', message: scan.indexError, hint: 'connector doctor --fix rebuilds it from the records.', fix };
  }
  const entries = scan.index?.connectors ?? {};
  const missing: string[] = [];
  const stale: string[] = [];
  for (const [name, summary] of Object.entries(entries)) {
    const rec = scan.records.get(name);
    if (rec) {
      if (canonical(summary) !== canonical(summarize(rec))) stale.push(name);
    } else if (!scan.broken.has(name)) missing.push(name);
  }
  const unindexed = [...scan.records.keys()].filter((n) => !Object.hasOwn(entries, n));
  if (!missing.length && !stale.length && !unindexed.length && !scan.pending.length) {
    return { id: 'index', status: 'ok', message: `${plural(Object.keys(entries).length, 'connector')}; the index matches the records` };
  }
  const parts = [
    missing.length ? `${plural(missing.length, 'entry', 'entries')} without a record (${few(missing)})` : '',
    unindexed.length ? `${plural(unindexed.length, 'record')} missing from the index (${few(unindexed)})` : '',
    stale.length ? `${plural(stale.length, 'stale summary', 'stale summaries')} (${few(stale)})` : '',
    scan.pending.length ? `${plural(scan.pending.length, 'interrupted write')} (${few(scan.pending)}; every command already sees it resolved)` : '',
  ].filter(Boolean);
  return {
    id: 'index',
    status: missing.length || unindexed.length ? 'fail' : 'warn',
    message: `the index has ${parts.join(', ')}`,
    hint: 'connector doctor --fix rebuilds the index from the records.',
    items: [...missing, ...unindexed, ...stale, ...scan.pending],
    fix,
  };
};

/** Record files that do not parse as connector records: nothing can repair them but a new import. */
export const recordsCheck: Check = async (ctx, facts) => {
  const scan = await facts.registry();
  if (!scan.broken.size)
    return { id: 'records', status: 'ok', message: `${plural(scan.records.size, 'record')} ${scan.records.size === 1 ? 'parses' : 'parse'}` };
  const names = [...scan.broken.keys()];
  const first = names[0];
  return {
    id: 'records',
    status: 'fail',
    message: `${plural(names.length, 'record')} cannot be read: ${scan.broken.get(first)}${names.length > 1 ? ` (and ${few(names.slice(1))})` : ''}`,
    // `remove` finds an indexed name only; an unindexed broken file is the user's to delete.
    hint: `Import ${names.length > 1 ? 'them' : 'it'} again (connector import <source> --name ${first} --force), or: ${
      scan.index && Object.hasOwn(scan.index.connectors, first) ? `connector remove ${first}` : `delete ${join(ctx.home, 'connectors', `${first}.json`)}`
    }`,
    items: names,
  };
};

/** connections.json readable, and every connection's connector still there. */
export const connectionsCheck: Check = async (_ctx, facts) => {
  const { list, error } = await facts.connections();
  if (error)
    return { id: 'connections', status: 'fail', message: error, hint: 'Restore connections.json from a backup, or move it away to start with no connections.' };
  const scan = await facts.registry();
  const known = (n: string) => scan.records.has(n) || scan.broken.has(n) || Boolean(scan.index && Object.hasOwn(scan.index.connectors, n));
  const lost = list.filter((c) => !known(c.connector)).map((c) => `${c.connector}/${c.name}`);
  if (!lost.length) return { id: 'connections', status: 'ok', message: `${plural(list.length, 'connection')}` };
  return {
    id: 'connections',
    status: 'warn',
    message: `${plural(lost.length, 'connection')} of a connector that is gone (${few(lost)})`,
    hint: `Import the connector again, or delete the connection: connector connection delete ${lost[0]}`,
    items: lost,
  };
};

/**
 * Rebuild index.json from the record files, under the registry lock and from a fresh scan
 * (a connector imported since the report is kept): an entry whose record is gone is
 * dropped, every readable record gets its summary, and an entry of an unreadable record
 * stays (so `connector remove` still finds it). The index path is the layout the Registry
 * documents (<home>/index.json); it is written the way the Registry writes it.
 */
export async function rebuildIndex(ctx: Context): Promise<string> {
  const registry = await ctx.registry();
  // Finish what a crash interrupted first (a removal's record file goes), the registry's own way.
  await registry.settle().catch(() => false); // an index that does not parse is rebuilt below
  return registry.locked(async () => {
    const scan = await scanRegistry(ctx);
    const idx: RegistryIndex = scan.index ?? { version: 1, connectors: {} };
    let dropped = 0;
    for (const name of Object.keys(idx.connectors)) {
      if (!scan.records.has(name) && !scan.broken.has(name)) {
        delete idx.connectors[name];
        dropped++;
      }
    }
    for (const [name, rec] of scan.records) idx.connectors[name] = summarize(rec);
    await atomicWrite(join(registry.home, 'index.json'), JSON.stringify(idx, null, 1));
    return `rebuilt the index from ${plural(scan.records.size, 'record')}${dropped ? `, dropped ${plural(dropped, 'entry', 'entries')} without a record` : ''}`;
  });
}

export const registryChecks: Check[] = [indexCheck, recordsCheck, connectionsCheck];
