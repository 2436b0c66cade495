import { defineCommand } from '../spec.js';

export default defineCommand({
  name: 'operations',
  aliases: ['ops'],
  description: 'list the operations of a connector',
  arguments: [{ name: '<name>', description: 'connector name' }],
  options: [
    { flags: '--all', description: 'include internal (x-ms-visibility: internal) operations' },
    { flags: '--filter <text>', description: 'only operations whose id, summary, path or method contains <text> (any case)' },
  ],
  examples: ['connector operations petstore', 'connector operations petstore --filter pet', 'connector operations petstore --json | jq -r ".[].operationId"'],
  pager: true,
  action: () => import('./operations.action.js'),
});
