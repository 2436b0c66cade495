import { describe, it, expect } from 'vitest';
import { readFile, readdir, stat, utimes, writeFile } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { atomicWrite } from '../../src/fs/atomic.js';
import { readJsonFile } from '../../src/fs/json.js';
import { lockOwner, withLock } from '../../src/fs/lock.js';
import { tempHome } from '../helpers/cli.js';
import { CancelError, CliError, ExitCode } from '../../src/errors.js';
import { Registry } from '../../src/registry/registry.js';

describe('atomicWrite', () => {
  it('replaces the file and leaves no temp file behind', async () => {
    const dir = tempHome();
    const p = join(dir, 'sub', 'a.json');
    await atomicWrite(p, '{"a":1}');
    await atomicWrite(p, '{"a":2}');
    expect(await readFile(p, 'utf8')).toBe('{"a":2}');
    expect(await readdir(join(dir, 'sub'))).toEqual(['a.json']);
  });
});

describe('readJsonFile', () => {
  it('returns undefined for a missing file and a CliError for a corrupt one', async () => {
    const dir = tempHome();
    expect(await readJsonFile(join(dir, 'nope.json'))).toBeUndefined();
    await writeFile(join(dir, 'bad.json'), '{"a":');
    await expect(readJsonFile(join(dir, 'bad.json'))).rejects.toThrow(/is corrupt/);
  });
});

describe('file-system failures are one-line CliErrors', () => {
  it('a home that is a file: reading, writing and locking under it name the path', async () => {
    const dir = tempHome();
    const file = join(dir, 'afile');
    await writeFile(file, 'x');
    await expect(readJsonFile(join(file, 'index.json'))).rejects.toThrow(`cannot read ${join(file, 'index.json')}: part of the path is a file, not a folder`);
    await expect(atomicWrite(join(file, 'a.json'), '{}')).rejects.toThrow(`cannot write ${join(file, 'a.json')}: a file is in the way of a folder`);
    await expect(withLock(join(file, '.lock'), async () => 1)).rejects.toBeInstanceOf(CliError);
  });

  it('an index.json without a connectors map is reported as corrupt, not a crash', async () => {
    const dir = tempHome();
    await writeFile(join(dir, 'index.json'), '{"version":1}');
    await expect(new Registry(dir).list()).rejects.toThrow(/index\.json is corrupt \(no 'connectors' map\)/);
  });
});

describe('withLock', () => {
  it('serialises concurrent read-modify-write cycles (no lost update)', async () => {
    const dir = tempHome();
    const file = join(dir, 'counter.json');
    await atomicWrite(file, JSON.stringify({ n: 0 }));
    const bump = () =>
      withLock(join(dir, '.lock'), async () => {
        const cur = (await readJsonFile<{ n: number }>(file))!;
        await new Promise((r) => setTimeout(r, 1));
        await atomicWrite(file, JSON.stringify({ n: cur.n + 1 }));
      });
    await Promise.all(Array.from({ length: 20 }, bump));
    expect((await readJsonFile<{ n: number }>(file))!.n).toBe(20);
  });

  it('breaks a stale lock left by a dead process', async () => {
    const dir = tempHome();
    const lock = join(dir, '.lock');
    await writeFile(lock, '999999999\n'); // no such pid
    let ran = false;
    await withLock(
      lock,
      async () => {
        ran = true;
      },
      { timeoutMs: 2000 },
    );
    expect(ran).toBe(true);
  });

  it('times out with a clear error while a live process holds the lock', async () => {
    const dir = tempHome();
    const lock = join(dir, '.lock');
    await writeFile(lock, `${process.ppid}\n`); // a live pid that is not us
    await expect(withLock(lock, async () => {}, { timeoutMs: 100 })).rejects.toThrow(/timed out waiting for the lock/);
  });
});

describe('withLock and a slow live owner', () => {
  it('does not break a lock older than staleMs while its owner is alive', async () => {
    const dir = tempHome();
    const lock = join(dir, '.lock');
    await writeFile(lock, `${process.ppid}\n`);
    const old = new Date(Date.now() - 60_000);
    await utimes(lock, old, old);
    await expect(withLock(lock, async () => {}, { timeoutMs: 100, staleMs: 1_000 })).rejects.toThrow(/timed out waiting for the lock/);
  });
});

describe('withLock and Ctrl-C (signal)', () => {
  it("a lock held by another process: an abort ends the wait with CancelError quickly and leaves the holder's file alone", async () => {
    const dir = tempHome();
    const lock = join(dir, '.lock');
    // A real other process takes the lock the way withLock does (O_EXCL, its pid) and holds it until killed.
    const holder = spawn(
      process.execPath,
      ['-e', `require('fs').writeFileSync(${JSON.stringify(lock)}, process.pid + '\\n', { flag: 'wx' }); console.log('held'); setInterval(() => {}, 1000);`],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout!.once('data', () => resolve());
        holder.once('exit', (c) => reject(new Error(`holder exited with ${c}`)));
      });
      const before = { text: await readFile(lock, 'utf8'), mtimeMs: (await stat(lock)).mtimeMs };
      expect(before.text).toBe(`${holder.pid}\n`);
      const ac = new AbortController();
      let ran = false;
      const started = Date.now();
      const waiting = withLock(
        lock,
        async () => {
          ran = true;
        },
        { timeoutMs: 30_000, signal: ac.signal },
      );
      setTimeout(() => ac.abort(), 150);
      const err = await waiting.catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CancelError);
      expect((err as CancelError).exitCode).toBe(ExitCode.CANCELLED);
      expect(Date.now() - started).toBeLessThan(1_000); // the backoff sleep is cut short, not waited out
      expect(ran).toBe(false);
      expect({ text: await readFile(lock, 'utf8'), mtimeMs: (await stat(lock)).mtimeMs }).toEqual(before);
    } finally {
      holder.kill();
    }
  });

  it('another holder in this process: the waiter cancels, the holder keeps its lock and releases it itself', async () => {
    const dir = tempHome();
    const lock = join(dir, '.lock');
    let release!: () => void;
    let held!: () => void;
    const isHeld = new Promise<void>((r) => (held = r));
    const holding = withLock(lock, () => {
      held();
      return new Promise<void>((r) => (release = r));
    });
    await isHeld;
    const ac = new AbortController();
    const waiting = withLock(lock, async () => 'ran', { signal: ac.signal });
    setTimeout(() => ac.abort(), 50);
    await expect(waiting).rejects.toBeInstanceOf(CancelError);
    expect((await lockOwner(lock))?.pid).toBe(process.pid);
    release();
    await holding;
    await expect(stat(lock)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('an already aborted signal takes no lock and runs nothing', async () => {
    const dir = tempHome();
    const ac = new AbortController();
    ac.abort();
    let ran = false;
    await expect(withLock(join(dir, '.lock'), async () => (ran = true), { signal: ac.signal })).rejects.toBeInstanceOf(CancelError);
    expect(ran).toBe(false);
    expect(await readdir(dir)).toEqual([]);
  });

  it('Registry passes its signal to the lock: an update waiting on a held lock cancels', async () => {
    const dir = tempHome();
    await writeFile(join(dir, '.lock'), `${process.ppid}\n`); // a live pid that is not us
    const ac = new AbortController();
    const reg = new Registry(dir, { signal: ac.signal });
    setTimeout(() => ac.abort(), 50);
    await expect(reg.locked(async () => 1)).rejects.toBeInstanceOf(CancelError);
    expect(await readFile(join(dir, '.lock'), 'utf8')).toBe(`${process.ppid}\n`);
  });
});
