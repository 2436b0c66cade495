import { defineCommand } from '../spec.js';

export default defineCommand({
  name: 'remove',
  aliases: ['rm'],
  description: 'remove a connector and its connections from the registry',
  arguments: [{ name: '<name>', description: 'connector name' }],
  options: [{ flags: '-y, --yes', description: 'do not ask for confirmation (needed with --no-input or without a terminal)' }],
  notes:
    'Its connections and their secrets go too. On a terminal it asks first; under --no-input, or with no terminal, it never asks and needs --yes (exit 2 otherwise).',
  examples: ['connector remove petstore', 'connector remove petstore --yes   # in a script'],
  action: () => import('./remove.action.js'),
});
