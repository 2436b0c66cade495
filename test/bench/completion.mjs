#!/usr/bin/env node
// Benchmark: shell completion at 1,000 connectors. Times `connector complete -- <words>` as the
// shell scripts call it (connector names, operation ids, parameter names, a command list) beside
// the floor `node -e 0` and a peer's completion endpoint (`npm completion`, when npm is on PATH),
// with the methodology of startup.mjs (interleaved rounds, lib.mjs). The home is generated here:
// one spec imported through the CLI, its record copied to 1,000 names (index.json + records),
// each connector 40 operations of 6 parameters; the one completed against has 400 operations.
//   node test/bench/completion.mjs     (needs `npm run build`; BENCH_RUNS=40 by default)
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, check, die, header, measureAll, requireBuilt, say, table } from './lib.mjs';

requireBuilt();
const CONNECTORS = Number(process.env.BENCH_CONNECTORS ?? 1000);
const work = mkdtempSync(join(tmpdir(), 'connector-bench-completion-'));
const home = join(work, 'home');

function spec(title, operations) {
  const paths = {};
  for (let i = 0; i < operations; i++) {
    paths[`/things${i}/{id}`] = {
      get: {
        operationId: `GetThing${i}`,
        summary: `Get thing ${i}`,
        parameters: [
          { name: 'id', in: 'path', required: true, type: 'string', 'x-ms-summary': 'Thing id' },
          { name: 'status', in: 'query', type: 'string', enum: ['open', 'closed', 'all'] },
          { name: 'expand', in: 'query', type: 'boolean' },
          { name: 'top', in: 'query', type: 'integer' },
          { name: 'filter', in: 'query', type: 'string', description: 'OData filter' },
          { name: 'X-Trace', in: 'header', type: 'string' },
        ],
        responses: { 200: { description: 'ok', schema: { type: 'object', properties: { id: { type: 'string' }, name: { type: 'string' } } } } },
      },
    };
  }
  return {
    swagger: '2.0',
    info: { title, version: '1.0' },
    host: 'api.example.com',
    basePath: '/v1',
    schemes: ['https'],
    securityDefinitions: { api_key: { type: 'apiKey', in: 'header', name: 'X-Api-Key' } },
    security: [{ api_key: [] }],
    paths,
  };
}

const env = { ...process.env, CONNECTOR_HOME: home, CONNECTOR_CACHE_DIR: join(work, 'cache'), NO_COLOR: '1' };
function importSpec(name, operations) {
  const file = join(work, `${name}.json`);
  writeFileSync(file, JSON.stringify(spec(`Bench ${name}`, operations)));
  const r = spawnSync(process.execPath, [BIN, 'import', file, '--name', name], { env, encoding: 'utf8' });
  if (r.status !== 0) die(`import failed: ${r.stderr}`);
}

try {
  say(`generating a home with ${CONNECTORS} connectors in ${home}`);
  importSpec('big', 400);
  importSpec('c0000', 40);
  const index = JSON.parse(readFileSync(join(home, 'index.json'), 'utf8'));
  const record = readFileSync(join(home, 'connectors', 'c0000.json'), 'utf8');
  mkdirSync(join(home, 'connectors'), { recursive: true });
  for (let i = 1; i < CONNECTORS - 1; i++) {
    const name = `c${String(i).padStart(4, '0')}`;
    writeFileSync(join(home, 'connectors', `${name}.json`), record.replace('"name":"c0000"', `"name":"${name}"`));
    index.connectors[name] = { ...index.connectors.c0000, name, title: `Bench ${name}` };
  }
  writeFileSync(join(home, 'index.json'), JSON.stringify(index, null, 1));
  const count = Object.keys(JSON.parse(readFileSync(join(home, 'index.json'), 'utf8')).connectors).length;
  if (count !== CONNECTORS) die(`expected ${CONNECTORS} connectors, the index has ${count}`);

  const complete = (label, words, expect) => {
    const argv = [process.execPath, BIN, 'complete', '--', ...words];
    check(argv, env, expect);
    return { label, argv, env };
  };
  const lines = (n) => (out) => out.trimEnd().split('\n').length - 1 === n;
  const specs = [
    { label: 'node -e 0', argv: [process.execPath, '-e', '0'] },
    { label: 'connector --version (start-up alone)', argv: [process.execPath, BIN, '--version'], env },
    complete('connector complete -- run <TAB> (1,000 names)', ['run', ''], lines(CONNECTORS)),
    complete('connector complete -- run c05 <TAB> (prefix)', ['run', 'c05'], lines(100)),
    complete('connector complete -- run big <TAB> (400 operation ids)', ['run', 'big', ''], lines(400)),
    complete('connector complete -- run big GetThing399 -p <TAB> (parameter names)', ['run', 'big', 'GetThing399', '-p', ''], lines(6)),
    complete('connector complete -- run big GetThing399 -p status=<TAB> (enum)', ['run', 'big', 'GetThing399', '-p', 'status='], lines(3)),
    complete('connector complete -- <TAB> (commands)', [''], (out) => out.includes('connection\t')),
  ];
  const npm = spawnSync('npm', ['--version'], { encoding: 'utf8' });
  if (npm.status === 0) {
    const npmEnv = { ...process.env, COMP_CWORD: '1', COMP_LINE: 'npm ', COMP_POINT: '4' };
    check(['npm', 'completion', '--', 'npm', ''], npmEnv, (out) => out.includes('install'));
    specs.push({ label: `npm completion -- npm <TAB> (peer, npm ${npm.stdout.trim()})`, argv: ['npm', 'completion', '--', 'npm', ''], env: npmEnv });
  } else say('no npm on PATH: no peer row');
  const rows = measureAll(specs);
  console.log(header());
  console.log('');
  console.log(table(rows, { baseline: 'node -e 0' }));
  const slowest = Math.max(...rows.filter((r) => r.label.startsWith('connector complete')).map((r) => r.median));
  console.log('');
  console.log(`slowest completion median: ${slowest.toFixed(1)} ms (target: under 150 ms at ${CONNECTORS} connectors)`);
} finally {
  if (process.env.BENCH_KEEP) say(`kept ${home}`);
  else rmSync(work, { recursive: true, force: true });
}
