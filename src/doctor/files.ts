import { promises as fsp, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { breakStaleLock, isStaleLock, lockOwner as folderLockOwner } from '../fs/lock.js';
import { few, plural } from './text.js';
import type { Check, Finding } from './types.js';

/** Where connector writes temp and lock files: the home, its records and its per-connection locks. */
const dirsOf = (home: string) => [home, join(home, 'connectors'), join(home, 'locks')];

interface Found {
  path: string;
  /** Relative to the home, for the report. */
  shown: string;
  ageMs: number;
  pid?: number;
  /** A lock in src/fs/lock.ts's format: a folder holding its owner's token file. */
  folder?: boolean;
}

function filesEnding(home: string, suffix: string): Found[] {
  const out: Found[] = [];
  for (const dir of dirsOf(home)) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const n of names) {
      if (!n.endsWith(suffix)) continue;
      const path = join(dir, n);
      try {
        const st = statSync(path);
        if (!st.isFile() && !st.isDirectory()) continue;
        out.push({ path, shown: path.slice(home.length + 1), ageMs: Date.now() - st.mtimeMs, folder: st.isDirectory() });
      } catch {
        // gone meanwhile
      }
    }
  }
  return out;
}

/** The pid a lock file names: `1234\n` (the pid alone) or JSON with a numeric `pid` (with an owner token beside it). */
export function lockOwner(text: string): number | undefined {
  const t = text.trim();
  let pid: unknown = /^\d+$/.test(t) ? Number(t) : undefined;
  if (pid === undefined && t.startsWith('{')) {
    try {
      pid = (JSON.parse(t) as { pid?: unknown }).pid;
    } catch {
      // half-written or foreign: no owner to check
    }
  }
  return typeof pid === 'number' && Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

const minutes = (ms: number) => `${Math.max(1, Math.round(ms / 60_000))} min`;

/**
 * Temp files of atomic writes (`.<file>.<pid>.<random>.tmp`) that no write will finish:
 * the writer is dead, or the file is older than the stale age (an atomic write takes
 * milliseconds; a pid may have been reused since).
 */
export const tempFilesCheck: Check = async (ctx, facts) => {
  const { staleMs } = facts.options;
  const stale = filesEnding(ctx.home, '.tmp').filter((f) => {
    // `.<file>.<pid>.<rand>.tmp` (an atomic write) or `<lock>.<pid>-<rand>.tmp/` (a lock being staged)
    const pid = /(?:\.(\d+)\.[^.]+|\.lock\.(\d+)-[^.]+)\.tmp$/.exec(f.path)?.slice(1).find(Boolean);
    return f.ageMs > staleMs || (pid !== undefined && !facts.system.alive(Number(pid)));
  });
  if (!stale.length) return { id: 'temp-files', status: 'ok', message: 'no stale temp files' };
  return {
    id: 'temp-files',
    status: 'warn',
    message: `${plural(stale.length, 'stale temp file')} (${few(stale.map((f) => f.shown))})`,
    hint: 'connector doctor --fix deletes them.',
    items: stale.map((f) => f.shown),
    fix: {
      consent: 'safe',
      action: `delete ${plural(stale.length, 'stale temp file')}`,
      run: async () => {
        let n = 0;
        for (const f of stale)
          if (
            await fsp.rm(f.path, { recursive: true, force: true }).then(
              () => true,
              () => false,
            )
          )
            n++;
        return `deleted ${plural(n, 'stale temp file')}`;
      },
    },
  };
};

/**
 * Lock files (the registry's, the vault's, each OAuth connection's) whose owner is dead, or
 * that name no owner and are older than the stale age (a kill between creating the file
 * and writing the pid). A lock a live process holds is never broken, however old: it is
 * reported.
 */
export const locksCheck: Check = async (ctx, facts) => {
  const { staleMs } = facts.options;
  const stale: Found[] = [];
  const held: string[] = [];
  for (const f of filesEnding(ctx.home, '.lock')) {
    if (f.folder) {
      // src/fs/lock.ts judges its own format (pid, process start time, host): one rule for doctor and waiters.
      f.pid = (await folderLockOwner(f.path))?.pid;
      if (await isStaleLock(f.path, staleMs)) stale.push(f);
      else if (f.pid !== undefined && f.ageMs > staleMs) held.push(`${f.shown} (pid ${f.pid}, ${minutes(f.ageMs)})`);
      continue;
    }
    let text = '';
    try {
      text = readFileSync(f.path, 'utf8');
    } catch {
      continue;
    }
    f.pid = lockOwner(text);
    if (f.pid === undefined ? f.ageMs > staleMs : !facts.system.alive(f.pid)) stale.push(f);
    else if (f.ageMs > staleMs) held.push(`${f.shown} (pid ${f.pid}, ${minutes(f.ageMs)})`);
  }
  const findings: Finding[] = [];
  if (stale.length) {
    const why = (f: Found) => `${f.shown} (${f.pid === undefined ? `no owner, ${minutes(f.ageMs)} old` : `pid ${f.pid} is gone`})`;
    findings.push({
      id: 'locks',
      status: 'warn',
      message: `${plural(stale.length, 'stale lock file')}: ${few(stale.map(why))}`,
      hint: 'connector doctor --fix removes them (the next writer would break a dead owner’s lock too, after a wait).',
      items: stale.map((f) => f.shown),
      fix: { consent: 'safe', action: `remove ${plural(stale.length, 'stale lock file')}`, run: () => breakLocks(stale, staleMs) },
    });
  }
  if (held.length) {
    findings.push({
      id: 'locks',
      status: 'warn',
      message: `${plural(held.length, 'lock')} held for long by a live process: ${few(held)}`,
      hint: 'A connector command may be waiting for input (a keychain dialog); if none runs, that pid is not connector: delete the file.',
      items: held,
    });
  }
  if (!findings.length) findings.push({ id: 'locks', status: 'ok', message: 'no stale lock files' });
  return findings;
};

/**
 * Break each stale lock by rename-and-verify, so a lock a live process took meanwhile is
 * never deleted: rename it aside (atomic), and only if what was moved is still the file
 * judged stale (same content, still old enough when it names no owner) delete it; otherwise
 * link it back (link fails rather than replace a lock taken since). Not withLock's own
 * stale check: that one reads the pid-only format, and the lock format is changing to
 * carry an owner token beside the pid.
 */
async function breakLocks(stale: Found[], staleMs: number): Promise<string> {
  let n = 0;
  const busy: string[] = [];
  for (const f of stale) {
    if (f.folder) {
      if (await breakStaleLock(f.path, staleMs)) n++;
      else busy.push(f.shown);
      continue;
    }
    const aside = `${f.path}.doctor-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    try {
      await fsp.rename(f.path, aside);
    } catch {
      continue; // gone meanwhile: released or broken by a waiter
    }
    const [text, st] = await Promise.all([fsp.readFile(aside, 'utf8').catch(() => undefined), fsp.stat(aside).catch(() => undefined)]);
    const same = text !== undefined && lockOwner(text) === f.pid && (f.pid !== undefined || (st !== undefined && Date.now() - st.mtimeMs > staleMs));
    if (same) {
      await fsp.unlink(aside).catch(() => {});
      n++;
    } else {
      await fsp.link(aside, f.path).catch(() => {});
      await fsp.unlink(aside).catch(() => {});
      busy.push(f.shown);
    }
  }
  return `removed ${plural(n, 'stale lock file')}${busy.length ? `; ${few(busy)} in use again, left alone` : ''}`;
}

/** Is `pid` alive? kill(pid, 0): ESRCH means gone; EPERM means alive under another user. */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}
