import { defineCommand } from '../spec.js';

export default defineCommand({
  name: 'show',
  description: 'show a connection (secrets masked)',
  arguments: [{ name: '<connection>', description: '<connector>/<connection>' }],
  examples: ['connector connection show jira/default'],
  action: () => import('./show.action.js'),
});
