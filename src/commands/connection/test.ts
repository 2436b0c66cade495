import { defineCommand } from '../spec.js';

export default defineCommand({
  name: 'test',
  description: 'call the test operation with the stored credentials',
  arguments: [{ name: '<connection>', description: '<connector>/<connection>, or <connector> alone for its default connection' }],
  options: [{ flags: '--test-operation <id>', description: 'operation used to test' }],
  examples: ['connector connection test jira/default'],
  action: () => import('./test.action.js'),
});
