import { defineCommand } from '../spec.js';

export default defineCommand({
  name: 'test',
  description: 'call the test operation with the stored credentials',
  arguments: [{ name: '<connection>', description: '<connector>/<connection>, or <connector> alone for its default connection' }],
  options: [
    { flags: '--test-operation <id>', description: 'operation used to test' },
    { flags: '--base-url <url>', description: 'override scheme, host and basePath (a mock, a staging server), as run does' },
  ],
  examples: ['connector connection test jira/default', 'connector connection test jira --base-url http://127.0.0.1:4010'],
  action: () => import('./test.action.js'),
});
