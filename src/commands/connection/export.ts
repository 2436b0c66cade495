import { defineCommand } from '../spec.js';

export default defineCommand({
  name: 'export',
  description: 'export a connection template (no secrets) for a teammate',
  arguments: [{ name: '<connection>', description: '<connector>/<connection>, or <connector> alone for its default connection' }],
  options: [{ flags: '-o, --output <file>', description: 'write to a file instead of stdout' }],
  examples: ['connector connection export jira/default -o jira.connection.yaml'],
  action: () => import('./export.action.js'),
});
