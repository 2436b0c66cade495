// The CommonJS bundle bin/connector.js runs (README, Performance): one file per lazily loaded
// command group, commander inlined, every other package external.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import Ajv from 'ajv';
import standaloneCode from 'ajv/dist/standalone/index.js';
import { build, defineConfig } from 'rolldown';

const external = [
  '@apidevtools/swagger-parser',
  '@inquirer/prompts',
  '@napi-rs/keyring',
  '@stoplight/spectral-core',
  '@stoplight/spectral-functions',
  '@stoplight/spectral-parsers',
  '@stoplight/spectral-ref-resolver',
  'ajv',
  'jsonc-parser',
  'oauth4webapi',
  'open',
  're2',
  'undici',
  'yaml',
  'yocto-spinner',
];

/**
 * `connector test` validates every suite against schema/suite.schema.json; compiling that schema
 * with ajv costs ~85 ms a run. The bundle gets ajv's standalone code for it instead, generated here
 * at each build from the schema file and the options the source module uses (AJV_OPTIONS), in
 * place of dist/smoke/validator.js (which compiles at run time: vitest runs that one).
 */
const suiteValidator = {
  name: 'suite-validator',
  async load(id) {
    if (!/[\\/]dist[\\/]smoke[\\/]validator\.js$/.test(id)) return null;
    const { AJV_OPTIONS } = await import('./dist/smoke/validator.js');
    const ajv = new Ajv({ ...AJV_OPTIONS, code: { source: true, esm: true } });
    const validate = ajv.compile(JSON.parse(readFileSync(new URL('./schema/suite.schema.json', import.meta.url), 'utf8')));
    return `${standaloneCode(ajv, validate)}\nexport const AJV_OPTIONS = ${JSON.stringify(AJV_OPTIONS)};\nexport async function suiteValidator() { return validate; }\n`;
  },
};

const config = defineConfig({
  input: ['dist/main.js', 'dist/boot/compile-cache.js'],
  platform: 'node',
  plugins: [suiteValidator],
  external: (id) => external.some((p) => id === p || id.startsWith(`${p}/`)),
  logLevel: 'warn',
  // test.action.ts and smoke/run.js import smoke/suite.js statically as well as dynamically; the
  // warning says only that the dynamic import makes no chunk of its own, which changes nothing here.
  onLog(level, log, handler) {
    if (log.code === 'INEFFECTIVE_DYNAMIC_IMPORT' && /[\\/]smoke[\\/]suite\.js/.test(log.message)) return;
    handler(level, log);
  },
  output: {
    format: 'cjs',
    dir: 'dist/cli',
    entryFileNames: '[name].cjs',
    chunkFileNames: '[name]-[hash].cjs',
    cleanDir: true,
    // What every command loads at start (the command table, the Context and its seams, errors) is
    // shared with the lazy chunks, so the bundler would give each module a chunk file of its own:
    // five extra files to read and compile on every run (~4 ms). One group keeps them in one file.
    codeSplitting: {
      groups: [
        {
          name: 'core',
          test: /[\\/]dist[\\/](errors|context|main|commands[\\/](?:[^\\/.]+|[^\\/]+[\\/][^\\/.]+)|io[\\/](iostreams|signal|clock|browser)|http[\\/](client|headers|proxy)|util[\\/](load|package-root))\.js$/,
        },
      ],
    },
  },
});

export default config;

// `npm run build` runs this file with node rather than `rolldown -c`: the CLI prints a line per
// chunk (~90 lines on every npm install) whatever logLevel says; the API prints only warnings.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const started = performance.now();
  const { output } = await build(config);
  console.log(`rolldown: ${output.length} files in dist/cli (${Math.round(performance.now() - started)} ms)`);
}
