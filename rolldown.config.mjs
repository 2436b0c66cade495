// The CommonJS bundle bin/connector.js runs (README, Performance): one file per lazily loaded
// command group, commander inlined, every other package external.
import { readFileSync } from 'node:fs';
import Ajv from 'ajv';
import standaloneCode from 'ajv/dist/standalone/index.js';
import { defineConfig } from 'rolldown';

const external = [
  '@apidevtools/swagger-parser',
  '@inquirer/prompts',
  '@napi-rs/keyring',
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

export default defineConfig({
  input: ['dist/main.js', 'dist/boot/compile-cache.js'],
  platform: 'node',
  plugins: [suiteValidator],
  external: (id) => external.some((p) => id === p || id.startsWith(`${p}/`)),
  logLevel: 'warn',
  output: {
    format: 'cjs',
    dir: 'dist/cli',
    entryFileNames: '[name].cjs',
    chunkFileNames: '[name]-[hash].cjs',
    cleanDir: true,
    // What every command loads at start (the command table, the Context and its seams, errors) is
    // shared with the lazy chunks, so the bundler would give each module a chunk file of its own:
    // five extra files to read and compile on every run (~4 ms). One group keeps them in one file.
    advancedChunks: {
      groups: [
        {
          name: 'core',
          test: /[\\/]dist[\\/](errors|context|main|commands[\\/](?:[^\\/.]+|[^\\/]+[\\/][^\\/.]+)|io[\\/](iostreams|signal|clock|browser)|http[\\/](client|headers|proxy)|util[\\/](load|package-root))\.js$/,
        },
      ],
    },
  },
});
