#!/usr/bin/env node
// Benchmark (issue 10 point 6): `connector test` on workload c of ../shared/bench (200 requests:
// 50 blocks of GET /pet/{id}, GET /pet/{id}, GET findByStatus, POST /pet) against newman (the
// bench's collection), Bruno CLI, curl in one process (-K) and `node -e 0`, interleaved in one run.
// Every tool's run is checked first: 200 requests, all 200, one TCP connection (server counters).
// Targets: >= 10x faster than newman, >= 3x faster than Bruno, within 4x of curl, peak RSS <= 100 MB.
//   npm install --prefix /tmp/peers newman@6 openapi-to-postmanv2@6 @usebruno/cli@4.1.0   # once
//   npm run build && node test/bench/suite.mjs
// Env: BENCH_DIR (../shared/bench), BENCH_PEERS (/tmp/peers), BENCH_KEY, BENCH_RUNS (15 here),
// BENCH_WARMUP, BENCH_RSS_RUNS, BENCH_KEEP=1 (keep the work dir), CONNECTOR_BIN.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

process.env.BENCH_RUNS ??= '15'; // a newman and a Bruno run cost ~2-3 s each: 40 rounds would take ~8 min
const { BIN, REPO, die, header, measureAll, pairedRatio, requireBuilt, say } = await import('./lib.mjs');

const BENCH = process.env.BENCH_DIR ?? join(REPO, '..', 'shared', 'bench');
const PEERS = process.env.BENCH_PEERS ?? '/tmp/peers';
const KEY = process.env.BENCH_KEY ?? 'bench-key';
const N = 200;
if (!existsSync(join(BENCH, 'server.mjs')) || !existsSync(join(BENCH, 'harness.mjs'))) die(`suite.mjs: no shared bench in ${BENCH} (set BENCH_DIR)`, 2);
const newman = join(PEERS, 'node_modules', '.bin', 'newman');
const bru = join(PEERS, 'node_modules', '.bin', 'bru');
if (!existsSync(newman) || !existsSync(bru) || !existsSync(join(PEERS, 'node_modules', 'openapi-to-postmanv2')))
  die(`suite.mjs: peers missing under ${PEERS}: npm install --prefix ${PEERS} newman@6 openapi-to-postmanv2@6 @usebruno/cli@4.1.0`, 2);
requireBuilt();

// ---- the workload: the same list harness.mjs's mix200() builds (checked against its curl config below)
const STATUSES = ['available', 'pending', 'sold'];
const ops = [];
for (let i = 0; i < 50; i++) {
  ops.push({ op: 'getPetById', petId: 2 * i + 1 });
  ops.push({ op: 'getPetById', petId: 2 * i + 2 });
  ops.push({ op: 'findPetsByStatus', status: STATUSES[i % 3] });
  const body = { name: `bench-${i}`, category: { id: 1, name: 'dogs' }, photoUrls: [], tags: [{ id: i, name: `t${i}` }], status: STATUSES[i % 3] };
  ops.push({ op: 'addPet', body: JSON.stringify(body) });
}
const path = (o) => (o.op === 'getPetById' ? `/pet/${o.petId}` : o.op === 'findPetsByStatus' ? `/pet/findByStatus?status=${o.status}` : '/pet');

// ---- server with its counters (SIGUSR2 prints and resets them on stderr) -------------------
const work = mkdtempSync(join(tmpdir(), 'connector-bench-suite-'));
const server = spawn(process.execPath, [join(BENCH, 'server.mjs')], {
  env: { ...process.env, BENCH_KEY: KEY, BENCH_WATCH_PARENT: '1' },
  stdio: ['ignore', 'pipe', 'pipe'],
});
process.on('exit', () => {
  server.kill();
  if (process.env.BENCH_KEEP) say(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130));
const lines = (stream) => {
  const queue = [];
  const waiting = [];
  createInterface({ input: stream }).on('line', (l) => (waiting.length ? waiting.shift()(l) : queue.push(l)));
  return () => (queue.length ? Promise.resolve(queue.shift()) : new Promise((r) => waiting.push(r)));
};
const nextOut = lines(server.stdout);
const nextErr = lines(server.stderr);
const first = await Promise.race([nextOut(), new Promise((r) => setTimeout(() => r(''), 10_000))]);
const port = /"port":(\d+)/.exec(first)?.[1];
if (!port) die('suite.mjs: the bench server did not print its port');
/** The server's counters since the last call: { requests, connections, codes }. */
async function counters() {
  server.kill('SIGUSR2');
  return JSON.parse(await nextErr());
}
const base = `http://127.0.0.1:${port}/v2`;
say(`bench server on 127.0.0.1:${port} (pid ${server.pid}); work dir ${work}`);

// ---- newman and curl: the bench's own generation -----------------------------------------
const gen = spawnSync(
  process.execPath,
  [join(BENCH, 'harness.mjs'), 'gen', '--spec', join(BENCH, 'petstore.swagger.json'), '--port', port, '--key', KEY, '--out', work],
  { env: { ...process.env, BENCH_DEPS: PEERS }, encoding: 'utf8' },
);
if (gen.status !== 0) die(`harness gen failed: ${gen.stderr}`);
// Same URLs, bodies and order as the bench: read them back from its curl config.
const rc = readFileSync(join(work, 'mix200.curlrc'), 'utf8');
const unq = (s) => JSON.parse(s); // the harness writes "…" with \\ and \" escapes only
const rcUrls = [...rc.matchAll(/^url = (".*")$/gm)].map((m) => unq(m[1]));
const rcBodies = [...rc.matchAll(/^data-raw = (".*")$/gm)].map((m) => unq(m[1]));
const want = ops.map((o) => base + path(o));
if (
  rcUrls.join('\n') !== want.join('\n') ||
  rcBodies.join('\n') !==
    ops
      .filter((o) => o.body)
      .map((o) => o.body)
      .join('\n')
)
  die('suite.mjs: the workload differs from harness.mjs mix200 (URLs or bodies)');

// ---- connector: a spec copy with the real port, a throw-away home, the key from the environment
const name = 'bench-petstore';
const env = {
  ...process.env,
  CONNECTOR_HOME: join(work, 'home'),
  CONNECTOR_CACHE_DIR: join(work, 'cache'),
  NO_COLOR: '1',
  [`CONNECTOR_${name.toUpperCase().replace(/-/g, '_')}__DEFAULT__API_KEY`]: KEY,
};
const imp = spawnSync(process.execPath, [BIN, 'import', join(work, 'petstore.swagger.json'), '--name', name], { env, encoding: 'utf8' });
if (imp.status !== 0) die(`connector import failed: ${imp.stderr}`);
const yamlStep = (o) => {
  const head = `  - operation: ${o.op}\n`;
  const expect = '    expect: { status: 200 }\n';
  if (o.op === 'getPetById') return `${head}    params: { petId: ${o.petId} }\n${expect}`;
  if (o.op === 'findPetsByStatus') return `${head}    params: { status: ${o.status} }\n${expect}`;
  return `${head}    body: ${o.body}\n${expect}`; // JSON is YAML: the body is sent with these bytes
};
writeFileSync(join(work, 'suite.yaml'), `name: bench mix200\nconnector: ${name}\nsteps:\n${ops.map(yamlStep).join('')}`);

// ---- Bruno: a collection folder, one .bru file per request, the key in an env file --------
const bdir = join(work, 'bruno');
mkdirSync(join(bdir, 'environments'), { recursive: true });
writeFileSync(join(bdir, 'bruno.json'), JSON.stringify({ version: '1', name: 'bench mix200', type: 'collection' }));
writeFileSync(join(bdir, 'environments', 'bench.bru'), `vars {\n  baseUrl: ${base}\n  apiKey: ${KEY}\n}\n`, { mode: 0o600 });
ops.forEach((o, i) => {
  const n = String(i + 1).padStart(3, '0');
  const post = o.op === 'addPet';
  const text = [
    `meta {\n  name: ${n} ${o.op}\n  type: http\n  seq: ${i + 1}\n}\n`,
    `${post ? 'post' : 'get'} {\n  url: {{baseUrl}}${path(o)}\n  body: ${post ? 'json' : 'none'}\n  auth: none\n}\n`,
    `headers {\n  api_key: {{apiKey}}\n  Accept: application/json\n${post ? '  Content-Type: application/json\n' : ''}}\n`,
    post ? `body:json {\n  ${o.body}\n}\n` : '',
    'assert {\n  res.status: eq 200\n}\n',
  ];
  writeFileSync(join(bdir, `${n}.bru`), text.filter(Boolean).join('\n'));
});

// ---- the commands ------------------------------------------------------------------------
const connectorArgv = [process.execPath, BIN, 'test', join(work, 'suite.yaml')]; // pretty reporter (stderr): a line per step, as peers print
const connectorJsonArgv = [...connectorArgv, '--reporter', `json=/dev/null`];
const connectorParallelArgv = [...connectorArgv, '--concurrency', '8'];
const newmanArgv = [newman, 'run', join(work, 'mix200.postman.json'), '-e', join(work, 'newman.env.json')];
// --cache-ssl-session: else Bruno opens a new connection per request (it also caches the plain-HTTP agent).
// --sandbox developer: the default "safe" sandbox loads its QuickJS WASM module asynchronously and
// Bruno 4.1.0 does not await it, so when the first response comes back quickly its assertions throw
// "Cannot read properties of undefined (reading 'newContext')" (about 1 run in 12 here), exit 1.
const bruArgv = [bru, 'run', '--env', 'bench', '--cache-ssl-session', '--sandbox', 'developer'];
const bruFreshArgv = [bru, 'run', '--env', 'bench', '--sandbox', 'developer'];
const curlArgv = ['curl', '-K', join(work, 'mix200.curlrc')];

// The floor for any Node client: a bare CommonJS script sending the same 200 requests with node:http
// over one keep-alive socket, checking each status and parsing each body.
writeFileSync(
  join(work, 'node-http.cjs'),
  `const http = require('node:http');
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const ops = ${JSON.stringify(ops.map((o) => [o.op === 'addPet' ? 'POST' : 'GET', `/v2${path(o)}`, o.body]))};
(async () => {
  for (const [method, path, body] of ops) {
    await new Promise((resolve, reject) => {
      const headers = { api_key: process.env.BENCH_KEY, accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) };
      const req = http.request({ host: '127.0.0.1', port: ${port}, path, method, agent, headers }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          if (res.statusCode !== 200) process.exit(1);
          JSON.parse(Buffer.concat(chunks).toString('utf8'));
          resolve();
        });
      });
      req.on('error', reject);
      req.end(body);
    });
  }
  agent.destroy();
})();
`,
);
const floorArgv = [process.execPath, join(work, 'node-http.cjs')];

// ---- checks (untimed): each tool's own report, then the server's counters -----------------
const fail = (what, msg) => die(`check failed, ${what}: ${msg}`);
const run = (argv, opts = {}) => spawnSync(argv[0], argv.slice(1), { env, encoding: 'utf8', maxBuffer: 64 << 20, ...opts });
const sameRequests = (what, got) => {
  if (got.join('\n') !== want.join('\n')) fail(what, `requests differ from the workload (first: ${got.find((u, i) => u !== want[i])})`);
};
const echoed = (what, bodies) => {
  // The server echoes a POST body with an id added: the bodies sent were the workload's.
  const sent = bodies.map((b) => {
    const { id, ...rest } = typeof b === 'string' ? JSON.parse(b) : b;
    return JSON.stringify(rest);
  });
  if (sent.join('\n') !== rcBodies.join('\n')) fail(what, 'POST bodies differ from the workload');
};
const checks = [];
async function verify(label, argv, report, opts) {
  await counters(); // reset
  const r = run(argv, opts);
  const c = await counters();
  if (r.status !== 0) fail(label, `exit ${r.status}\n${r.stderr.slice(-2000)}`);
  report(r);
  const codes = JSON.stringify(c.codes);
  const note = `${c.requests} requests, ${c.connections} TCP connection(s), codes ${codes}`;
  if (c.requests !== N || codes !== JSON.stringify({ 200: N })) fail(label, note);
  checks.push({ label, connections: c.connections, note });
  say(`check ${label}: ${note}`);
  return c.connections;
}

await verify('connector test', [...connectorArgv, '--reporter', 'pretty', '--reporter', `json=${join(work, 'connector.json')}`], (r) => {
  const steps = JSON.parse(readFileSync(join(work, 'connector.json'), 'utf8')).suites[0].steps;
  if (steps.length !== N || steps.some((s) => s.status !== 'passed' || s.response?.status !== 200)) fail('connector test', 'not 200 passed steps');
  if (!r.stderr.trimEnd().endsWith(`${N} passed, 0 failed`)) fail('connector test', `closing line: ${r.stderr.trimEnd().split('\n').pop()}`);
  sameRequests(
    'connector test',
    steps.map((s) => s.request.url),
  );
  echoed(
    'connector test',
    steps.filter((s) => s.request.method === 'POST').map((s) => s.response.excerpt),
  );
});
await verify('connector test --reporter json', connectorJsonArgv, () => {});
// Eight in flight: the same 200 requests (reported in suite order), over at most eight kept-alive connections.
const parallelConns = await verify('connector test --concurrency 8', [...connectorParallelArgv, '--reporter', `json=${join(work, 'parallel.json')}`], () => {
  const steps = JSON.parse(readFileSync(join(work, 'parallel.json'), 'utf8')).suites[0].steps;
  if (steps.length !== N || steps.some((s) => s.status !== 'passed')) fail('connector test --concurrency 8', 'not 200 passed steps');
  sameRequests(
    'connector test --concurrency 8',
    steps.map((s) => s.request.url),
  );
});
if (parallelConns > 8) fail('connector test --concurrency 8', `${parallelConns} connections`);
await verify('newman', [...newmanArgv, '--reporters', 'json', '--reporter-json-export', join(work, 'newman.json')], () => {
  const c = run([process.execPath, join(BENCH, 'harness.mjs'), 'check-newman', join(work, 'newman.json'), String(N)]);
  if (c.status !== 0) fail('newman', c.stderr);
  const ex = JSON.parse(readFileSync(join(work, 'newman.json'), 'utf8')).run.executions;
  sameRequests(
    'newman',
    ex.map((e) =>
      decodeURI(
        `${e.request.url.protocol}://${e.request.url.host.join('.')}:${e.request.url.port}/${e.request.url.path.join('/')}${e.request.url.query?.length ? `?${e.request.url.query.map((q) => `${q.key}=${q.value}`).join('&')}` : ''}`,
      ),
    ),
  );
});
for (const [label, argv] of [
  ['bru run --cache-ssl-session', bruArgv],
  ['bru run (no --cache-ssl-session)', bruFreshArgv],
]) {
  await verify(
    label,
    [...argv, '--reporter-json', join(work, 'bru.json')],
    () => {
      const res = JSON.parse(readFileSync(join(work, 'bru.json'), 'utf8'))[0].results;
      const bad = res.filter((x) => x.response?.status !== 200 || x.assertionResults?.some((a) => a.status !== 'pass'));
      if (res.length !== N || bad.length) fail(label, `${res.length} results, ${bad.length} not 200 or failed assertions`);
      sameRequests(
        label,
        res.map((x) => x.request.url),
      );
      echoed(
        label,
        res.filter((x) => x.request.method === 'POST').map((x) => x.response.data),
      );
    },
    { cwd: bdir },
  );
}
await verify('bare node:http script', floorArgv, () => {}, { env: { ...env, BENCH_KEY: KEY } });
await verify('curl -K', curlArgv, (r) => {
  const out = r.stdout.trim().split('\n');
  if (out.length !== N || out.some((l) => !l.startsWith('200 '))) fail('curl', `${out.length} lines, not all 200`);
});
for (const c of checks)
  if (c.connections !== 1 && c.label !== 'bru run (no --cache-ssl-session)') say(`NOTE: ${c.label} used ${c.connections} TCP connections, not 1`);

// ---- timing: interleaved rounds, then peak RSS ---------------------------------------------
const specs = [
  { label: 'node -e 0', argv: [process.execPath, '-e', '0'], conns: 0 },
  { label: 'connector test (pretty to /dev/null)', argv: connectorArgv },
  { label: 'connector test --reporter json=/dev/null', argv: connectorJsonArgv },
  { label: 'connector test --concurrency 8', argv: connectorParallelArgv, conns: parallelConns },
  { label: 'newman run (cli reporter)', argv: newmanArgv },
  { label: 'bru run --cache-ssl-session --sandbox developer (1 connection)', argv: bruArgv, cwd: bdir },
  { label: 'bru run --sandbox developer (a connection per request)', argv: bruFreshArgv, cwd: bdir, conns: N },
  { label: 'curl -K (1 process)', argv: curlArgv },
  { label: 'bare node:http script (floor for a Node client)', argv: floorArgv, env: { ...env, BENCH_KEY: KEY } },
].map((s) => ({ env, conns: 1, ...s }));
await counters();
const rows = measureAll(specs);
const after = await counters();
const runs = Number(process.env.BENCH_WARMUP ?? 3) + Number(process.env.BENCH_RUNS) + Number(process.env.BENCH_RSS_RUNS ?? 5);
const wantConns = specs.reduce((s, x) => s + x.conns * runs, 0);
const wantReqs = specs.filter((s) => s.conns).length * runs * N;
const afterNote = `after timing: ${after.requests} requests (expected ${wantReqs}), ${after.connections} connections (expected ${wantConns}), codes ${JSON.stringify(after.codes)}`;
if (after.requests !== wantReqs || Object.keys(after.codes).join() !== '200') die(`suite.mjs: ${afterNote}`);
say(afterNote);

// ---- the table ---------------------------------------------------------------------------
const by = (label) => rows.find((r) => r.label.startsWith(label));
const newmanRow = by('newman');
const bruRow = by('bru run --cache');
const curlRow = by('curl');
const x = (r, b) => `${(b.median / r.median).toFixed(2)}x`; // how many times faster than b (medians)
const px = (r, b) => `${(1 / pairedRatio(r, b)).toFixed(2)}x`; // the same, median of per-round ratios
const out = [
  `${header()}; workload c: ${N} requests (100 GET /pet/{id}, 50 findByStatus, 50 POST), every response checked; ratio = the other tool's time / this one's (higher: this one is faster)`,
  '',
  '| command | median wall ms | min-max ms | vs newman (medians / per round) | vs Bruno 1 conn (medians / per round) | vs curl (medians / per round) | peak RSS MB |',
  '|---|---:|---:|---:|---:|---:|---:|',
  ...rows.map(
    (r) =>
      `| ${r.label} | ${r.median.toFixed(1)} | ${r.min.toFixed(1)}-${r.max.toFixed(1)} | ${x(r, newmanRow)} / ${px(r, newmanRow)} | ${x(r, bruRow)} / ${px(r, bruRow)} | ${x(r, curlRow)} / ${px(r, curlRow)} | ${r.rss?.toFixed(1) ?? '-'} |`,
  ),
  '',
  ...checks.map((c) => `- check ${c.label}: ${c.note}`),
  `- ${afterNote}`,
  '',
];
const c = by('connector test (pretty');
const verdict = (ok, text) => `- ${ok ? 'met' : 'MISSED'}: ${text}`;
out.push(
  verdict(1 / pairedRatio(c, newmanRow) >= 10, `>= 10x faster than newman: ${px(c, newmanRow)} per round`),
  verdict(1 / pairedRatio(c, bruRow) >= 3, `>= 3x faster than Bruno: ${px(c, bruRow)} per round`),
  verdict(pairedRatio(c, curlRow) <= 4, `within 4x of curl: ${pairedRatio(c, curlRow).toFixed(2)}x curl's time per round`),
  verdict(c.rss !== undefined && c.rss <= 100, `peak RSS <= 100 MB: ${c.rss?.toFixed(1) ?? '?'} MB`),
  verdict(
    pairedRatio(by('connector test --concurrency 8'), c) < 1,
    `--concurrency 8 faster than sequential: ${pairedRatio(by('connector test --concurrency 8'), c).toFixed(2)}x its time per round`,
  ),
);
console.log(out.join('\n'));
process.exit(0); // the server and its readers keep the event loop alive; 'exit' cleans up
