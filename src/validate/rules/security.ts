import type { IFunctionResult } from '@stoplight/spectral-core';
import { closest } from '../../util/suggest.js';
import { documentFunction, documentRule, type JsonPath } from './swagger-ops.js';
import type { ConnectorFiles, RulesetRule } from '../files.js';

/**
 * identityProvider values of an oauthSetting the platform resolves: the two generic ones (oauth2, oauth2generic),
 * Microsoft Entra ID (aad, aadcertificate), Microsoft account, and the first-party presets published connectors use.
 */
export const IDENTITY_PROVIDERS = ['oauth2', 'oauth2generic', 'aad', 'aadcertificate', 'microsoftaccount', 'facebook', 'github', 'google', 'docusign'];

interface Param {
  name: string;
  type: string;
  p: any;
  path: JsonPath;
}

const isObj = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The connection parameters of apiProperties: the flat ones, and each connectionParameterSets set as its own group. */
function parameterGroups(apiProps: any): Param[][] {
  const props = apiProps?.properties;
  if (!isObj(props)) return [];
  const list = (obj: unknown, at: JsonPath): Param[] =>
    isObj(obj) ? Object.entries(obj).map(([name, p]) => ({ name, type: String(isObj(p) ? p.type : ''), p, path: [...at, name] })) : [];
  const groups: Param[][] = [];
  const flat = list(props.connectionParameters, ['properties', 'connectionParameters']);
  if (flat.length) groups.push(flat);
  const sets = props.connectionParameterSets?.values;
  if (Array.isArray(sets)) sets.forEach((s, i) => groups.push(list(s?.parameters, ['properties', 'connectionParameterSets', 'values', i, 'parameters'])));
  return groups;
}

const lower = (s: string) => s.toLowerCase();
const secure = (p: Param) => lower(p.type) === 'securestring';

/** What a security definition needs from the connection parameters, or undefined when a group provides it. */
function missing(name: string, def: any, groups: Param[][]): { error?: string; warning?: string } {
  const type = String(def?.type ?? '');
  if (type === 'oauth2') {
    return groups.some((g) => g.some((p) => lower(p.type) === 'oauthsetting'))
      ? {}
      : {
          error: `the oauth2 security definition '${name}' has no connection parameter of type oauthSetting in apiProperties.json: add one ("token": { "type": "oauthSetting", "oAuthSettings": { "identityProvider": …, "clientId": …, "scopes": […] } })`,
        };
  }
  if (type === 'apiKey') {
    if (!groups.some((g) => g.some(secure))) {
      return {
        error: `the apiKey security definition '${name}' has no securestring connection parameter in apiProperties.json: add "api_key": { "type": "securestring", … }`,
      };
    }
    const names = new Set(['api_key', lower(name), lower(String(def?.name ?? ''))]);
    return groups.some((g) => g.some((p) => secure(p) && names.has(lower(p.name))))
      ? {}
      : {
          warning: `no securestring connection parameter of the apiKey security definition '${name}' is named api_key (what the platform writes) or '${name}': rename the key parameter to api_key`,
        };
  }
  if (type === 'basic') {
    const ok = groups.some((g) => g.some((p) => lower(p.name) === 'username') && g.some((p) => lower(p.name) === 'password' && secure(p)));
    return ok
      ? {}
      : {
          error: `the basic security definition '${name}' needs connection parameters username (string or securestring) and password (securestring) in apiProperties.json: add them`,
        };
  }
  return {};
}

function securityResults(files: ConnectorFiles, which: 'error' | 'warning') {
  return documentFunction((doc): IFunctionResult[] => {
    const api = files.apiProperties?.doc;
    const defs = doc?.securityDefinitions;
    if (!api || !isObj(defs)) return [];
    const groups = parameterGroups(api);
    return Object.entries(defs).flatMap(([name, def]) => {
      const m = missing(name, def, groups)[which];
      return m ? [{ message: m, path: ['securityDefinitions', name] }] : [];
    });
  });
}

/** Rules on securityDefinitions and the apiProperties connection parameters. */
export function rules(files: ConnectorFiles): Record<string, RulesetRule> {
  const identityProvider = documentFunction((api): IFunctionResult[] =>
    parameterGroups(api)
      .flat()
      .filter((p) => lower(p.type) === 'oauthsetting')
      .flatMap((p) => {
        const ip = p.p?.oAuthSettings?.identityProvider;
        const at = [...p.path, 'oAuthSettings', 'identityProvider'];
        if (typeof ip !== 'string' || !ip) {
          return [
            {
              message: `the oauthSetting parameter '${p.name}' has no oAuthSettings.identityProvider: set one of ${IDENTITY_PROVIDERS.join(', ')}`,
              path: p.p?.oAuthSettings ? [...p.path, 'oAuthSettings'] : p.path,
            },
          ];
        }
        if (IDENTITY_PROVIDERS.includes(lower(ip))) return [];
        const [near] = closest(ip, IDENTITY_PROVIDERS, 1);
        const hint = near ? `did you mean '${near}'?` : `use one of ${IDENTITY_PROVIDERS.join(', ')}`;
        return [{ message: `identityProvider '${ip}' is not one the platform knows: ${hint} (oauth2generic takes any provider's URLs)`, path: at }];
      }),
  );
  const gateway = documentFunction((api): IFunctionResult[] =>
    parameterGroups(api).flatMap((g) => {
      const authType = g.find((p) => lower(p.name) === 'authtype');
      const gw = g.find((p) => lower(p.type) === 'gatewaysetting');
      const windows = Array.isArray(authType?.p?.allowedValues) && authType.p.allowedValues.some((a: any) => lower(String(a?.value ?? '')) === 'windows');
      const out: IFunctionResult[] = [];
      if (windows && !gw) {
        out.push({
          message: `authType allows 'windows', which goes through an on-premises data gateway: add "gateway": { "type": "gatewaySetting", "gatewaySettings": { "dataSourceType": "CustomConnector", "connectionDetails": [] } }`,
          path: authType!.path,
        });
      }
      if (gw && !authType) {
        out.push({
          message: `the gateway parameter '${gw.name}' has no authType parameter beside it: add "authType" (type string) whose allowedValues name the gateway's authentication (windows, basic, anonymous)`,
          path: gw.path,
        });
      }
      if (windows) {
        const user = g.find((p) => lower(p.name) === 'username');
        const pass = g.find((p) => lower(p.name) === 'password');
        if (!user || !pass || !secure(pass)) {
          out.push({
            message: `Windows authentication needs connection parameters username and password (securestring): add the missing one${!pass || secure(pass) ? '' : ' (password must be securestring)'}`,
            path: authType!.path,
          });
        }
      }
      return out;
    }),
  );
  return {
    'security-connection-parameters': documentRule(
      'Each security definition has the connection parameters the platform needs for it in apiProperties.json.',
      'error',
      securityResults(files, 'error'),
    ),
    'security-apikey-parameter-name': documentRule(
      "An apiKey security definition's securestring parameter is named as the platform writes it.",
      'warn',
      securityResults(files, 'warning'),
    ),
    'props-security-identity-provider': documentRule('An OAuth connection parameter names an identity provider the platform knows.', 'error', identityProvider),
    'props-security-gateway': documentRule('Windows authentication and on-premises gateway parameters are complete.', 'error', gateway),
  };
}
