#!/usr/bin/env node
// Benchmark: `connector list` with a registry of 1 connector vs 1,000 (target: within 1.5x).
// The registries are written directly in the on-disk format of src/registry/registry.ts
// (index.json + connectors/<name>.json), so this measures `list`, not `import`.
//   node test/bench/list.mjs        (needs `npm run build`; BENCH_RUNS, BENCH_WARMUP, BENCH_NO_HYPERFINE)
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, REPO, check, header, measureAll, requireBuilt, say, table } from './lib.mjs';

requireBuilt();
const definition = JSON.parse(readFileSync(join(REPO, 'fixtures', 'sample-api', 'apiDefinition.swagger.json'), 'utf8'));

function writeRegistry(home, n) {
  mkdirSync(join(home, 'connectors'), { recursive: true });
  const connectors = {};
  for (let i = 1; i <= n; i++) {
    const name = `bench-connector-${String(i).padStart(4, '0')}`;
    const title = `Bench Connector ${i}`;
    const importedAt = new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString();
    const source = { kind: 'file', location: `/tmp/specs/${name}.json` };
    const record = {
      name,
      title,
      version: '1.0.0',
      specFormat: 'swagger2',
      source,
      importedAt,
      definition: { ...definition, info: { ...definition.info, title } },
    };
    writeFileSync(join(home, 'connectors', `${name}.json`), JSON.stringify(record));
    connectors[name] = {
      name,
      title,
      version: '1.0.0',
      specFormat: 'swagger2',
      description: `Connector number ${i} of a generated registry`,
      host: definition.host,
      basePath: definition.basePath,
      publisher: 'bench',
      operationCount: 4,
      authKinds: ['apiKey'],
      source,
      importedAt,
      hasScript: false,
    };
  }
  writeFileSync(join(home, 'index.json'), JSON.stringify({ version: 1, connectors }, null, 1));
}

const root = mkdtempSync(join(tmpdir(), 'connector-bench-list-'));
process.on('exit', () => rmSync(root, { recursive: true, force: true }));
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130));

const specs = [];
for (const n of [1, 1000]) {
  const home = join(root, `home-${n}`);
  writeRegistry(home, n);
  const env = { ...process.env, CONNECTOR_HOME: home, NO_COLOR: '1' };
  check([process.execPath, BIN, 'list', '--json'], env, (out) => JSON.parse(out).length === n);
  specs.push({ label: `connector list (${n.toLocaleString('en-US')} connector${n > 1 ? 's' : ''})`, argv: [process.execPath, BIN, 'list'], env });
}
specs.push({ label: 'node -e 0', argv: [process.execPath, '-e', '0'] });
const rows = measureAll(specs);

const ratio = rows[1].median / rows[0].median;
say('');
console.log(header());
console.log('');
console.log(table(rows, { baseline: rows[0].label }));
console.log('');
console.log(`1,000 vs 1: ${ratio.toFixed(2)}x (target <= 1.5x) — ${ratio <= 1.5 ? 'OK' : 'OVER TARGET'}`);
