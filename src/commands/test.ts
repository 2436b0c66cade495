import { defineCommand } from './spec.js';

export default defineCommand({
  name: 'test',
  description: 'run smoke suites (YAML) against connectors; `test init <connector>` writes a starter suite from the spec',
  arguments: [{ name: '[suites...]', description: 'suite files; or `init <connector>`; or a connector name (runs its generated suite)' }],
  options: [
    { flags: '-c, --connection <name>', description: 'connection for every step (default: the suite’s, else the default connection)' },
    { flags: '--reporter <name[=file]>', description: 'pretty, json, junit or tap; with =file, written there (repeatable)', repeatable: true },
    {
      flags: '--concurrency <n>',
      description: 'independent steps in flight at once (steps that capture or use captured values keep their order)',
      default: '1',
    },
    { flags: '--bail', description: 'stop at the first failure (teardown still runs)' },
    { flags: '--filter <pattern>', description: 'only steps whose id or name matches this regular expression' },
    { flags: '--shard <i/n>', description: 'run the i-th of n stable slices of the steps (by step id), for CI matrices' },
    { flags: '-o, --output <file>', description: 'test init: write the suite here instead of stdout' },
    { flags: '--include-writes', description: 'test init: also write steps for operations that change data (POST, PUT, PATCH, DELETE)' },
    { flags: '--force', description: 'test init: replace an existing --output file' },
  ],
  examples: [
    'connector test init petstore -o petstore.suite.yaml',
    'connector test petstore.suite.yaml',
    'connector test suites/*.yaml -c ci --reporter pretty --reporter junit=junit.xml',
    'connector test suites/*.yaml --shard 2/4 --reporter junit=junit-2.xml',
    'connector test petstore                 # the generated suite, without writing it',
  ],
  action: () => import('./test.action.js'),
});
