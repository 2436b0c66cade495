import { defineCommand } from '../spec.js';

export default defineCommand({
  name: 'default',
  description: 'make a connection the default of its connector',
  arguments: [{ name: '<connection>', description: '<connector>/<connection>' }],
  examples: ['connector connection default jira/prod'],
  action: () => import('./default.action.js'),
});
