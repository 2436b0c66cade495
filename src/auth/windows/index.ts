import type { ConnectionParameter } from '../../model.js';
import { CliError } from '../../errors.js';
import { has, param, valuesFromEnvironment } from '../parameters.js';
import type { AuthPlugin } from '../plugin.js';

/**
 * Connectors behind an on-premises data gateway. One whose authType parameter allows
 * 'windows' (what Power Platform exports for "Windows authentication" on an on-premises
 * API) is called directly with NTLM from the terminal: the gateway setting is dropped
 * from what is asked, authType is fixed, and username (DOMAIN\user or user@domain) +
 * password are required. Any other gateway connector is kind 'gateway', which `connection
 * create` refuses. The NTLM code (./ntlm.ts, MD4) loads only for a 'windows' request.
 */
export const plugin: AuthPlugin = {
  kind: 'windows',
  parameters(src) {
    if (src.definition || !src.params.some((p) => p.type === 'gatewaySetting')) return undefined;
    if (offersWindows(src.params)) return windowsOption(src.id, src.label, src.params);
    return { id: src.id, label: src.label || 'On-premises data gateway', kind: 'gateway', parameters: src.params };
  },
  check(option, connector) {
    if (option.kind === 'gateway') {
      throw new CliError(`'${connector.title}' connects through an on-premises data gateway, which cannot be used from the terminal`);
    }
  },
  async configure() {
    return {};
  },
  async scheme(_record, conn, ctx) {
    if ((conn.option?.kind ?? conn.record.kind) === 'gateway') return { kind: 'gateway', async authorize() {} };
    const { ntlmScheme } = await import('./ntlm.js');
    return ntlmScheme(ctx);
  },
  needsConnection: () => true,
  environment: (option) => (option.kind === 'gateway' ? undefined : valuesFromEnvironment(option)),
};

function offersWindows(params: ConnectionParameter[]): boolean {
  return params.some((p) => p.name.toLowerCase() === 'authtype' && p.allowedValues?.some((a) => a.value.toLowerCase() === 'windows'));
}

function windowsOption(id: string, label: string, params: ConnectionParameter[]) {
  for (const p of params) {
    if (p.name.toLowerCase() !== 'authtype') continue;
    p.allowedValues = p.allowedValues?.filter((a) => a.value.toLowerCase() === 'windows');
    p.default = p.allowedValues?.[0]?.value ?? 'windows';
    p.hidden = true;
    p.required = false;
  }
  if (!has(params, 'username')) params.push(param('username', 'string', 'Username', true));
  if (!has(params, 'password')) params.push(param('password', 'securestring', 'Password', true));
  for (const p of params) {
    if (p.name === 'username') {
      p.required = true;
      p.description ??= 'DOMAIN\\user or user@domain';
    }
    if (p.name === 'password') {
      p.required = true;
      p.secret = true;
    }
  }
  return { id, label: label || 'Windows authentication', kind: 'windows' as const, parameters: params };
}
