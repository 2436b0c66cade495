import { defineCommand } from '../spec.js';

export default defineCommand({
  name: 'rename',
  description: 'rename a connection (its secrets move with it)',
  arguments: [
    { name: '<connection>', description: '<connector>/<connection>' },
    { name: '<new-name>', description: 'new connection name' },
  ],
  examples: ['connector connection rename jira/default jira-prod'],
  action: () => import('./rename.action.js'),
});
