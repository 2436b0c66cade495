import type { Context } from '../context.js';
import type { KeyringModule } from '../secrets/keychain.js';

export type Status = 'ok' | 'warn' | 'fail';

/**
 * How much consent a repair needs:
 *  - 'safe': done by --fix alone (rebuild the index, delete stale temp and lock files);
 *  - 'listed': deletes secret-store items that belong to no connection: --fix, and on a
 *    terminal a yes to the list shown first (without a terminal --fix is the consent);
 *  - 'prune': deletes connections whose secrets are gone: a yes on a terminal, otherwise
 *    only with --prune-broken.
 */
export type Consent = 'safe' | 'listed' | 'prune';

export interface Fix {
  consent: Consent;
  /** What --fix would do, e.g. "rebuild the index from 3 records". */
  action: string;
  /** Do it; the answer says what was done (one line, nothing secret). */
  run(): Promise<string>;
}

/** One line of the report. Nothing in it is secret: accounts and paths, never values. */
export interface Finding {
  id: string;
  status: Status;
  message: string;
  hint?: string;
  /** What the line is about, one entry each (connection addresses, accounts, files). */
  items?: string[];
  fix?: Fix;
}

/** Facts of the running process, a seam so tests can pretend (an old Node, a dead pid, a keychain). */
export interface System {
  nodeVersion: string;
  /** Is process `pid` alive on this machine? */
  alive(pid: number): boolean;
  /** The OS keychain binding (@napi-rs/keyring). */
  keyring(): KeyringModule;
}

export interface DoctorOptions {
  /** Temp and lock files older than this (and owned by no live process) are stale. */
  staleMs: number;
}

/** One check: a small function of the Context and the facts gathered once per pass. */
export type Check = (ctx: Context, facts: import('./facts.js').Facts) => Promise<Finding | Finding[]>;
