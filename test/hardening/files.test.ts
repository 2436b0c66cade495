import { describe, it, expect, beforeAll } from 'vitest';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, tempHome } from '../helpers/cli.js';

/**
 * Issue 15, finding 2: files a connector folder, a spec, a suite or `--body @file` names are
 * read as one regular file, through the checked descriptor, with a byte limit. Symlinks out of
 * a paconn folder, FIFOs, devices and oversized files are one line and exit 2, at once.
 */
const SPECS = join(import.meta.dirname, '..', '..', 'fixtures', 'specs');
const OUTSIDE_TEXT = 'text-of-a-file-outside-the-folder-3f9a';
let scratch: string;
let outside: string;
let fifo: string;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'connector-files-'));
  outside = join(mkdtempSync(join(tmpdir(), 'connector-outside-')), 'id_rsa');
  writeFileSync(outside, `test data, not a key: ${OUTSIDE_TEXT}\n`);
  fifo = join(scratch, 'fifo');
  execFileSync('mkfifo', [fifo]);
  return () => rmSync(scratch, { recursive: true, force: true });
});

/** A copy of the paconn-weather folder with `name` replaced by a symlink to `target` (or by `content`). */
function folder(name: string, target: string | { content: Buffer | string } | { size: number }): string {
  const dir = mkdtempSync(join(scratch, 'paconn-'));
  cpSync(join(SPECS, 'paconn-weather'), dir, { recursive: true });
  const file = join(dir, readdirSync(dir).find((f) => f.toLowerCase() === name.toLowerCase()) ?? name);
  rmSync(file, { force: true });
  if (typeof target === 'string') symlinkSync(target, file);
  else if ('content' in target) writeFileSync(file, target.content);
  else {
    writeFileSync(file, '');
    truncateSync(file, target.size);
  }
  return dir;
}

/** Runs the CLI and fails the test rather than hanging when the command would block. */
async function cli(args: string[], home = tempHome()) {
  const r = await runCli(args, { home });
  return { ...r, home };
}

function expectRefused(r: { code: number; stdout: string; stderr: string }, pattern: RegExp) {
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines[0]).toMatch(/^connector: /);
  expect(lines[0]).toMatch(pattern);
  expect(lines.length).toBeLessThanOrEqual(2);
  expect(r.stderr).not.toContain(OUTSIDE_TEXT);
}

async function registryIsEmpty(home: string) {
  const r = await runCli(['list', '--json'], { home });
  expect(JSON.parse(r.stdout)).toEqual([]);
}

describe('paconn folders: no symlink out, no special file, a byte limit per file', () => {
  it.each([
    ['icon.png', 'icon.png'],
    ['script.csx', 'script.csx'],
    ['apiProperties.json', 'apiProperties.json'],
    ['apiDefinition.swagger.json', 'apiDefinition.swagger.json'],
  ])('%s as a symlink to a file outside the folder is refused', async (name) => {
    const r = await cli(['import', folder(name, outside)]);
    expectRefused(r, new RegExp(`${name.replace('.', '\\.')}: resolves to .*outside .*; refused`));
    await registryIsEmpty(r.home);
  });

  it('a symlink through ../ out of the folder is refused as well', async () => {
    writeFileSync(join(scratch, 'sibling-secret'), OUTSIDE_TEXT);
    const r = await cli(['import', folder('script.csx', '../sibling-secret')]);
    expectRefused(r, /script\.csx: resolves to .*sibling-secret, outside .*; refused/);
  });

  it('a symlink that stays inside the folder is followed', async () => {
    const dir = folder('icon.png', 'other.png');
    writeFileSync(join(dir, 'other.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    const home = tempHome();
    const r = await runCli(['import', dir], { home });
    expect(r.stderr).toMatch(/Imported /);
    expect(r.code).toBe(0);
    const doc = await runCli(['export', 'weather-tiny'], { home });
    expect(doc.stdout).toContain(`icon: ${Buffer.from([0x89, 0x50, 0x4e, 0x47]).toString('base64')}`);
  });

  it('icon.png → /dev/zero is refused at once (no unbounded read)', async () => {
    const r = await cli(['import', folder('icon.png', '/dev/zero')]);
    expectRefused(r, /icon\.png: resolves to \/dev\/zero, outside/);
  });

  it('script.csx as a FIFO inside the folder is refused at once (no hang)', async () => {
    const dir = folder('script.csx', { content: '' });
    rmSync(join(dir, 'script.csx'));
    execFileSync('mkfifo', [join(dir, 'script.csx')]);
    const r = await cli(['import', dir]);
    expectRefused(r, /script\.csx: is not a regular file \(a FIFO\); refused$/);
  });

  it('an icon over 1 MB and a script over 1 MB name the file and the limit', async () => {
    expectRefused(await cli(['import', folder('icon.png', { size: 1024 * 1024 + 1 })]), /icon\.png: larger than the 1 MB limit$/);
    expectRefused(await cli(['import', folder('script.csx', { size: 1024 * 1024 + 1 })]), /script\.csx: larger than the 1 MB limit$/);
  });
});

describe('spec files, suite files and --body @file', () => {
  it('importing a FIFO, /dev/zero or /dev/stdin is refused at once', async () => {
    expectRefused(await cli(['import', fifo]), /fifo: is not a regular file \(a FIFO\)/);
    expectRefused(await cli(['import', '/dev/zero']), /\/dev\/zero: is not a regular file \(a character device\)/);
  });

  it('run --body @/dev/zero and --body @fifo are refused at once; the limit is 100 MB', async () => {
    expectRefused(await cli(['run', 'petstore', 'addPet', '--body', '@/dev/zero']), /the body file \/dev\/zero: is not a regular file \(a character device\)/);
    expectRefused(await cli(['run', 'petstore', 'addPet', '--body', `@${fifo}`]), /the body file .*fifo: is not a regular file \(a FIFO\)/);
    const big = join(scratch, 'big-body.json');
    writeFileSync(big, '');
    truncateSync(big, 100 * 1024 * 1024 + 1);
    expectRefused(await cli(['run', 'petstore', 'addPet', '--body', `@${big}`]), /the body file .*big-body\.json: larger than the 100 MB limit$/);
  });

  it('-p name=@/dev/zero is refused at once', async () => {
    const home = tempHome();
    const dir = mkdtempSync(join(scratch, 'open-'));
    const def = JSON.parse(readFileSync(join(SPECS, 'petstore.swagger.json'), 'utf8'));
    delete def.security;
    delete def.securityDefinitions;
    writeFileSync(join(dir, 'open.json'), JSON.stringify(def));
    expect((await runCli(['import', join(dir, 'open.json'), '--name', 'open'], { home })).code).toBe(0);
    const r = await runCli(['run', 'open', 'listPets', '-p', 'limit=@/dev/zero', '--dry-run'], { home });
    expectRefused(r, /\/dev\/zero: is not a regular file \(a character device\)/);
  });

  it('a suite file that is a FIFO is refused at once', async () => {
    const dir = mkdtempSync(join(scratch, 'suite-'));
    mkdirSync(join(dir, 'x'));
    execFileSync('mkfifo', [join(dir, 'suite.yaml')]);
    expectRefused(await cli(['test', join(dir, 'suite.yaml')]), /suite\.yaml: is not a regular file \(a FIFO\)/);
  });
});
