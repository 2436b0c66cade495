import { defineCommand } from '../spec.js';

export default defineCommand({
  name: 'show',
  description: 'show a connector: metadata, connection parameters, policies',
  arguments: [{ name: '<name>', description: 'connector name' }],
  examples: ['connector show petstore', 'connector show petstore --json'],
  pager: true,
  action: () => import('./show.action.js'),
});
