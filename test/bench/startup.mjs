#!/usr/bin/env node
// Benchmark: `connector --help` and `connector --version` wall time vs `node -e 0`, and a
// check that --help loads none of the heavy packages (undici, @apidevtools/swagger-parser,
// @inquirer/prompts, yaml, ajv). The check records every module the process loads: ESM
// through a module.register() resolve hook, CommonJS through require.cache at exit.
// (test/demo/lazy.test.ts pins the same property from the sources under vitest.)
//   node test/bench/startup.mjs     (needs `npm run build`; CONNECTOR_BIN to use another build)
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BIN, die, header, measureAll, requireBuilt, say, table } from './lib.mjs';

requireBuilt();
export const HEAVY = ['undici', '@apidevtools/swagger-parser', '@inquirer/prompts', 'yaml', 'ajv'];

/** Every module file a run of `args` loads (file URLs and paths). */
export function loadedModules(args) {
  const dir = mkdtempSync(join(tmpdir(), 'connector-startup-'));
  try {
    const log = join(dir, 'loaded.txt');
    writeFileSync(
      join(dir, 'hooks.mjs'),
      `
      import { appendFileSync } from 'node:fs';
      export async function resolve(specifier, context, next) {
        const r = await next(specifier, context);
        appendFileSync(${JSON.stringify(log)}, r.url + '\\n');
        return r;
      }`,
    );
    writeFileSync(
      join(dir, 'preload.mjs'),
      `
      import { register, createRequire } from 'node:module';
      import { appendFileSync } from 'node:fs';
      register(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)});
      const require = createRequire(import.meta.url);
      process.on('exit', () => appendFileSync(${JSON.stringify(log)}, Object.keys(require.cache).join('\\n') + '\\n'));`,
    );
    const r = spawnSync(process.execPath, ['--import', pathToFileURL(join(dir, 'preload.mjs')).href, BIN, ...args], {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });
    if (r.status !== 0) die(`connector ${args.join(' ')} exited with ${r.status}: ${r.stderr}`);
    return existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : [];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const heavyIn = (mods) => HEAVY.filter((p) => mods.some((m) => m.includes(`/node_modules/${p}/`)));

let failed = false;
for (const args of [['--help'], ['--version']]) {
  const mods = loadedModules(args);
  if (!mods.some((m) => m.endsWith('/dist/cli/main.cjs'))) die('module check is broken: it did not even see dist/cli/main.cjs load');
  const heavy = heavyIn(mods);
  say(`connector ${args.join(' ')}: ${mods.length} modules loaded; heavy: ${heavy.length ? heavy.join(', ') : 'none'}`);
  if (heavy.length) failed = true;
}

const rows = measureAll([
  { label: 'node -e 0', argv: [process.execPath, '-e', '0'] },
  { label: 'connector --version', argv: [process.execPath, BIN, '--version'] },
  { label: 'connector --help', argv: [process.execPath, BIN, '--help'] },
]);
console.log(header());
console.log('');
console.log(table(rows, { baseline: 'node -e 0' }));
console.log('');
console.log(failed ? '--help/--version LOADED a heavy module (see above)' : `--help and --version load none of: ${HEAVY.join(', ')}`);
process.exitCode = failed ? 1 : 0;
