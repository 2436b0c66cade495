import { describe, it, expect } from 'vitest';
import { readFile, readdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { atomicWrite, readJsonFile, withLock } from '../../src/registry/fsutil.js';
import { tempHome } from '../helpers/cli.js';
import { CliError } from '../../src/errors.js';
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
    await withLock(lock, async () => {
      ran = true;
    }, { timeoutMs: 2000 });
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
