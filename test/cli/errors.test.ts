import { describe, it, expect } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempHome } from '../helpers/cli.js';
import { MemoryStore } from '../../src/secrets/store.js';
import { apiKeyRecord, register } from '../connections/helpers.js';

describe('commander’s own errors: one line `connector: …`, one hint, exit 2, nothing on stdout', () => {
  const cases: [string[], string][] = [
    [['rnu'], "connector: unknown command 'rnu'\nDid you mean run?\n"],
    [['zzzzzz'], "connector: unknown command 'zzzzzz'\nTry: connector --help\n"],
    [['--bogus'], "connector: unknown option '--bogus'\nTry: connector --help\n"],
    [['list', '--jsn'], "connector: unknown option '--jsn'\nDid you mean --json?\n"],
    [['run', 'a', 'b', '--bogus'], "connector: unknown option '--bogus'\nTry: connector run --help\n"],
    [['run'], "connector: missing required argument 'connector'\nTry: connector run --help\n"],
    [['connection', 'creat'], "connector: unknown command 'creat'\nDid you mean create?\n"],
    [['connection', 'show'], "connector: missing required argument 'connection'\nTry: connector connection show --help\n"],
    [['conn', 'show', 'a/b', '--bogus'], "connector: unknown option '--bogus'\nTry: connector connection show --help\n"],
    [
      ['run', 'a', 'b', '--format', 'xml'],
      "connector: option '--format <format>' argument 'xml' is invalid. Allowed choices are auto, json, raw, yaml, ndjson.\nTry: connector run --help\n",
    ],
    [['show', 'a', 'b'], "connector: too many arguments for 'show'. Expected 1 argument but got 2.\nTry: connector show --help\n"],
    [['help', 'nosuch'], "connector: unknown command 'nosuch'\nTry: connector --help\n"],
  ];
  for (const [args, stderr] of cases) {
    it(`connector ${args.join(' ')}`, async () => {
      const r = await runCli(args);
      expect([r.code, r.stdout, r.stderr]).toEqual([2, '', stderr]);
    });
  }
});

describe('--json: an error is one JSON document on stdout too', () => {
  it('a usage error from commander and a not-found from a command', async () => {
    const usage = await runCli(['--json', 'connection', 'creat']);
    expect(usage.code).toBe(2);
    expect(JSON.parse(usage.stdout)).toEqual({ error: { message: "unknown command 'creat'", code: 'usage', exitCode: 2, hint: 'Did you mean create?' } });
    expect(usage.stderr).toBe("connector: unknown command 'creat'\nDid you mean create?\n");
    const missing = await runCli(['show', 'nope', '--json']);
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.stdout)).toEqual({
      error: { message: "no connector named 'nope'", code: 'not_found', exitCode: 1, hint: 'Import one first: connector import <file|url|folder>' },
    });
    expect(missing.stderr.split('\n')[0]).toBe("connector: no connector named 'nope'");
    // Without --json, stdout stays empty; `--json` after `--` is an argument, not the flag.
    expect((await runCli(['show', 'nope'])).stdout).toBe('');
    const bad = await runCli(['run', 'x', 'y', '--timeout', '0', '--json']);
    expect([bad.code, JSON.parse(bad.stdout).error.code]).toEqual([2, 'usage']);
  });
});

describe('not found is exit 1 in every command', () => {
  it('an unknown connector, connection or operation', async () => {
    const home = tempHome();
    await register(home, apiKeyRecord());
    const overrides = { secrets: async () => new MemoryStore() };
    const cases: [string[], string][] = [
      [['show', 'keyc'], "no connector named 'keyc'"],
      [['operations', 'keyc'], "no connector named 'keyc'"],
      [['export', 'keyc'], "no connector named 'keyc'"],
      [['remove', 'keyc', '--yes'], "no connector named 'keyc'"],
      [['run', 'keyc', 'x'], "no connector named 'keyc'"],
      [['run', 'keyco', 'NoSuchOperation'], "connector 'keyco' has no operation 'NoSuchOperation'"],
      [['test', 'keyc'], 'keyc: no such suite file, and no connector of that name'],
      [['test', 'init', 'keyc'], "no connector named 'keyc'"],
      [['connection', 'create', 'keyc', '--no-input'], "no connector named 'keyc'"],
      [['connection', 'list', 'keyc'], "no connector named 'keyc'"],
      [['connection', 'show', 'keyc'], "no connector named 'keyc'"],
      [['connection', 'show', 'Keyc/default'], "no connector named 'Keyc'"],
      [['connection', 'show', 'keyco/nope'], "no connection 'keyco/nope'"],
      [['connection', 'test', 'keyco/nope'], "no connection 'keyco/nope'"],
      [['connection', 'delete', 'keyco/nope', '--yes'], "no connection 'keyco/nope'"],
      [['connection', 'rename', 'keyco/nope', 'x'], "no connection 'keyco/nope'"],
      [['connection', 'default', 'keyco/nope'], "no connection 'keyco/nope'"],
      [['connection', 'export', 'keyco/nope'], "no connection 'keyco/nope'"],
      [['connection', 'token', 'keyc'], "no connector named 'keyc'"],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(args, { home, overrides });
      expect([r.code, r.stderr.split('\n')[0]], args.join(' ')).toEqual([1, `connector: ${message}`]);
    }
  });
});

describe('connector names are matched ignoring case, as operation ids', () => {
  it('show, operations and run find KeyCo; the stored name is what is printed', async () => {
    const home = tempHome();
    await register(home, apiKeyRecord());
    const show = await runCli(['show', 'KeyCo', '--json'], { home });
    expect([show.code, JSON.parse(show.stdout).name]).toEqual([0, 'keyco']);
    expect((await runCli(['operations', 'KEYCO'], { home })).code).toBe(0);
  });
});

describe('--json test', () => {
  it('prints the JSON report on stdout (it printed nothing)', async () => {
    const home = tempHome();
    await register(home, apiKeyRecord('127.0.0.1:1', 'http'));
    const suite = join(home, 's.yaml');
    writeFileSync(suite, 'connector: keyco\nsteps:\n  - operation: ListItems\n'); // nothing listens on port 1: the step fails
    const env = { CONNECTOR_KEYCO__DEFAULT__API_KEY: 'k-123' };
    const r = await runCli(['--json', 'test', suite], { home, env, overrides: { secrets: async () => new MemoryStore() } });
    expect(r.stdout, r.stderr).not.toBe('');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ suites: [expect.objectContaining({})], totals: { failed: 1 } });
    const both = await runCli(['--json', 'test', suite, '--reporter', 'json'], { home, env, overrides: { secrets: async () => new MemoryStore() } });
    expect(JSON.parse(both.stdout)).toMatchObject({ totals: { failed: 1 } }); // one document, not two
    const junit = await runCli(['--json', 'test', suite, '--reporter', 'junit'], { home });
    expect([junit.code, junit.stderr.split('\n')[0]]).toEqual([2, 'connector: --json and --reporter junit would both write to stdout']);
  });
});
