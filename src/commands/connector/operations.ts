import { defineCommand } from '../spec.js';

export default defineCommand({
  name: 'operations',
  aliases: ['ops'],
  description: 'list the operations of a connector',
  arguments: [{ name: '<name>', description: 'connector name' }],
  options: [{ flags: '--all', description: 'include internal (x-ms-visibility: internal) operations' }],
  examples: ['connector operations petstore', 'connector operations petstore --json | jq -r ".[].operationId"'],
  action: () => import('./operations.action.js'),
});
