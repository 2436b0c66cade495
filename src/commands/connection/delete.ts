import { defineCommand } from '../spec.js';

export default defineCommand({
  name: 'delete',
  aliases: ['rm'],
  description: 'delete a connection and its keychain items',
  arguments: [{ name: '<connection>', description: '<connector>/<connection>' }],
  examples: ['connector connection delete jira/old'],
  action: () => import('./delete.action.js'),
});
