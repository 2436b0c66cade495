import { defineCommand } from './spec.js';

export default defineCommand({
  name: 'demo',
  description: 'start the bundled sample API, import it, connect and run a few operations, then clean up',
  options: [{ flags: '--keep', description: 'keep the throw-away registry and print its path' }],
  examples: ['connector demo'],
  action: () => import('./demo.action.js'),
});
