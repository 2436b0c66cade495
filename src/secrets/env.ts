/**
 * The CI overlay: parameter P of connection C of connector K can come from the
 * environment variable CONNECTOR_<K>__<C>__<P>, which beats the stored value.
 *
 * The mapping is injective in K and C, so one connector's key can never be read by
 * another (the old CONNECTOR_<K>_<C>_<P> gave `leak`/`hdr-ci` and `leak-hdr`/`ci` one
 * name). A name made of letters, digits and single inner '-' is upper-cased with '-'
 * as '_' (`sample-notes` → SAMPLE_NOTES); any other name (with '.', '_', '--' or a
 * trailing '-') is '_' + the hex of its bytes (`a.b` → _612E62). Neither form contains
 * '__' or ends in '_', and only the hex form starts with '_', so the first '__' after
 * each part ends it. P is upper-cased with non-alphanumerics as '_' (parameters of one
 * connection share an API, so a clash there sends nothing anywhere new).
 */
export function envVarName(connector: string, connection: string, parameter: string): string {
  return `CONNECTOR_${namePart(connector)}__${namePart(connection)}__${paramPart(parameter)}`;
}

function namePart(name: string): string {
  if (/^[a-z0-9]+(-[a-z0-9]+)*$/i.test(name)) return name.toUpperCase().replace(/-/g, '_');
  return `_${Buffer.from(name, 'utf8').toString('hex').toUpperCase()}`;
}

const paramPart = (s: string) => s.toUpperCase().replace(/[^A-Z0-9]/g, '_');

/**
 * The pre-0.2 name CONNECTOR_<K>_<C>_<P>, still read where it cannot belong to another
 * connection: K and C only letters and digits (so the first two '_' split it) and P
 * without '__' (so it is never a new-style name). Otherwise undefined.
 */
export function legacyEnvVarName(connector: string, connection: string, parameter: string): string | undefined {
  const alnum = /^[a-z0-9]+$/i;
  const p = paramPart(parameter);
  if (!alnum.test(connector) || !alnum.test(connection) || p.includes('__')) return undefined;
  return `CONNECTOR_${connector.toUpperCase()}_${connection.toUpperCase()}_${p}`;
}

/** The overlay value for one parameter, when set (an empty variable counts as unset); the new name beats the old. */
export function envOverlay(env: NodeJS.ProcessEnv, connector: string, connection: string, parameter: string) {
  for (const name of [envVarName(connector, connection, parameter), legacyEnvVarName(connector, connection, parameter)]) {
    const value = name === undefined ? undefined : env[name];
    if (name !== undefined && value !== undefined && value !== '') return { name, value };
  }
  return undefined;
}

/** The name a CONNECTOR_<K>__<C>__ part stands for (the inverse of namePart; names are lower-case), or undefined. */
export function nameOfPart(part: string): string | undefined {
  if (/^_([0-9A-F]{2})+$/.test(part)) return Buffer.from(part.slice(1), 'hex').toString('utf8');
  if (/^[A-Z0-9]+(_[A-Z0-9]+)*$/.test(part)) return part.toLowerCase().replace(/_/g, '-');
  return undefined;
}

/**
 * The connection names the environment has CONNECTOR_<K>__<C>__<P> variables for, for
 * connector K (non-empty values only; the legacy single-'_' form is not scanned).
 */
export function envConnectionNames(env: NodeJS.ProcessEnv, connector: string): string[] {
  const prefix = `CONNECTOR_${namePart(connector)}__`;
  const names = new Set<string>();
  for (const [k, v] of Object.entries(env)) {
    if (!k.startsWith(prefix) || !v) continue;
    const rest = k.slice(prefix.length);
    const end = rest.indexOf('__');
    const name = end > 0 ? nameOfPart(rest.slice(0, end)) : undefined;
    if (name !== undefined) names.add(name);
  }
  return [...names].sort();
}

/** The connector names the environment has CONNECTOR_<K>__<C>__<P> variables for (non-empty values only). */
export function envConnectorNames(env: NodeJS.ProcessEnv): string[] {
  const names = new Set<string>();
  for (const [k, v] of Object.entries(env)) {
    if (!k.startsWith('CONNECTOR_') || !v) continue;
    const rest = k.slice('CONNECTOR_'.length);
    const end = rest.indexOf('__');
    const name = end > 0 ? nameOfPart(rest.slice(0, end)) : undefined;
    if (name !== undefined) names.add(name);
  }
  return [...names].sort();
}
