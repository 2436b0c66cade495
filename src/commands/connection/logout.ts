import { defineCommand } from '../spec.js';

export default defineCommand({
  name: 'logout',
  description: 'revoke the tokens where the provider allows it, then delete them',
  arguments: [{ name: '<connection>', description: '<connector>/<connection>, or <connector> alone for its default connection' }],
  examples: ['connector connection logout github-gists/default'],
  action: () => import('./logout.action.js'),
});
