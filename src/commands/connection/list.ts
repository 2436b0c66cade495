import { defineCommand } from '../spec.js';

export default defineCommand({
  name: 'list',
  description: 'list connections',
  arguments: [{ name: '[connector]', description: 'only this connector' }],
  examples: ['connector connection list', 'connector connection list jira --json'],
  pager: true,
  action: () => import('./list.action.js'),
});
