import { defineCommand } from '../spec.js';

export default defineCommand({
  name: 'token',
  description: 'print a fresh access token on stdout (for scripts; the one way a secret reaches stdout)',
  arguments: [{ name: '<connection>', description: '<connector>/<connection>, or <connector> alone for its default connection' }],
  examples: ['curl -H "Authorization: Bearer $(connector connection token graph/default)" https://graph.microsoft.com/v1.0/me'],
  action: () => import('./token.action.js'),
});
