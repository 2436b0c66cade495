import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Registry } from '../../src/registry/registry.js';
import { VaultStore } from '../../src/secrets/vault.js';
import { runCli, tempHome } from '../helpers/cli.js';
import { apiKeySpec, BUILT, LONG, PASSPHRASE, rng, spawnCli, VAULT_ENV } from './crash-harness.js';

/**
 * Issue 15, "Concurrency": 20 connector processes at once on one home import, create,
 * delete and run, while a few more are killed mid-way (their stale locks must be broken
 * without breaking anyone else's): every write a process reported (exit 0) is there, every
 * deletion it reported is gone with its secret, every run reached the API with its key.
 * (One OAuth renewal per expiry across processes: test/oauth-cli/concurrent.test.ts.)
 * Short mode: 1 round; CONNECTOR_HARDENING=long: 5.
 */
if (!BUILT) console.warn('skipping the concurrency tests: dist/ is not built (npm test builds it)');

const ROUNDS = LONG ? 5 : 1;
let server: Server;
let host: string;
const seen: string[] = [];
beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(String(req.headers['x-key']));
    res.writeHead(req.headers['x-key'] === 'run-key' ? 200 : 401, { 'content-type': 'application/json' });
    res.end('{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  host = `127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe.skipIf(!BUILT)('20 processes on one home', () => {
  it('importing, creating, deleting and running at once (with kill -9s among them): 0 lost writes', async () => {
    const random = rng(20);
    const lost: string[] = [];
    const failed: string[] = [];
    let victims = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const home = tempHome('connector-conc-');
      const spec = join(home, 'src', 'api.json');
      mkdirSync(join(home, 'src'));
      writeFileSync(spec, apiKeySpec(host));
      const env = { ...VAULT_ENV, KEY: 'run-key' };
      expect((await runCli(['import', spec, '--name', 'api'], { home, env })).code).toBe(0);
      for (const n of ['keep', 'd1', 'd2', 'd3', 'd4', 'd5']) {
        const r = await runCli(['connection', 'create', 'api', '--name', n, '--no-verify', '--no-input', '--param-env', 'key=KEY'], { home, env });
        expect(r.code, r.stderr).toBe(0);
      }
      const jobs: { args: string[]; kill?: number }[] = [
        ...[1, 2, 3, 4, 5].map((i) => ({ args: ['import', spec, '--name', `i${i}`] })),
        ...[1, 2, 3, 4, 5].map((i) => ({ args: ['connection', 'create', 'api', '--name', `n${i}`, '--no-verify', '--no-input', '--param-env', 'key=KEY'] })),
        ...[1, 2, 3, 4, 5].map((i) => ({ args: ['connection', 'delete', `api/d${i}`, '--yes'] })),
        ...[1, 2, 3, 4, 5].map(() => ({ args: ['run', 'api', 'Ping', '-c', 'keep'] })),
        // Victims: killed while they may hold the registry or vault lock.
        ...[1, 2, 3, 4].map((i) => ({ args: ['import', spec, '--name', `v${i}`], kill: 300 + Math.floor(random() * 900) })),
      ];
      const results = await Promise.all(jobs.map((j) => spawnCli(home, j.args, { env, crash: j.kill ? { afterMs: j.kill } : undefined, timeoutMs: 60_000 })));
      const registry = new Registry(home);
      const vault = new VaultStore(home, async () => PASSPHRASE);
      const index = await registry.list();
      const conns = (await registry.connections()).map((c) => c.name);
      for (const [k, r] of results.entries()) {
        const { args, kill } = jobs[k];
        if (kill) {
          if (r.signal === 'SIGKILL') victims++;
          continue;
        }
        if (r.code !== 0) {
          failed.push(`${args.join(' ')} exited ${r.code ?? r.signal}: ${r.stderr.split('\n')[0]}`);
          continue;
        }
        if (args[0] === 'import' && !(index.some((s) => s.name === args[3]) && (await registry.get(args[3]).then(Boolean, () => false))))
          lost.push(`import ${args[3]}`);
        if (args[1] === 'create' && !(conns.includes(args[4]) && (await vault.get(`api/${args[4]}/key`)) === 'run-key')) lost.push(`create ${args[4]}`);
        if (args[1] === 'delete') {
          const name = args[2].split('/')[1];
          if (conns.includes(name)) lost.push(`delete ${name} (record kept)`);
          if ((await vault.get(`api/${name}/key`)) !== undefined) lost.push(`delete ${name} (secret kept)`);
        }
      }
      if (!conns.includes('keep') || (await vault.get('api/keep/key')) !== 'run-key') lost.push('the untouched connection keep');
    }
    console.log(`concurrency test: ${ROUNDS} round(s) of 20 processes + ${victims} killed, ${lost.length} lost writes, ${failed.length} failures`);
    expect(victims).toBeGreaterThan(0);
    expect(failed).toEqual([]);
    expect(lost).toEqual([]);
    expect(seen.length).toBeGreaterThanOrEqual(5 * ROUNDS);
    expect(seen.every((k) => k === 'run-key')).toBe(true);
  }, 300_000);
});
