import { defineCommand } from '../spec.js';

export default defineCommand({
  name: 'show',
  description: 'show a connection (secrets masked)',
  arguments: [{ name: '<connection>', description: '<connector>/<connection>, or <connector> alone for its default connection' }],
  examples: ['connector connection show jira/default', 'connector connection show jira        # its default connection'],
  action: () => import('./show.action.js'),
});
