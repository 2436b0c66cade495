import type { AuthScheme } from './scheme.js';
import { markSecret } from './scheme.js';
import { setHeader } from '../http/headers.js';
import { AuthError } from '../errors.js';

/** HTTP Basic from two connection parameters (default names: username, password). */
export function basicScheme(fields: { username: string; password: string } = { username: 'username', password: 'password' }): AuthScheme {
  return {
    kind: 'basic',
    async authorize(req, conn) {
      const user = conn?.values[fields.username];
      const pass = conn?.values[fields.password] ?? '';
      if (user === undefined) throw new AuthError(`the connection has no '${fields.username}' value for Basic auth`, 'Recreate it: connector connection create <connector>');
      const token = Buffer.from(`${user}:${pass}`).toString('base64');
      setHeader(req.headers, 'Authorization', `Basic ${token}`);
      markSecret(req, { header: 'authorization' }, token, pass);
    },
  };
}
