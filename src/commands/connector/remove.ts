import { defineCommand } from '../spec.js';

export default defineCommand({
  name: 'remove',
  aliases: ['rm'],
  description: 'remove a connector from the registry',
  arguments: [{ name: '<name>', description: 'connector name' }],
  examples: ['connector remove petstore'],
  action: () => import('./remove.action.js'),
});
