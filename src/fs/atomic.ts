import { promises as fsp } from 'node:fs'; // fs.promises loads on first use, not on the hot path
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

/** A leftover of a write or lock that a crash interrupted: `.name.<pid>.<rand>.tmp`, `<lock>.<pid>-<rand>.tmp` or `.broken`. */
const LEFTOVER = /^(?:\..+\.(\d+)\.[a-z0-9]+\.tmp|.*\.lock\.(\d+)-[a-z0-9]+\.(?:tmp|broken))$/;

/**
 * The leftovers in `dir` whose writer has ended: its pid is not alive and the file is older
 * than 5 s (a pid of another container is not ours to check), or any older than an hour (a
 * write takes milliseconds; a live pid that old was reused). Other files are never listed.
 */
export async function staleTemps(dir: string, now = Date.now()): Promise<string[]> {
  const names = await fsp.readdir(dir).catch(() => [] as string[]);
  const out: string[] = [];
  for (const name of names) {
    const m = LEFTOVER.exec(name);
    if (!m) continue;
    const pid = Number(m[1] ?? m[2]);
    const st = await fsp.lstat(join(dir, name)).catch(() => undefined);
    if (!st) continue;
    const age = now - st.mtimeMs;
    if (age > 3_600_000 || (age > 5_000 && pid !== process.pid && !alive(pid))) out.push(join(dir, name));
  }
  return out;
}

/** Remove the stale leftovers of `dirs` (see staleTemps); returns what was removed. */
export async function removeStaleTemps(dirs: string[]): Promise<string[]> {
  const removed: string[] = [];
  for (const dir of dirs) {
    for (const path of await staleTemps(dir)) {
      await fsp.rm(path, { recursive: true, force: true }).then(
        () => removed.push(path),
        () => {},
      );
    }
  }
  return removed;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}
