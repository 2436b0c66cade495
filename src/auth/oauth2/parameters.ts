import type { AuthOption, OAuthSetting } from '../../model.js';
import { obj, param, str } from '../parameters.js';
import type { ParameterSource, SecurityDefinition } from '../plugin.js';

const isOAuth = (d: SecurityDefinition) => str(d.raw.type) === 'oauth2';

/**
 * OAuth 2.0: an apiProperties `oauthSetting` parameter (its missing endpoints and flow
 * taken from the first oauth2 security definition), or a `type: oauth2` definition alone.
 */
export function oauth2Parameters(src: ParameterSource): AuthOption | undefined {
  if (src.definition) {
    if (!isOAuth(src.definition)) return undefined;
    const p = param('token', 'oauthSetting', 'Sign in', true);
    p.oauth = oauthFromDefinition(src.definition.raw);
    return { id: src.id, label: src.label, kind: 'oauth2', parameters: [p] };
  }
  const oauthParam = src.params.find((p) => p.type === 'oauthSetting');
  if (!oauthParam) return undefined;
  const def = src.definitions.find(isOAuth);
  const o = oauthParam.oauth;
  if (o) {
    // The URLs the sign-in uses (and `show` prints): the setting's own (oauth2 customParameters, or an
    // oauth2generic template with its {placeholders}), before a securityDefinition's, which the platform
    // reads only for what the setting leaves out (Zoho Mail's definition says accounts.zoho.com for every region).
    const cp = (name: string) => Object.entries(o.customParameters).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1] || undefined;
    const generic = o.identityProvider.toLowerCase() === 'oauth2generic';
    o.authorizationUrl ??= cp(generic ? 'authorizationUrlTemplate' : 'authorizationUrl');
    o.tokenUrl ??= cp(generic ? 'tokenUrlTemplate' : 'tokenUrl');
    o.refreshUrl ??= cp(generic ? 'refreshUrlTemplate' : 'refreshUrl');
    if (def) {
      const d = oauthFromDefinition(def.raw);
      o.flow ??= d.flow;
      o.authorizationUrl ??= d.authorizationUrl;
      o.tokenUrl ??= d.tokenUrl;
      o.refreshUrl ??= d.refreshUrl;
    }
  }
  return { id: src.id, label: src.label || 'OAuth 2.0', kind: 'oauth2', parameters: src.params };
}

const OAS3_FLOWS: [string, string][] = [
  ['authorizationCode', 'accessCode'],
  ['clientCredentials', 'application'],
  ['implicit', 'implicit'],
  ['password', 'password'],
];

/** A Swagger 2 or OpenAPI 3 oauth2 definition as an oauthSetting (OpenAPI 3 flows named as Swagger 2 ones). */
function oauthFromDefinition(d: Record<string, unknown>): OAuthSetting {
  let flow = str(d.flow);
  let f: Record<string, unknown> = d;
  const flows = obj(d.flows);
  for (const [oas3, swagger2] of OAS3_FLOWS) {
    if (flows[oas3]) {
      flow = swagger2;
      f = obj(flows[oas3]);
      break;
    }
  }
  return {
    identityProvider: 'oauth2',
    flow,
    authorizationUrl: str(f.authorizationUrl),
    tokenUrl: str(f.tokenUrl),
    refreshUrl: str(f.refreshUrl),
    scopes: Object.keys(obj(f.scopes)),
    customParameters: {},
  };
}
