import { describe, expect, it } from 'vitest';
import { runCli, tempHome } from '../helpers/cli.js';
import { MemoryStore } from '../../src/secrets/store.js';
import { apiKeyRecord, register } from './helpers.js';

// The README says `connection show` prints each parameter's variable; a newcomer found only --json had it.
describe('connection show', () => {
  it('names the CONNECTOR_<K>__<C>__<PARAM> variable that overrides each value, never a secret', async () => {
    const home = tempHome();
    await register(home, apiKeyRecord());
    const store = new MemoryStore();
    const overrides = { secrets: async () => store };
    const env = { K: 'k-secret-123' };
    const created = await runCli(['connection', 'create', 'keyco', '--no-verify', '--param-env', 'api_key=K'], { home, env, overrides });
    expect(created.code, created.stderr).toBe(0);
    const r = await runCli(['connection', 'show', 'keyco'], { home, overrides });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^PARAMETER +VALUE +FROM +OVERRIDE$/m);
    expect(r.stdout).toMatch(/^api_key \(API Key\) +\*+ +memory +CONNECTOR_KEYCO__DEFAULT__API_KEY$/m);
    expect(r.stdout).not.toContain('k-secret-123');
  });
});
