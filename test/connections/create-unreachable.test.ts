import { describe, expect, it } from 'vitest';
import { runCli, tempHome } from '../helpers/cli.js';
import { MemoryStore } from '../../src/secrets/store.js';
import { apiKeyRecord, register } from './helpers.js';

describe('connection create when the API cannot be reached', () => {
  it('names --no-verify, not run’s --base-url (an option create does not have), and saves nothing', async () => {
    const home = tempHome();
    await register(home, apiKeyRecord()); // host api.example.invalid: never resolves
    const store = new MemoryStore();
    const r = await runCli(['connection', 'create', 'keyco', '--param-env', 'api_key=K'], {
      home,
      env: { K: 'k-123' },
      overrides: { secrets: async () => store },
    });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/^connector: .*api\.example\.invalid/);
    expect(r.stderr).toContain('--no-verify');
    expect(r.stderr).not.toContain('--base-url');
    expect((await runCli(['connection', 'list', '--json'], { home })).stdout).toBe('[]\n');
  });
});
