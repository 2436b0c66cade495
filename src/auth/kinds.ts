import type { AuthOption } from '../model.js';
import type { AuthPlugin, ParameterSource } from './plugin.js';
import { oauth2Parameters } from './oauth2/parameters.js';
import { plugin as windows } from './windows/index.js';
import { plugin as basic } from './basic/index.js';
import { plugin as apiKey } from './apikey/index.js';
import { plugin as none } from './none/index.js';

type Entry = {
  /** How the kind claims a connection option (undefined: another entry's plug-in makes this kind). */
  parameters?: (src: ParameterSource) => AuthOption | undefined;
  /** The kind's plug-in, loaded when a connection of this kind is created or used. */
  load: () => Promise<AuthPlugin>;
};

/**
 * Every auth kind, one line each, in the order their `parameters` are asked (the first
 * claim wins: an oauthSetting beats a gateway setting beats a basic/apiKey definition
 * beats plain parameters). Adding a kind is a folder src/auth/<kind>/ exporting an
 * AuthPlugin and one line here. The small plug-ins load with the table (the connection
 * model needs their parameters at import and on every run); OAuth's parameters alone
 * come first, its plug-in (and the NTLM code behind the windows one) on demand.
 */
export const KINDS = {
  oauth2: { parameters: oauth2Parameters, load: async () => (await import('./oauth2/index.js')).plugin },
  windows: { parameters: windows.parameters, load: async () => windows },
  gateway: { load: async () => windows }, // data gateway connectors: the windows plug-in recognises them
  basic: { parameters: basic.parameters, load: async () => basic },
  apiKey: { parameters: apiKey.parameters, load: async () => apiKey },
  custom: { load: async () => none }, // plain parameters: made by the none plug-in
  none: { parameters: none.parameters, load: async () => none },
} satisfies Record<string, Entry>;

export type AuthKind = keyof typeof KINDS;

/** The plug-in of a kind (an unknown kind in an old registry: none). */
export function pluginFor(kind: string): Promise<AuthPlugin> {
  return (KINDS[kind as AuthKind] ?? KINDS.none).load();
}

/** The option the first claiming kind makes of `src` (none claims any parameter list). */
export function claim(src: ParameterSource): AuthOption | undefined {
  for (const entry of Object.values(KINDS) as Entry[]) {
    const option = entry.parameters?.(src);
    if (option) return option;
  }
  return undefined;
}
