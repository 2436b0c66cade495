import { promises as fsp, readFileSync } from 'node:fs'; // fs.promises loads on first use, not on the hot path
import { dirname, join, basename } from 'node:path';
import { CliError } from '../errors.js';

/**
 * Write a file atomically: temp file in the same directory, fsync, rename,
 * fsync the directory. A reader sees the old file or the new one, never half.
 */
export async function atomicWrite(path: string, data: string | Uint8Array, mode = 0o600): Promise<void> {
  try {
    await writeAtomically(path, data, mode);
  } catch (e) {
    throw fsFailure(e, path, 'write');
  }
}

const WHY: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOTDIR: 'part of the path is a file, not a folder',
  EEXIST: 'a file is in the way of a folder',
  EISDIR: 'it is a folder',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
};

/** A file-system failure (a --home that is a file, a read-only or full disk) as one line; anything else unchanged. */
export function fsFailure(e: unknown, path: string, verb: 'read' | 'write'): unknown {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (!code || !WHY[code]) return e;
  return new CliError(`cannot ${verb} ${path}: ${WHY[code]}`, { cause: e });
}

async function writeAtomically(path: string, data: string | Uint8Array, mode: number): Promise<void> {
  const dir = dirname(path);
  await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
  // Unique enough with pid + random; 'wx' below refuses to clobber anyway (node:crypto is not worth its load time here).
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${Math.random().toString(36).slice(2, 10)}.tmp`);
  const fh = await fsp.open(tmp, 'wx', mode);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } catch (e) {
    await fh.close().catch(() => {});
    await fsp.unlink(tmp).catch(() => {});
    throw e;
  }
  await fh.close();
  try {
    await fsp.rename(tmp, path);
  } catch (e) {
    await fsp.unlink(tmp).catch(() => {});
    throw e;
  }
  // Make the rename itself durable (not supported on Windows; harmless to skip there).
  try {
    const d = await fsp.open(dir, 'r');
    await d.sync().catch(() => {});
    await d.close();
  } catch {
    /* directory fsync unsupported */
  }
}

export async function readJsonFile<T>(path: string): Promise<T | undefined> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8'); // small files: one synchronous read beats four thread-pool round trips
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw fsFailure(e, path, 'read');
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new CliError(`registry file ${path} is corrupt (not valid JSON)`, {
      hint: 'Remove it or restore it from a backup; connector never writes half a file.',
    });
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Cross-process lock: an O_EXCL lock file holding the owner's pid. A lock whose
 * owner is gone (pid not alive) or older than staleMs is broken. Written by hand
 * because the maintained options (proper-lockfile) are unmaintained since 2020
 * and this is 40 lines with no dependency.
 */
export async function withLock<T>(
  lockPath: string,
  fn: () => Promise<T>,
  opts: { timeoutMs?: number; staleMs?: number } = {},
): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const staleMs = opts.staleMs ?? 30_000;
  await fsp.mkdir(dirname(lockPath), { recursive: true, mode: 0o700 }).catch((e) => {
    throw fsFailure(e, dirname(lockPath), 'write');
  });
  const start = Date.now();
  let delay = 5;
  for (;;) {
    try {
      await fsp.writeFile(lockPath, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw fsFailure(e, lockPath, 'write');
      if (await isStale(lockPath, staleMs)) {
        await fsp.unlink(lockPath).catch(() => {});
        continue;
      }
      if (Date.now() - start > timeoutMs) {
        throw new CliError(`timed out waiting for the lock ${lockPath}`, {
          hint: 'Another connector process is holding it; if none is running, delete the file.',
        });
      }
      await sleep(delay + Math.random() * delay);
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
