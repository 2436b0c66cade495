import type { AuthOption, ConnectionParameter, ParameterType } from '../model.js';
import type { AuthPlugin, ParameterSource, SecurityDefinition } from './plugin.js';

/** Helpers the plug-ins share to derive their parameters and their CI stand-in. */

export function param(name: string, type: ParameterType, label: string, required: boolean): ConnectionParameter {
  return { name, type, secret: type === 'securestring' || type === 'oauthSetting', label, required, hidden: false };
}

export const has = (params: ConnectionParameter[], name: string) => params.some((p) => p.name === name);
export const norm = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');
export const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined);
export function obj(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** Swagger `type: basic` or OpenAPI 3 `type: http, scheme: basic`. */
export function isBasic(d: SecurityDefinition): boolean {
  const type = str(d.raw.type);
  return type === 'basic' || (type === 'http' && str(d.raw.scheme)?.toLowerCase() === 'basic');
}

export const isApiKey = (d: SecurityDefinition) => str(d.raw.type) === 'apiKey';

/**
 * The credential definition (basic or apiKey) an apiProperties parameter list goes with:
 * the one the set is named after, else basic when the list has username and password,
 * else an apiKey one, else a basic one. The basic and apiKey plug-ins each claim the
 * list when this picks a definition of theirs.
 */
export function credentialDefinition(src: ParameterSource): SecurityDefinition | undefined {
  const candidates = src.definitions.filter((d) => isBasic(d) || isApiKey(d));
  const byName = src.setName ? candidates.find((d) => d.id.toLowerCase() === src.setName!.toLowerCase()) : undefined;
  const hasUserPass = has(src.params, 'username') && has(src.params, 'password');
  return byName ?? (hasUserPass ? candidates.find(isBasic) : undefined) ?? candidates.find(isApiKey) ?? candidates.find(isBasic);
}

/** False for the OAuth/gateway placeholders among an option's parameters: a connection holds no value for them. */
export const isValueParameter = (p: ConnectionParameter) => p.type !== 'oauthSetting' && p.type !== 'gatewaySetting';

/** Parameters of an option that a connection holds (OAuth/gateway placeholders excluded). */
export function valueParameters(option: AuthOption | undefined): ConnectionParameter[] {
  return (option?.parameters ?? []).filter(isValueParameter);
}

/**
 * CI for kinds whose connection is its parameter values: every required (visible,
 * default-less) one from the environment, defaults filling in the rest.
 */
export function valuesFromEnvironment(option: AuthOption): ReturnType<AuthPlugin['environment']> {
  return {
    names: valueParameters(option)
      .filter((p) => p.required && !p.hidden && p.default === undefined)
      .map((p) => p.name),
    standIn(present) {
      const params = valueParameters(option).filter((p) => !p.hidden);
      if (!params.length) return undefined;
      const got = params.filter((p) => present(p.name));
      if (!got.length || params.some((p) => p.required && !got.includes(p) && p.default === undefined)) return undefined;
      const values: Record<string, string> = {};
      for (const p of params) if (p.default !== undefined) values[p.name] = p.default;
      return values;
    },
  };
}
