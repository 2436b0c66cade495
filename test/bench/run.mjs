#!/usr/bin/env node
// Benchmark: one `connector run` GET on loopback vs curl, `node -e 0` and (when installed)
// newman, on the shared workload in ../shared/bench (server.mjs + petstore.swagger.json).
// Whole-process wall time (median) and peak RSS. Targets: connector <= 1.5x `node -e 0`, < 80 MB.
//   node test/bench/run.mjs   (needs `npm run build`)
// Env: BENCH_DIR (default ../shared/bench), BENCH_KEY, BENCH_DEPS (/tmp/benchdeps: newman +
// openapi-to-postmanv2, optional), BENCH_SECRET_STORE (keychain|vault; default: the keychain,
// inside a private D-Bus session with gnome-keyring when none is reachable, else the vault),
// BENCH_RUNS, BENCH_WARMUP, BENCH_RSS_RUNS, CONNECTOR_BIN.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { BIN, REPO, check, die, header, measureAll, pairedRatio, requireBuilt, say, table } from './lib.mjs';

const BENCH = process.env.BENCH_DIR ?? join(REPO, '..', 'shared', 'bench');
if (!existsSync(join(BENCH, 'server.mjs')) || !existsSync(join(BENCH, 'petstore.swagger.json'))) {
  die(`run.mjs: the shared bench workload is absent: expected server.mjs and petstore.swagger.json in ${BENCH} (set BENCH_DIR)`, 2);
}
requireBuilt();

const KEY = process.env.BENCH_KEY ?? 'bench-key';
const DEPS = process.env.BENCH_DEPS ?? '/tmp/benchdeps';

// ---- secret store: measure the real path (the OS keychain) whenever possible -------
function keychainWorks() {
  const probe = `const { Entry } = await import('@napi-rs/keyring'); const e = new Entry('connector-cli', 'bench-probe/${randomBytes(4).toString('hex')}');
    e.setPassword('x'); const ok = e.getPassword() === 'x'; e.deletePassword(); process.exit(ok ? 0 : 1);`;
  return spawnSync(process.execPath, ['--input-type=module', '-e', probe], { cwd: REPO, stdio: 'ignore', timeout: 3000 }).status === 0;
}
const onPath = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

let store = process.env.BENCH_SECRET_STORE;
if (!store) {
  if (keychainWorks()) store = 'keychain';
  else if (!process.env.BENCH_IN_DBUS && onPath('dbus-run-session') && onPath('gnome-keyring-daemon')) {
    say('run.mjs: no keychain reachable; re-running inside a private D-Bus session with gnome-keyring');
    const home = mkdtempSync(join(tmpdir(), 'connector-bench-keyring-'));
    const r = spawnSync(
      'dbus-run-session',
      [
        '--',
        'sh',
        '-c',
        'printf %s bench | gnome-keyring-daemon --unlock --components=secrets >/dev/null && exec "$@"',
        'sh',
        process.execPath,
        fileURLToPath(import.meta.url),
      ],
      {
        stdio: 'inherit',
        env: { ...process.env, HOME: home, BENCH_IN_DBUS: '1' },
      },
    );
    // gnome-keyring-daemon may still flush its files for a moment after the bus closes.
    rmSync(home, { recursive: true, force: true });
    await new Promise((resolve) => setTimeout(resolve, 500));
    rmSync(home, { recursive: true, force: true });
    process.exit(r.status ?? 1);
  } else store = 'vault';
}

// ---- server, work dir, clean-up ---------------------------------------------------
const work = mkdtempSync(join(tmpdir(), 'connector-bench-run-'));
const server = spawn(process.execPath, [join(BENCH, 'server.mjs')], {
  env: { ...process.env, BENCH_KEY: KEY, BENCH_WATCH_PARENT: '1' },
  stdio: ['ignore', 'pipe', 'ignore'],
});
const name = `connector-bench-${randomBytes(3).toString('hex')}`;
const env = {
  ...process.env,
  CONNECTOR_HOME: join(work, 'home'),
  CONNECTOR_SECRET_STORE: store,
  CONNECTOR_VAULT_PASSPHRASE: store === 'vault' ? 'bench-passphrase' : process.env.CONNECTOR_VAULT_PASSPHRASE,
  BENCH_KEY: KEY,
  NO_COLOR: '1',
};
let connected = false;
process.on('exit', () => {
  if (connected) spawnSync(process.execPath, [BIN, 'connection', 'delete', `${name}/default`, '--yes'], { env, stdio: 'ignore' });
  server.kill();
  rmSync(work, { recursive: true, force: true });
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130));

const first = await Promise.race([
  new Promise((resolve) => createInterface({ input: server.stdout }).once('line', resolve)),
  new Promise((resolve) => setTimeout(() => resolve(''), 10_000)),
]);
const port = /"port":(\d+)/.exec(first)?.[1];
if (!port) die('run.mjs: the bench server did not print its port');
say(`bench server on 127.0.0.1:${port} (pid ${server.pid}); secrets: ${store}; work dir ${work}`);

const spec = JSON.parse(readFileSync(join(BENCH, 'petstore.swagger.json'), 'utf8'));
spec.host = `127.0.0.1:${port}`;
writeFileSync(join(work, 'petstore.swagger.json'), JSON.stringify(spec, null, 2));
writeFileSync(
  join(work, 'one.curlrc'),
  `url = "http://127.0.0.1:${port}/v2/pet/1"\nheader = "api_key: ${KEY}"\nheader = "Accept: application/json"\nsilent\nfail\n`,
  { mode: 0o600 },
);

// ---- set-up and correctness checks (untimed) ----------------------------------------
const isPet1 = (out) => {
  try {
    return JSON.parse(out).id === 1;
  } catch {
    return false;
  }
};
check([process.execPath, BIN, 'import', join(work, 'petstore.swagger.json'), '--name', name], env);
connected = true;
check([process.execPath, BIN, 'connection', 'create', name, '--param-env', 'api_key=BENCH_KEY', '--no-input', '--no-verify'], env);
const runArgv = [process.execPath, BIN, 'run', name, 'getPetById', '-p', 'petId=1'];
check(runArgv, env, isPet1);
const curlArgv = ['curl', '-K', join(work, 'one.curlrc')];
// The floor for any Node HTTP client: a bare CommonJS script doing the same GET with node:http.
writeFileSync(
  join(work, 'node-http.cjs'),
  `require('node:http').get({ host: '127.0.0.1', port: ${port}, path: '/v2/pet/1', headers: { api_key: process.env.BENCH_KEY, accept: 'application/json' } }, (res) => res.pipe(process.stdout));\n`,
);
const floorArgv = [process.execPath, join(work, 'node-http.cjs')];
check(curlArgv, env, isPet1);
check(floorArgv, env, isPet1);

let newmanArgv;
const newman = join(DEPS, 'node_modules', '.bin', 'newman');
if (existsSync(newman) && existsSync(join(DEPS, 'node_modules', 'openapi-to-postmanv2', 'package.json'))) {
  check([process.execPath, join(BENCH, 'harness.mjs'), 'gen', '--spec', join(BENCH, 'petstore.swagger.json'), '--port', port, '--key', KEY, '--out', work], {
    ...env,
    BENCH_DEPS: DEPS,
  });
  newmanArgv = [newman, 'run', join(work, 'one.postman.json'), '-e', join(work, 'newman.env.json')];
  check(newmanArgv, env);
} else say(`run.mjs: newman not installed under ${DEPS} (npm install --prefix ${DEPS} newman@6 openapi-to-postmanv2@6); skipping it`);

// ---- measurements -------------------------------------------------------------------
// The CI path: the key comes from CONNECTOR_<K>__<C>__<PARAM>, so no secret store is opened.
const ciEnv = { ...env, [`CONNECTOR_${name.toUpperCase().replace(/-/g, '_')}__DEFAULT__API_KEY`]: KEY };
check(runArgv, ciEnv, isPet1);
const specs = [
  { label: 'node -e 0', argv: [process.execPath, '-e', '0'], env },
  { label: `connector run (1 GET, key in ${store})`, argv: runArgv, env },
  { label: 'connector run (1 GET, key from env)', argv: runArgv, env: ciEnv },
  { label: 'curl (1 GET)', argv: curlArgv, env },
  { label: 'bare node:http script (1 GET)', argv: floorArgv, env },
];
if (newmanArgv) specs.push({ label: 'newman (1 GET)', argv: newmanArgv, env });
const rows = measureAll(specs);

const floor = rows[0];
console.log(header() + `; connector secrets in: ${store}`);
console.log('');
console.log(table(rows, { baseline: 'node -e 0' }));
console.log('');
for (const c of rows.slice(1, 3)) {
  console.log(
    `${c.label}: ${(c.median / floor.median).toFixed(2)}x node -e 0 by medians, ${pairedRatio(c, floor).toFixed(2)}x per round (target <= 1.5x); peak ${c.rss?.toFixed(1) ?? '?'} MB (target < 80 MB)`,
  );
}
process.exit(0); // the bench server and its stdout reader would keep the event loop alive; 'exit' cleans up
