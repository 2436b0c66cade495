import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { runCli, tempHome } from '../helpers/cli.js';
import { MemoryStore } from '../../src/secrets/store.js';

// A connection made of CONNECTOR_<K>__<C>__* variables alone: the hidden `host` parameter's default
// (3E Events' api.elite.com) was not applied and the missing required `tenant` was not said, so
// --dry-run printed https:///3e/events and an empty x-tenant header went nowhere.
const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'env-defaults');

async function setup() {
  const home = tempHome('connector-env-defaults-');
  const store = new MemoryStore();
  const run = (args: string[], env: NodeJS.ProcessEnv) => runCli(args, { home, env, overrides: { secrets: async () => store } });
  expect((await run(['import', FIXTURE, '--name', 'events'], {})).code).toBe(0);
  return run;
}

describe('env-only connections', () => {
  it('apply a hidden parameter default (the dynamichosturl host)', async () => {
    const run = await setup();
    const r = await run(['run', 'events', 'ListEvents', '--dry-run'], {
      CONNECTOR_EVENTS__DEFAULT__ACCESS_TOKEN: 't',
      CONNECTOR_EVENTS__DEFAULT__TENANT: 'acme',
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("curl 'https://api.example.invalid/3e/events'");
    expect(r.stdout).toContain("-H 'x-tenant: acme'");
  });

  it('the environment beats the default', async () => {
    const run = await setup();
    const r = await run(['run', 'events', 'ListEvents', '--dry-run', '-c', 'ci'], {
      CONNECTOR_EVENTS__CI__ACCESS_TOKEN: 't',
      CONNECTOR_EVENTS__CI__TENANT: 'acme',
      CONNECTOR_EVENTS__CI__HOST: 'eu.example.invalid',
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("curl 'https://eu.example.invalid/3e/events'");
  });

  it('a missing required parameter is exit 2, naming the variable to set', async () => {
    const run = await setup();
    const r = await run(['run', 'events', 'ListEvents', '--dry-run'], { CONNECTOR_EVENTS__DEFAULT__ACCESS_TOKEN: 't' });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      "connector: connection events/default comes from the environment, and has no value for the required parameter 'tenant' (Tenant)\n" +
        'Set CONNECTOR_EVENTS__DEFAULT__TENANT, or create the connection: connector connection create events\n',
    );
  });
});
