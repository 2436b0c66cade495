import type { Context } from '../context.js';
import { InputNeededError, isCliError } from '../errors.js';
import { loadKeyring } from '../secrets/keychain.js';
import { caCheck, nodeCheck, proxyCheck } from './environment.js';
import { Facts } from './facts.js';
import { locksCheck, pidAlive, tempFilesCheck } from './files.js';
import { oauthCheck } from './oauth.js';
import { connectionsCheck, homeCheck, indexCheck, recordsCheck } from './registry.js';
import { missingSecretsCheck, orphansCheck, storesCheck } from './secrets.js';
import type { Check, DoctorOptions, Finding, Fix, System } from './types.js';

/** Every check, in report order: the registry first (repairs there change what the others see). */
export const CHECKS: readonly Check[] = [
  homeCheck,
  indexCheck,
  recordsCheck,
  connectionsCheck,
  storesCheck,
  missingSecretsCheck,
  orphansCheck,
  oauthCheck,
  tempFilesCheck,
  locksCheck,
  proxyCheck,
  caCheck,
  nodeCheck,
];

/** This process's facts (the one place doctor reads process.*; tests pass their own). */
export const systemFacts = (): System => ({ nodeVersion: process.versions.node, alive: pidAlive, keyring: loadKeyring });

export async function runChecks(ctx: Context, system: System, options: DoctorOptions): Promise<Finding[]> {
  const facts = new Facts(ctx, system, options);
  const out: Finding[] = [];
  // One after another: the keychain and the vault passphrase prompt must not interleave.
  for (const check of CHECKS) out.push(...[await check(ctx, facts)].flat());
  return out;
}

export interface Repair {
  id: string;
  /** 'fixed': done; 'skipped': needs consent not given; 'failed': the repair threw (message says why). */
  outcome: 'fixed' | 'skipped' | 'failed';
  message: string;
}

export interface RepairOptions {
  /** --prune-broken: delete connections whose secrets are gone without asking. */
  pruneBroken: boolean;
}

/**
 * Apply the repairs of `findings` that consent allows (see Consent), in report order.
 * `confirm` asks a yes/no question on a terminal; it is undefined when no prompt is possible.
 */
export async function repair(
  findings: Finding[],
  opts: RepairOptions,
  confirm: ((question: string, items: string[]) => Promise<boolean>) | undefined,
): Promise<Repair[]> {
  const done: Repair[] = [];
  for (const f of findings) {
    const fix: Fix | undefined = f.status === 'ok' ? undefined : f.fix;
    if (!fix) continue;
    let go = fix.consent === 'safe' || (fix.consent === 'prune' && opts.pruneBroken);
    if (!go && confirm) go = await confirm(`${fix.action[0].toUpperCase()}${fix.action.slice(1)}?`, f.items ?? []);
    else if (!go && fix.consent === 'listed') go = true; // no terminal: --fix is the consent, the report lists them
    if (!go) {
      done.push({
        id: f.id,
        outcome: 'skipped',
        message: `not done: ${fix.action}${fix.consent === 'prune' && !confirm ? ' (give --prune-broken to do it without a prompt)' : ''}`,
      });
      continue;
    }
    try {
      done.push({ id: f.id, outcome: 'fixed', message: await fix.run() });
    } catch (e) {
      if (!isCliError(e) || e instanceof InputNeededError) throw e;
      done.push({ id: f.id, outcome: 'failed', message: `could not ${fix.action}: ${(e as Error).message}` });
    }
  }
  return done;
}
