import { defineCommand } from '../spec.js';
import { signInOptions } from './oauth-options.js';

export default defineCommand({
  name: 'login',
  description: 'sign in again (OAuth 2.0): new tokens into the keychain',
  arguments: [{ name: '<connection>', description: '<connector>/<connection>, or <connector> alone for its default connection' }],
  options: [signInOptions],
  examples: ['connector connection login github-gists/default', 'connector connection login entra/ci --flow device'],
  action: () => import('./login.action.js'),
});
