import { defineCommand } from '../spec.js';

export default defineCommand({
  name: 'list',
  description: 'list imported connectors',
  examples: ['connector list', 'connector list --json'],
  pager: true,
  action: () => import('./list.action.js'),
});
