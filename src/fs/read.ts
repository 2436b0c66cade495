import { closeSync, constants, fstatSync, openSync, readSync, realpathSync, type Stats } from 'node:fs';
import { relative, isAbsolute, sep } from 'node:path';
import { CliError, UsageError } from '../errors.js';
import { load } from '../util/load.js';

/**
 * Reading a file a user or a spec names, safely: one regular file, read through the
 * descriptor that was checked, never more than `limit` bytes.
 *
 * - Opened with O_NOFOLLOW | O_NONBLOCK: a FIFO opens at once instead of waiting for a
 *   writer forever, and (after the real path was resolved) no symlink is followed at open.
 * - fstat on that descriptor: anything but a regular file (FIFO, /dev/zero, a socket, a
 *   folder, /dev/stdin) is refused before a byte is read.
 * - Read through the descriptor up to limit + 1 bytes: a file that grows past the limit
 *   while it is read is refused too, and memory never exceeds the limit.
 * - `within`: the file's real path (every symlink resolved) must stay inside this folder
 *   (itself resolved): a link to ~/.ssh/id_rsa from a connector folder is refused.
 *
 * Refusals and the limit are UsageErrors (exit 2), one line naming the file.
 */
export interface ReadOptions {
  /** Most bytes accepted. */
  limit: number;
  /** The file must resolve to a place inside this folder. */
  within?: string;
  /** Shown instead of the path in messages (e.g. 'the body file x.json'). */
  shown?: string;
}

const FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

export async function readRegularFile(path: string, opts: ReadOptions): Promise<Buffer> {
  // node:fs/promises loads here, not at start-up: request building imports this module for -p @file (sync).
  const { open, realpath } = load<typeof import('node:fs/promises')>('node:fs/promises');
  const shown = opts.shown ?? path;
  let real: string;
  let fh: import('node:fs/promises').FileHandle;
  try {
    real = await realpath(path);
    if (opts.within !== undefined) confine(real, await realpath(opts.within), shown, opts.within);
    fh = await open(real, FLAGS);
  } catch (e) {
    throw readError(e, shown);
  }
  try {
    const st = await fh.stat();
    check(st, shown, opts.limit);
    let buf: Buffer = Buffer.allocUnsafe(Math.min(st.size, opts.limit) + 1);
    let n = 0;
    for (;;) {
      buf = room(buf, n, opts.limit);
      const { bytesRead } = await fh.read(buf, n, buf.length - n, n);
      if (bytesRead === 0) break;
      n += bytesRead;
      if (n > opts.limit) throw tooBig(shown, opts.limit);
    }
    return buf.subarray(0, n);
  } catch (e) {
    throw readError(e, shown);
  } finally {
    await fh.close().catch(() => {});
  }
}

/** The same, synchronously (request building reads `-p name=@file` while it assembles the request). */
export function readRegularFileSync(path: string, opts: ReadOptions): Buffer {
  const shown = opts.shown ?? path;
  let fd: number;
  try {
    const real = realpathSync(path);
    if (opts.within !== undefined) confine(real, realpathSync(opts.within), shown, opts.within);
    fd = openSync(real, FLAGS);
  } catch (e) {
    throw readError(e, shown);
  }
  try {
    const st = fstatSync(fd);
    check(st, shown, opts.limit);
    let buf: Buffer = Buffer.allocUnsafe(Math.min(st.size, opts.limit) + 1);
    let n = 0;
    for (;;) {
      buf = room(buf, n, opts.limit);
      const got = readSync(fd, buf, n, buf.length - n, n);
      if (got === 0) break;
      n += got;
      if (n > opts.limit) throw tooBig(shown, opts.limit);
    }
    return buf.subarray(0, n);
  } catch (e) {
    throw readError(e, shown);
  } finally {
    closeSync(fd);
  }
}

/** A buffer with space after `n` bytes: the stat size can be stale (a growing file, /proc), so grow up to limit + 1. */
function room(buf: Buffer, n: number, limit: number): Buffer {
  if (n < buf.length) return buf;
  const next = Buffer.allocUnsafe(Math.min(limit + 1, Math.max(buf.length * 2, 64 * 1024)));
  buf.copy(next, 0, 0, n);
  return next;
}

/** True when `real` is `root` or inside it (both already resolved). */
export function isInside(real: string, root: string): boolean {
  const rel = relative(root, real);
  return rel === '' || (!isAbsolute(rel) && rel !== '..' && !rel.startsWith(`..${sep}`));
}

function confine(real: string, root: string, shown: string, within: string): void {
  if (!isInside(real, root)) {
    throw new UsageError(
      `${shown}: resolves to ${real}, outside ${within}; refused`,
      'Files a connector or spec refers to must be inside its own folder (no symbolic links out of it).',
    );
  }
}

function check(st: Stats, shown: string, limit: number): void {
  if (!st.isFile()) {
    throw new UsageError(`${shown}: ${st.isDirectory() ? 'is a folder, expected a file' : `is not a regular file (${kindOf(st)}); refused`}`);
  }
  if (st.size > limit) throw tooBig(shown, limit);
}

function kindOf(st: Stats): string {
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a file';
}

/** "<file>: larger than the 20 MB limit" (exit 2). */
export function tooBig(shown: string, limit: number): UsageError {
  const mb = limit / 1024 / 1024;
  return new UsageError(`${shown}: larger than the ${mb >= 1 ? Math.round(mb) : Number(mb.toFixed(2)) || mb.toPrecision(2)} MB limit`);
}

function readError(e: unknown, shown: string): CliError {
  if (e instanceof CliError) return e;
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return new CliError(`${shown}: no such file or folder`);
  if (code === 'EACCES' || code === 'EPERM') return new CliError(`${shown}: permission denied`);
  if (code === 'ELOOP') return new UsageError(`${shown}: is a symbolic link that changed while it was read; refused`);
  if (code === 'EISDIR') return new UsageError(`${shown}: is a folder, expected a file`);
  return new CliError(`${shown}: cannot read (${code ?? (e as Error).message})`);
}
