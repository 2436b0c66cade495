import { describe, it, expect } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { commandNamed } from '../../src/main.js';

describe('connector (global behaviour)', () => {
  it('--version prints the package version', async () => {
    const r = await runCli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('--help lists every command and the exit codes', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const c of ['import', 'list', 'show', 'operations', 'remove', 'export', 'connection', 'run', 'demo']) {
      expect(r.stdout).toMatch(new RegExp(`\\n\\s+${c}\\b`));
    }
    expect(r.stdout).toContain('Exit codes');
  });

  it('every command has examples in its --help', async () => {
    for (const c of [
      ['import'],
      ['list'],
      ['show'],
      ['operations'],
      ['remove'],
      ['export'],
      ['run'],
      ['demo'],
      ['connection', 'create'],
      ['connection', 'list'],
      ['connection', 'show'],
      ['connection', 'delete'],
    ]) {
      const r = await runCli([...c, '--help']);
      expect(r.code, c.join(' ')).toBe(0);
      expect(r.stdout, c.join(' ')).toContain('Examples:');
    }
  });

  it('an unknown command is a usage error (exit 2) with a suggestion', async () => {
    const r = await runCli(['lsit']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown command 'lsit'");
    expect(r.stderr).toContain('list');
  });

  it('an unknown option is a usage error (exit 2)', async () => {
    const r = await runCli(['list', '--bogus']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown option '--bogus'");
  });

  it('a missing argument is a usage error (exit 2)', async () => {
    const r = await runCli(['show']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('missing required argument');
  });

  it('a bad choice is a usage error (exit 2)', async () => {
    const r = await runCli(['export', 'x', '--format', 'zip']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Allowed choices are yaml, paconn/);
  });
});

describe('CONNECTOR_SECRET_STORE', () => {
  it('an unknown value is a usage error (exit 2), like a bad --secret-store', async () => {
    const r = await runCli(['list'], { env: { CONNECTOR_SECRET_STORE: 'plaintext' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("CONNECTOR_SECRET_STORE is 'plaintext'; use one of keychain, vault, memory");
  });
});

describe('only the named command is built', () => {
  const argv = (...a: string[]) => ['node', 'connector', ...a];
  it('finds the command word past global options, values and aliases', () => {
    expect(commandNamed(argv('run', 'petstore', 'getPetById'))).toBe('run');
    expect(commandNamed(argv('--home', 'run', '--no-input', 'list'))).toBe('list'); // 'run' is --home's value
    expect(commandNamed(argv('--secret-store', 'vault', 'conn', 'create', 'x'))).toBe('connection');
    expect(commandNamed(argv('ops', 'x'))).toBe('operations');
    expect(commandNamed(argv('--home=/tmp/h', 'rm', 'x'))).toBe('remove');
  });
  it('builds everything for root help, `help`, a typo, or no command', () => {
    for (const a of [[], ['--help'], ['help', 'run'], ['rnu'], ['--', 'run']]) expect(commandNamed(argv(...a))).toBeUndefined();
  });
  it('a typo still gets a suggestion (the whole program is built for it)', async () => {
    const r = await runCli(['rnu']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown command 'rnu'.*\n.*Did you mean run\?/s);
  });
});
