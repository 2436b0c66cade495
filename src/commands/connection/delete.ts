import { defineCommand } from '../spec.js';

export default defineCommand({
  name: 'delete',
  aliases: ['rm'],
  description: 'delete a connection and its keychain items',
  arguments: [{ name: '<connection>', description: '<connector>/<connection> (the full address: nothing is guessed for a deletion)' }],
  options: [{ flags: '-y, --yes', description: 'do not ask for confirmation (needed with --no-input or without a terminal)' }],
  notes: 'On a terminal it asks first. Under --no-input, or with no terminal, it never asks and needs --yes (exit 2 otherwise).',
  examples: ['connector connection delete jira/old', 'connector connection delete jira/ci --yes --no-input'],
  action: () => import('./delete.action.js'),
});
