import { defineCommand } from './spec.js';

export default defineCommand({
  name: 'doctor',
  description: 'check the registry, secret stores, temp and lock files, sign-ins, proxy/CA settings and Node; --fix repairs what is safe',
  options: [
    { flags: '--fix', description: 'repair what is safe: rebuild the index, delete stale temp/lock files and secrets of no connection' },
    { flags: '--prune-broken', description: 'with --fix: also delete connections whose secrets are gone, without asking' },
    { flags: '--stale-after <minutes>', description: 'temp and lock files owned by no live process this old are stale', default: '10' },
  ],
  notes: `One line per check: ok, warn or fail, with a hint. Exit 0 when nothing fails (warnings allowed),
1 when a problem remains. Nothing secret is printed: accounts and paths, never values.
On a terminal --fix asks before deleting secrets or connections; with --no-input it deletes
secrets of no connection, and connections whose secrets are gone only with --prune-broken.`,
  examples: ['connector doctor', 'connector doctor --fix', 'connector doctor --fix --prune-broken --no-input --json'],
  action: () => import('./doctor.action.js'),
});
