import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { cliEnv, tempHome } from '../helpers/cli.js';
import { apiKeyRecord, register } from '../connections/helpers.js';

/**
 * A real gnome-keyring whose login keyring is LOCKED: a first private D-Bus session creates
 * it (password "ci") and stores a connection's secret; every later session starts the daemon
 * without --unlock, as a desktop does before the user unlocks it, or an SSH login. Each
 * session has its own HOME and XDG_RUNTIME_DIR, so the test run's own keyring is never touched.
 */
const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'connector.js');
const built = existsSync(join(ROOT, 'dist', 'commands', 'connection', 'create.js'));
const tools = ['dbus-run-session', 'gnome-keyring-daemon'].every((t) => !spawnSync('sh', ['-c', `command -v ${t}`]).status);
if (!tools) console.warn('[keychain-locked] dbus-run-session or gnome-keyring-daemon missing: locked-keyring tests skipped');
if (tools && !built) console.warn('[keychain-locked] dist/ is not built (npm run build): locked-keyring tests skipped');

let home: string;
let keyringHome: string;
/** The CLI inside a fresh D-Bus session with gnome-keyring started (unlocked with "ci", or left locked). */
function cli(args: string[], opts: { unlock?: boolean; input?: string } = {}) {
  const start = opts.unlock ? 'printf %s ci | gnome-keyring-daemon --unlock --components=secrets' : 'gnome-keyring-daemon --start --components=secrets';
  const env = cliEnv(home, { HOME: keyringHome, XDG_RUNTIME_DIR: join(keyringHome, 'run'), PATH: process.env.PATH });
  return spawnSync('dbus-run-session', ['--', 'sh', '-c', `${start} >/dev/null 2>&1 && exec "$@"`, 'sh', process.execPath, BIN, ...args], {
    input: opts.input ?? '',
    env,
    encoding: 'utf8',
    timeout: 30_000,
  });
}

describe.skipIf(!tools || !built)('a locked OS keychain (real gnome-keyring, locked login keyring)', () => {
  beforeAll(async () => {
    home = tempHome('connector-locked-');
    keyringHome = tempHome('connector-locked-keyring-');
    spawnSync('mkdir', ['-m', '700', join(keyringHome, 'run')]);
    await register(home, apiKeyRecord());
    const first = cli(['connection', 'create', 'keyco', '--name', 'ci', '--no-input', '--no-verify', '--param-stdin', 'api_key'], {
      unlock: true,
      input: 'locked-test-secret\n',
    });
    expect(first.stderr).toContain('Created connection keyco/ci');
  }, 60_000);
  afterAll(() => {
    rmSync(home, { recursive: true, force: true });
    rmSync(keyringHome, { recursive: true, force: true });
  });

  it('connection create says the keychain is locked and how to unlock it; nothing is saved', () => {
    const r = cli(['connection', 'create', 'keyco', '--name', 'two', '--no-input', '--no-verify', '--param-stdin', 'api_key'], { input: 'second-secret\n' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('connector: the OS keychain is locked');
    expect(r.stderr).not.toContain('no Secret Service on the session bus');
    expect(r.stderr).toContain('seahorse');
    expect(r.stderr).toContain('gnome-keyring-daemon --unlock --replace');
    expect(r.stderr).toContain('CONNECTOR_KEYCO__TWO__API_KEY=');
    expect(r.stderr).toContain('--secret-store vault');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(cli(['connection', 'list', '--json']).stdout).not.toContain('keyco/two');
  });

  it('create finds the lock out before asking for anything (a read of a missing item does not: only a write fails)', () => {
    const r = cli(['connection', 'create', 'keyco', '--name', 'early', '--no-input', '--no-verify']);
    expect(r.stderr).toContain('connector: the OS keychain is locked');
    expect(r.stderr).not.toContain('missing a required parameter');
    expect(r.status).toBe(1);
  });

  it('doctor reports the keychain as locked (a warning) with the same cures', () => {
    const r = cli(['doctor', '--json', '--no-input']);
    const report = JSON.parse(r.stdout) as { checks: { id: string; status: string; message: string; hint?: string }[] };
    const keychain = report.checks.find((c) => c.id === 'keychain');
    expect(keychain).toMatchObject({ status: 'warn', message: expect.stringContaining('the OS keychain is locked') });
    expect(keychain?.hint).toContain('seahorse');
    expect(keychain?.hint).toContain('gnome-keyring-daemon --unlock --replace');
    expect(r.stdout).not.toContain('locked-test-secret');
  });

  it('the hint’s own command unlocks it: the same create then succeeds', () => {
    const unlock = 'printf %s ci | gnome-keyring-daemon --unlock --replace --components=secrets >/dev/null 2>&1';
    const env = cliEnv(home, { HOME: keyringHome, XDG_RUNTIME_DIR: join(keyringHome, 'run'), PATH: process.env.PATH });
    const r = spawnSync(
      'dbus-run-session',
      [
        '--',
        'sh',
        '-c',
        `gnome-keyring-daemon --start --components=secrets >/dev/null 2>&1; ${unlock}; exec "$@"`,
        'sh',
        process.execPath,
        BIN,
        'connection',
        'create',
        'keyco',
        '--name',
        'three',
        '--no-input',
        '--no-verify',
        '--param-stdin',
        'api_key',
      ],
      { input: 'third-secret\n', env, encoding: 'utf8', timeout: 30_000 },
    );
    expect(r.stderr).toContain('Created connection keyco/three');
  });
});
