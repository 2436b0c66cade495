import { AuthError } from '../../errors.js';
import { setHeader } from '../../http/headers.js';
import { credentialDefinition, has, isBasic, param, valuesFromEnvironment } from '../parameters.js';
import { markSecret, type AuthPlugin, type AuthScheme } from '../plugin.js';

/** HTTP Basic from two connection parameters (default names: username, password). */
export function basicScheme(fields: { username: string; password: string } = { username: 'username', password: 'password' }): AuthScheme {
  return {
    kind: 'basic',
    async authorize(req, conn) {
      const user = conn?.values[fields.username];
      const pass = conn?.values[fields.password] ?? '';
      if (user === undefined)
        throw new AuthError(`the connection has no '${fields.username}' value for Basic auth`, 'Recreate it: connector connection create <connector>');
      const token = Buffer.from(`${user}:${pass}`).toString('base64');
      setHeader(req.headers, 'Authorization', `Basic ${token}`);
      markSecret(req, { header: 'authorization' }, token, pass);
    },
  };
}

/** HTTP Basic: a `type: basic` definition, alone or with the apiProperties parameters it goes with. */
export const plugin: AuthPlugin = {
  kind: 'basic',
  parameters(src) {
    const fields = { username: 'username', password: 'password' };
    if (src.definition) {
      if (!isBasic(src.definition)) return undefined;
      const parameters = [param('username', 'string', 'Username', true), param('password', 'securestring', 'Password', true)];
      return { id: src.id, label: src.label, kind: 'basic', parameters, basic: fields };
    }
    const def = credentialDefinition(src);
    if (!def || !isBasic(def)) return undefined;
    const params = src.params;
    if (!has(params, 'username')) params.push(param('username', 'string', 'Username', true));
    if (!has(params, 'password')) params.push(param('password', 'securestring', 'Password', true));
    // The credential itself is required whatever the uiDefinition says: a connection without it is useless.
    // The password is a secret even when apiProperties types it "string": it must go to the keychain, not the registry.
    for (const p of params) if (p.name === 'username' || p.name === 'password') p.required = true;
    params.find((p) => p.name === 'password')!.secret = true;
    return { id: src.id, label: src.label || 'Basic authentication', kind: 'basic', parameters: params, basic: fields };
  },
  async configure() {
    return {};
  },
  scheme: (_record, conn) => basicScheme(conn.option?.basic),
  needsConnection: () => true,
  environment: valuesFromEnvironment,
};
