// The CommonJS bundle bin/connector.js runs (README, Performance): one file per lazily loaded
// command group, commander inlined, every other package external.
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
];

export default defineConfig({
  input: ['dist/main.js', 'dist/boot/compile-cache.js'],
  platform: 'node',
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
