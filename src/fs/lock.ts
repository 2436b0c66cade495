import { readFileSync, promises as fsp } from 'node:fs'; // fs.promises loads on first use, not on the hot path
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { CancelError, CliError } from '../errors.js';
import { fsFailure } from './atomic.js';
import { systemClock } from '../io/clock.js';

export interface LockOptions {
  /** Give up waiting after this long (default 10 s): a CliError naming the lock file. */
  timeoutMs?: number;
  /** Break a lock whose owner cannot be checked (another host) once it is this old (default 30 s). */
  staleMs?: number;
  /** Ends the wait with CancelError (Ctrl-C); a lock held by someone else is left alone. */
  signal?: AbortSignal;
}

/** Who holds a lock, as its owner wrote it (one file inside the lock folder). */
export interface LockOwner {
  /** The file's name inside the lock folder: `<pid>-<random>`, unique per acquisition. */
  token: string;
  pid: number;
  host: string;
  /** The owner process's start time in clock ticks since boot (Linux /proc), to tell a reused pid. */
  started?: number;
  /** When the lock was taken (ms since the epoch; as read, the later of this and the folder's mtime). */
  at: number;
}

/** Tokens of the locks this process holds now: a lock with our pid but another token is a dead predecessor's. */
const held = new Set<string>();

/**
 * Cross-process lock. The lock is a FOLDER `lockPath` holding one file named by the owner's
 * token (content: pid, host, process start, time). Every step is one atomic system call:
 *
 * - take:    build `<lock>.<token>.tmp/<token>` with its content, then rename() it to `<lock>`.
 *            rename succeeds only when `<lock>` is absent or an empty folder, so the lock never
 *            exists without its owner (an empty lock file blocked every writer for 30 s).
 * - break:   unlink(`<lock>/<stale token>`): removes the owner we judged dead and nothing else. If
 *            that owner released and a new one took the lock between our look and our unlink,
 *            the name is gone and the unlink fails with ENOENT (a compare-and-delete, which
 *            neither pid-then-kill nor rename-and-verify give: the latter must put a live lock back
 *            and a third process can take it meanwhile). An empty folder is a free lock.
 * - release: unlink(`<lock>/<own token>`) then rmdir (which fails harmlessly if someone got in).
 *
 * A lock is stale when its owner's pid is not alive, or is alive but is another process (Linux:
 * its start time differs), or is this process's pid without a token this process holds. An owner
 * on another host cannot be checked: its lock is broken only once older than staleMs.
 * Written by hand: no OS lock (flock) without a native package, and proper-lockfile judges by
 * mtime, so a holder stuck in a keychain dialog longer than its refresh loses the lock.
 * A plain lock FILE holding a pid (connector before this format) is honoured and broken the same
 * way, by rename to a unique name and a check of what was moved.
 *
 * Only the wait is abortable: once `fn` runs it is not interrupted here (it gets the
 * signal from its caller if it has waits of its own), and the lock is released after it.
 */
export async function withLock<T>(lockPath: string, fn: () => Promise<T>, opts: LockOptions = {}): Promise<T> {
  const { signal } = opts;
  if (signal?.aborted) throw new CancelError(`cancelled while waiting for the lock ${lockPath}`);
  await fsp.mkdir(dirname(lockPath), { recursive: true, mode: 0o700 }).catch((e) => {
    throw fsFailure(e, dirname(lockPath), 'write');
  });
  const owner = newOwner();
  const staging = `${lockPath}.${owner.token}.tmp`;
  await fsp.mkdir(staging, { mode: 0o700 }).catch((e) => {
    throw fsFailure(e, lockPath, 'write');
  });
  // Counted as ours before the rename: another call in this process must never judge it a dead predecessor's.
  held.add(owner.token);
  try {
    await fsp.writeFile(join(staging, owner.token), JSON.stringify(owner) + '\n', { flag: 'wx', mode: 0o600 });
    await acquire(lockPath, staging, opts);
  } catch (e) {
    held.delete(owner.token);
    await fsp.rm(staging, { recursive: true, force: true }).catch(() => {});
    throw e;
  }
  try {
    return await fn();
  } finally {
    held.delete(owner.token);
    await release(lockPath, owner.token);
  }
}

async function acquire(lockPath: string, staging: string, opts: LockOptions): Promise<void> {
  const { signal } = opts;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const staleMs = opts.staleMs ?? 30_000;
  const start = Date.now();
  let delay = 5;
  for (;;) {
    if (signal?.aborted) throw new CancelError(`cancelled while waiting for the lock ${lockPath}`);
    try {
      await fsp.rename(staging, lockPath);
      const now = new Date();
      await fsp.utimes(lockPath, now, now).catch(() => {}); // when it was taken, not when the wait began (another host judges by age)
      return;
    } catch (e) {
      if (!BUSY.has((e as NodeJS.ErrnoException).code ?? '')) throw fsFailure(e, lockPath, 'write');
    }
    const state = await inspect(lockPath);
    if (state.kind === 'free') continue;
    if (await breakable(state, staleMs)) {
      if (!signal?.aborted) await breakLock(lockPath, state); // aborted meanwhile: not even a dead owner's lock is touched
      continue;
    }
    if (Date.now() - start > timeoutMs) {
      throw new CliError(`timed out waiting for the lock ${lockPath}`, {
        hint: 'Another connector process is holding it; if none is running, delete it.',
      });
    }
    // An abort ends the wait early; the loop then sees it and throws.
    await systemClock.sleep(delay + Math.random() * delay, signal).catch(() => {});
    delay = Math.min(delay * 2, 100);
  }
}

/** rename() onto a lock that exists: EEXIST/ENOTEMPTY (a held folder), ENOTDIR (an old-format file), EPERM/EACCES (Windows). */
const BUSY = new Set(['EEXIST', 'ENOTEMPTY', 'ENOTDIR', 'EISDIR', 'EPERM', 'EACCES', 'EBUSY']);

type LockState =
  | { kind: 'free' }
  /** A folder lock and its owner (undefined: the owner file is unreadable, judged by age). */
  | { kind: 'owned'; token: string; owner?: LockOwner; mtimeMs: number }
  /** A lock file of the old format: its content (a pid, or empty if killed mid-write) and age. */
  | { kind: 'legacy'; text: string; mtimeMs: number };

/** What is at lockPath now. An empty lock folder is free (removed on the way). */
async function inspect(lockPath: string): Promise<LockState> {
  let st: import('node:fs').Stats;
  try {
    st = await fsp.lstat(lockPath);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'free' };
    throw fsFailure(e, lockPath, 'read');
  }
  if (!st.isDirectory()) {
    const text = await fsp.readFile(lockPath, 'utf8').catch(() => undefined);
    return text === undefined ? { kind: 'free' } : { kind: 'legacy', text, mtimeMs: st.mtimeMs };
  }
  const names = await fsp.readdir(lockPath).catch(() => undefined);
  if (names === undefined) return { kind: 'free' };
  if (names.length === 0) {
    await fsp.rmdir(lockPath).catch(() => {}); // only an empty folder goes; a new owner's is refused (ENOTEMPTY)
    return { kind: 'free' };
  }
  const token = names[0];
  const owner = parseOwner(await fsp.readFile(join(lockPath, token), 'utf8').catch(() => ''), token);
  // `at` is when the owner began to wait; on winning it stamps the folder's mtime (see acquire).
  if (owner) owner.at = Math.max(owner.at, st.mtimeMs);
  return { kind: 'owned', token, owner, mtimeMs: st.mtimeMs };
}

async function breakable(state: Exclude<LockState, { kind: 'free' }>, staleMs: number): Promise<boolean> {
  const age = Date.now() - state.mtimeMs;
  if (state.kind === 'legacy') {
    const pid = Number.parseInt(state.text, 10);
    // An empty or unreadable file was killed between create and write: a live writer fills it in microseconds.
    if (!(Number.isInteger(pid) && pid > 0)) return age > EMPTY_GRACE_MS;
    return pid === process.pid || !alive(pid);
  }
  const o = state.owner;
  if (!o) return age > EMPTY_GRACE_MS; // the owner file is written before the folder appears: unreadable means damaged
  return ownerIsGone(o, staleMs);
}

const EMPTY_GRACE_MS = 2_000;

/** Whether the process that took this lock has ended (or cannot be checked and the lock is older than staleMs). */
export function ownerIsGone(o: LockOwner, staleMs = 30_000): boolean {
  if (o.host !== hostname()) return Date.now() - o.at > staleMs;
  if (o.pid === process.pid) return !held.has(o.token);
  if (!alive(o.pid)) return true;
  const started = processStart(o.pid);
  return o.started !== undefined && started !== undefined && started !== o.started;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ESRCH'; // EPERM: alive, another user's
  }
}

async function breakLock(lockPath: string, state: Exclude<LockState, { kind: 'free' }>): Promise<void> {
  if (state.kind === 'owned') {
    // The compare-and-delete: fails with ENOENT when the owner we judged is no longer the one there.
    await fsp.unlink(join(lockPath, state.token)).catch(() => {});
    await fsp.rmdir(lockPath).catch(() => {});
    return;
  }
  // An old-format file: move it aside, and put it back when what moved is not what we judged.
  const aside = `${lockPath}.${newOwner().token}.broken`;
  try {
    await fsp.rename(lockPath, aside);
  } catch {
    return;
  }
  const moved = await fsp.readFile(aside, 'utf8').catch(() => undefined);
  if (moved !== state.text) await fsp.link(aside, lockPath).catch(() => {});
  await fsp.unlink(aside).catch(() => {});
}

async function release(lockPath: string, token: string): Promise<void> {
  try {
    await fsp.unlink(join(lockPath, token));
  } catch {
    return; // not ours any more (broken as stale): leave whoever holds it now alone
  }
  await fsp.rmdir(lockPath).catch(() => {});
}

let startTicks: number | undefined | null = null;

function newOwner(): LockOwner {
  if (startTicks === null) startTicks = processStart(process.pid);
  const token = `${process.pid}-${Math.random().toString(36).slice(2, 12)}`;
  return { token, pid: process.pid, host: hostname(), ...(startTicks !== undefined ? { started: startTicks } : {}), at: Date.now() };
}

/** Field 22 of /proc/<pid>/stat (start time in ticks since boot), or undefined off Linux. */
function processStart(pid: number): number | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // the command name may contain spaces
    const ticks = Number(fields[19]);
    return Number.isFinite(ticks) ? ticks : undefined;
  } catch {
    return undefined;
  }
}

function parseOwner(text: string, token: string): LockOwner | undefined {
  try {
    const o = JSON.parse(text) as Partial<LockOwner>;
    if (typeof o.pid !== 'number' || typeof o.host !== 'string' || typeof o.at !== 'number') return undefined;
    return { token, pid: o.pid, host: o.host, at: o.at, ...(typeof o.started === 'number' ? { started: o.started } : {}) };
  } catch {
    return undefined;
  }
}

/** Who holds the lock at lockPath now (undefined: free, an old-format file, or unreadable). For tests and `doctor`. */
export async function lockOwner(lockPath: string): Promise<LockOwner | undefined> {
  const s = await inspect(lockPath);
  return s.kind === 'owned' ? s.owner : undefined;
}

/** Whether the lock at lockPath is held by a process that has ended (for `doctor`). */
export async function isStaleLock(lockPath: string, staleMs = 30_000): Promise<boolean> {
  const s = await inspect(lockPath);
  return s.kind !== 'free' && (await breakable(s, staleMs));
}

/** Remove a stale lock (only if it is still the stale one): `doctor --fix`. */
export async function breakStaleLock(lockPath: string, staleMs = 30_000): Promise<boolean> {
  const s = await inspect(lockPath);
  if (s.kind === 'free' || !(await breakable(s, staleMs))) return false;
  await breakLock(lockPath, s);
  return true;
}
