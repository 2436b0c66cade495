import type { Context } from '../context.js';
import type { ConnectionRecord } from '../connections/types.js';
import { envOverlay, envVarName } from '../secrets/env.js';
import { secretAccount, type SecretStore } from '../secrets/store.js';
import { few, plural } from './text.js';
import type { Check, Finding } from './types.js';

type StoreKind = SecretStore['kind'];
const address = (c: { connector: string; name: string }) => `${c.connector}/${c.name}`;

/** Connections whose secret-store items are gone: each unusable until recreated (or supplied by the environment). */
export const missingSecretsCheck: Check = async (ctx, facts) => {
  const { list, error } = await facts.connections();
  if (error) return { id: 'secrets', status: 'warn', message: 'not checked: connections.json cannot be read' };
  const broken: { conn: ConnectionRecord; missing: string[] }[] = [];
  const covered: string[] = [];
  const unchecked = new Map<StoreKind, number>();
  let checked = 0;
  for (const conn of list) {
    if (!conn.secretParams.length) continue;
    const listing = await facts.listing(conn.secretStore);
    if (!listing.ok) {
      unchecked.set(conn.secretStore, (unchecked.get(conn.secretStore) ?? 0) + 1);
      continue;
    }
    checked++;
    const missing = conn.secretParams.filter((p) => !listing.accounts.has(secretAccount(conn.connector, conn.name, p)));
    if (!missing.length) continue;
    // A CI job may keep no secret at all and pass every one by environment variable.
    if (missing.every((p) => envOverlay(ctx.io.env, conn.connector, conn.name, p))) covered.push(address(conn));
    else broken.push({ conn, missing });
  }
  const findings: Finding[] = [];
  if (broken.length) {
    const shown = broken.map(({ conn, missing }) => `${address(conn)} (${missing.join(', ')} in the ${conn.secretStore})`);
    const first = broken[0];
    findings.push({
      id: 'secrets',
      status: 'fail',
      message: `${plural(broken.length, 'connection')} ${broken.length === 1 ? 'has' : 'have'} lost ${broken.length === 1 ? 'its' : 'their'} secrets: ${few(shown)}`,
      hint:
        `Recreate: connector connection delete ${address(first.conn)} && connector connection create ${first.conn.connector} --name ${first.conn.name}; ` +
        `or set ${envVarName(first.conn.connector, first.conn.name, first.missing[0])}; connector doctor --fix --prune-broken deletes them.`,
      items: broken.map(({ conn }) => address(conn)),
      fix: {
        consent: 'prune',
        action: `delete ${plural(broken.length, 'connection')} whose secrets are gone (${few(broken.map(({ conn }) => address(conn)))})`,
        run: () =>
          pruneConnections(
            ctx,
            broken.map(({ conn }) => conn),
          ),
      },
    });
  } else if (checked || !unchecked.size) {
    const note = covered.length ? `; ${few(covered)} supplied by environment variables` : '';
    findings.push({ id: 'secrets', status: 'ok', message: `${plural(checked, 'connection')} with secrets: all present${note}` });
  }
  for (const [kind, n] of unchecked) {
    findings.push({ id: 'secrets', status: 'warn', message: `${plural(n, 'connection')} with secrets in the ${kind} not checked (see the ${kind} line)` });
  }
  return findings;
};

/** Delete connections through `connection delete` (their remaining items first, then the record). */
async function pruneConnections(ctx: Context, conns: ConnectionRecord[]): Promise<string> {
  const remove = (await import('../commands/connection/delete.action.js')).default;
  // A child of the context (not a spread: that would run its lazy getters) that prints nothing.
  const quiet: Context = Object.assign(Object.create(ctx) as Context, { json: false, io: { ...ctx.io, err: () => {} } });
  for (const c of conns) await remove(quiet, address(c), { yes: true }); // doctor asked already (the prune consent)
  return `deleted ${plural(conns.length, 'connection')} whose secrets were gone (${few(conns.map(address))})`;
}

/**
 * Secret-store items that belong to no connection (a crash between writing a secret and
 * its record, 300-kill probe: 6 of them). The vault and the memory store belong to this
 * home alone. The OS keychain is shared by every connector home of the user, so an item
 * may be another --home's, even for a connector name this home has too: keychain items are
 * reported and left alone (only the demo's keychain probes are removed).
 */
export const orphansCheck: Check = async (_ctx, facts) => {
  const { list, error } = await facts.connections();
  if (error) return { id: 'orphans', status: 'warn', message: 'not checked: connections.json cannot be read' };
  const findings: Finding[] = [];
  const orphans: { kind: StoreKind; store: SecretStore; account: string }[] = [];
  const foreign: string[] = [];
  const checked: string[] = [];
  const unlisted: string[] = [];
  for (const kind of await facts.storesInUse()) {
    const listing = await facts.listing(kind);
    if (!listing.ok) {
      unlisted.push(kind);
      continue;
    }
    checked.push(kind);
    const claimed = new Set(list.filter((c) => c.secretStore === kind).flatMap((c) => c.secretParams.map((p) => secretAccount(c.connector, c.name, p))));
    for (const account of listing.accounts) {
      if (claimed.has(account)) continue;
      // Keychain accounts carry no home: another --home may have a connector of the same name
      // whose connection this is (a review found --fix deleting a CI home's key). Report, never delete.
      const ours = kind !== 'keychain' || account.startsWith('demo-probe/');
      if (ours) orphans.push({ kind, store: listing.store, account });
      else foreign.push(account);
    }
  }
  const items = orphans.map((o) => `${o.kind}: ${o.account}`);
  if (orphans.length) {
    findings.unshift({
      id: 'orphans',
      status: 'warn',
      message: `${plural(orphans.length, 'secret-store item')} without a connection: ${few(items)}`,
      hint: 'connector doctor --fix deletes them (after listing them).',
      items,
      fix: {
        consent: 'listed',
        action: `delete ${plural(orphans.length, 'secret-store item')} of no connection`,
        run: async () => {
          let n = 0;
          for (const o of orphans) if (await o.store.delete(o.account)) n++;
          return `deleted ${plural(n, 'secret-store item')} without a connection`;
        },
      },
    });
  } else if (checked.length) {
    findings.unshift({ id: 'orphans', status: 'ok', message: `no secret-store items without a connection (${checked.join(', ')})` });
  }
  // Why a store could not be listed is on its own line (keychain, vault); here only that it was not.
  if (unlisted.length)
    findings.push({ id: 'orphans', status: 'warn', message: `not checked in the ${unlisted.join(' and the ')} (see the ${unlisted.join(' and ')} line)` });
  if (foreign.length) {
    findings.push({
      id: 'orphans',
      status: 'ok',
      message: `${plural(foreign.length, 'keychain item')} no connection of this home uses (the keychain is shared by every --home: left alone): ${few(foreign)}`,
      items: foreign.map((a) => `keychain: ${a}`),
    });
  }
  return findings;
};

/** Each secret store in use: reachable, unlocked, readable. */
export const storesCheck: Check = async (_ctx, facts) => {
  const findings: Finding[] = [];
  const { list } = await facts.connections();
  const inUse = await facts.storesInUse();
  if (!inUse.includes('keychain')) findings.push({ id: 'keychain', status: 'ok', message: 'not used (no connection keeps secrets there)' });
  for (const kind of inUse) {
    if (kind === 'memory') continue; // nothing to reach
    const listing = await facts.listing(kind);
    const users = list.filter((c) => c.secretStore === kind && c.secretParams.length).length;
    if (listing.ok) {
      findings.push({
        id: kind,
        status: 'ok',
        message: `${listing.where}: reachable${kind === 'keychain' ? ' and unlocked' : ''}, ${plural(listing.accounts.size, 'item')}`,
      });
    } else {
      // Unreachable matters only when connections keep secrets there; a locked one asks to be unlocked when used.
      const status = listing.status === 'fail' && !users ? 'warn' : listing.status;
      findings.push({ id: kind, status, message: listing.why, hint: listing.hint });
    }
  }
  return findings;
};
