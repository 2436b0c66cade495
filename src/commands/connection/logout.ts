import { defineCommand } from '../spec.js';

export default defineCommand({
  name: 'logout',
  description: 'revoke the tokens where the provider allows it, then delete them',
  arguments: [{ name: '<connection>', description: '<connector>/<connection>' }],
  examples: ['connector connection logout github-gists/default'],
  action: () => import('./logout.action.js'),
});
