#!/usr/bin/env node
// Thin launcher, CommonJS on purpose (bin/package.json). It runs dist/cli/main.cjs, the
// CommonJS bundle that `npm run build` makes from the tsc output, with a V8 code cache for
// the bundle's files: Node's ESM loader, ~40 separate module files and compiling the same
// code on every run cost ~45 ms a run (README, Performance).
'use strict';
const { join } = require('node:path');
const dist = join(__dirname, '..', 'dist', 'cli');
let main;
try {
  require(join(dist, 'compile-cache.cjs')).enableCompileCache(dist, module.constructor);
  ({ main } = require(join(dist, 'main.cjs')));
} catch (err) {
  if (err && err.code === 'MODULE_NOT_FOUND' && String(err.message).includes(dist)) {
    process.stderr.write(`connector: not built yet: run \`npm install\` (or \`npm run build\`) in ${join(__dirname, '..')}\n`);
    process.exit(1);
  }
  throw err;
}
main(process.argv).then((code) => {
  process.exitCode = code;
});
