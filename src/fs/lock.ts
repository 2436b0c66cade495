import { promises as fsp } from 'node:fs'; // fs.promises loads on first use, not on the hot path
import { dirname } from 'node:path';
import { CancelError, CliError } from '../errors.js';
import { fsFailure } from './atomic.js';
import { systemClock } from '../io/clock.js';

export interface LockOptions {
  /** Give up waiting after this long (default 10 s): a CliError naming the lock file. */
  timeoutMs?: number;
  /** Break a lock whose owner cannot be checked once it is this old (default 30 s). */
  staleMs?: number;
  /** Ends the wait with CancelError (Ctrl-C); a lock held by someone else is left alone. */
  signal?: AbortSignal;
}

/**
 * Cross-process lock: an O_EXCL lock file holding the owner's pid. A lock whose
 * owner is gone (pid not alive) or older than staleMs is broken. Written by hand
 * because the maintained options (proper-lockfile) are unmaintained since 2020
 * and this is 40 lines with no dependency.
 *
 * Only the wait is abortable: once `fn` runs it is not interrupted here (it gets the
 * signal from its caller if it has waits of its own), and the lock is released after it.
 */
export async function withLock<T>(lockPath: string, fn: () => Promise<T>, opts: LockOptions = {}): Promise<T> {
  const { signal } = opts;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const staleMs = opts.staleMs ?? 30_000;
  await fsp.mkdir(dirname(lockPath), { recursive: true, mode: 0o700 }).catch((e) => {
    throw fsFailure(e, dirname(lockPath), 'write');
  });
  const start = Date.now();
  let delay = 5;
  for (;;) {
    if (signal?.aborted) throw new CancelError(`cancelled while waiting for the lock ${lockPath}`);
    try {
      await fsp.writeFile(lockPath, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw fsFailure(e, lockPath, 'write');
      if (await isStale(lockPath, staleMs)) {
        if (!signal?.aborted) await fsp.unlink(lockPath).catch(() => {}); // aborted meanwhile: not even a dead owner's file is touched
        continue;
      }
      if (Date.now() - start > timeoutMs) {
        throw new CliError(`timed out waiting for the lock ${lockPath}`, {
          hint: 'Another connector process is holding it; if none is running, delete the file.',
        });
      }
      // An abort ends the wait early; the loop then sees it and throws.
      await systemClock.sleep(delay + Math.random() * delay, signal).catch(() => {});
      delay = Math.min(delay * 2, 100);
    }
  }
  try {
    return await fn();
  } finally {
    await fsp.unlink(lockPath).catch(() => {});
  }
}

async function isStale(lockPath: string, staleMs: number): Promise<boolean> {
  try {
    const [text, st] = await Promise.all([fsp.readFile(lockPath, 'utf8'), fsp.stat(lockPath)]);
    const pid = Number.parseInt(text, 10);
    // A live owner keeps its lock however long it holds it (a keychain unlock dialog can take
    // minutes); age alone breaks only a lock whose owner cannot be checked.
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid) {
      try {
        process.kill(pid, 0);
        return false;
      } catch (e) {
        return (e as NodeJS.ErrnoException).code === 'ESRCH';
      }
    }
    return Date.now() - st.mtimeMs > staleMs;
  } catch {
    return false; // vanished or unreadable mid-write: try again
  }
}
