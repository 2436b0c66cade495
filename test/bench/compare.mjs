#!/usr/bin/env node
// Benchmark: this build against another one (BENCH_BASE_BIN, e.g. a checkout of the previous
// landing built with `npm run build`), interleaved in one run, so a refactor's cost on start-up
// and on the run path is measured side by side rather than against last week's numbers.
//   BENCH_BASE_BIN=/path/to/old/bin/connector.js node test/bench/compare.mjs
// Commands: --version, --help, `list` (one connector), and `run ... --dry-run` (operation lookup,
// request building, the context: everything but the network).
import { mkdtempSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, REPO, die, header, measureAll, requireBuilt, say, table } from './lib.mjs';

requireBuilt();
const BASE = process.env.BENCH_BASE_BIN;
if (!BASE) die('compare.mjs: set BENCH_BASE_BIN to the bin/connector.js of the build to compare with', 2);

const home = mkdtempSync(join(tmpdir(), 'connector-compare-'));
// The CI path: the API key from the environment, no secret store read.
const env = {
  PATH: process.env.PATH,
  HOME: home,
  CONNECTOR_HOME: join(home, 'registry'),
  NO_COLOR: '1',
  CONNECTOR_CACHE_DIR: join(home, 'cache'),
  CONNECTOR_PETS_DEFAULT_API_KEY: 'bench-key',
};
const spec = join(REPO, 'fixtures', 'specs', 'petstore.swagger.json');
const imp = spawnSync(process.execPath, [BIN, 'import', spec, '--name', 'pets'], { env, encoding: 'utf8' });
if (imp.status !== 0) die(`import failed: ${imp.stderr}`);
try {
  const cases = [['--version'], ['--help'], ['list'], ['run', 'pets', 'getPetById', '-p', 'petId=1', '--dry-run']];
  const specs = [{ label: 'node -e 0', argv: [process.execPath, '-e', '0'], env }];
  for (const args of cases) {
    for (const [who, bin] of [
      ['base', BASE],
      ['this', BIN],
    ]) {
      const r = spawnSync(process.execPath, [bin, ...args], { env, encoding: 'utf8' });
      if (r.status !== 0) die(`${who}: connector ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
      specs.push({ label: `${who}: connector ${args.join(' ')}`, argv: [process.execPath, bin, ...args], env });
    }
  }
  const rows = measureAll(specs);
  console.log(`${header()}\nthis build: ${BIN}\nbase: ${BASE}\n`);
  console.log(table(rows, { baseline: 'node -e 0' }));
  say('');
} finally {
  rmSync(home, { recursive: true, force: true });
}
