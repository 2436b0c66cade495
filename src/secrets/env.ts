/**
 * The CI overlay: parameter P of connection C of connector K can come from the
 * environment variable CONNECTOR_<K>_<C>_<P> (upper-case, non-alphanumerics as '_'),
 * which beats the stored value.
 */
export function envVarName(connector: string, connection: string, parameter: string): string {
  const part = (s: string) => s.toUpperCase().replace(/[^A-Z0-9]/g, '_');
  return `CONNECTOR_${part(connector)}_${part(connection)}_${part(parameter)}`;
}

/** The overlay value for one parameter, when set (an empty variable counts as unset). */
export function envOverlay(env: NodeJS.ProcessEnv, connector: string, connection: string, parameter: string) {
  const name = envVarName(connector, connection, parameter);
  const value = env[name];
  return value === undefined || value === '' ? undefined : { name, value };
}
