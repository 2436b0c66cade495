import { UsageError } from '../errors.js';

/** The auth kinds `connector init --auth` writes (pac connector init's five, plus Windows behind a gateway). */
export const INIT_AUTH_KINDS = ['none', 'basic', 'apikey', 'oauth2', 'oauth2-aad', 'windows'] as const;
export type InitAuthKind = (typeof INIT_AUTH_KINDS)[number];

/** What an auth kind needs beyond its name; every field is also an `init` flag. */
export interface AuthAnswers {
  kind: InitAuthKind;
  /** apikey: the header or query parameter name, and where it goes. */
  apiKeyName?: string;
  apiKeyIn?: 'header' | 'query';
  /** oauth2: the platform's identity provider (oauth2, github, google, microsoftaccount, facebook) and endpoints. */
  identityProvider?: string;
  authorizationUrl?: string;
  tokenUrl?: string;
  refreshUrl?: string;
  scopes?: string[];
  clientId?: string;
  /** oauth2-aad: the resource the token is for (customParameters.resourceUri). */
  resourceUri?: string;
}

/** Connection parameters (apiProperties) and the Swagger securityDefinitions that go with them. */
export interface AuthParts {
  securityDefinitions: Record<string, unknown>;
  connectionParameters: Record<string, unknown>;
  capabilities: string[];
}

const MS_LOGIN = 'https://login.microsoftonline.com';

/**
 * `--provider` presets: the identity provider id the platform uses and its endpoints. aad/entra
 * make an oauth2-aad connector; the others are oauth2 with that identity provider.
 */
export const PROVIDERS: Record<string, { identityProvider: string; authorizationUrl: string; tokenUrl: string; scopes?: string[] }> = {
  aad: { identityProvider: 'aad', authorizationUrl: `${MS_LOGIN}/common/oauth2/authorize`, tokenUrl: `${MS_LOGIN}/common/oauth2/token` },
  microsoftaccount: {
    identityProvider: 'microsoftaccount',
    authorizationUrl: 'https://login.live.com/oauth20_authorize.srf',
    tokenUrl: 'https://login.live.com/oauth20_token.srf',
  },
  github: { identityProvider: 'github', authorizationUrl: 'https://github.com/login/oauth/authorize', tokenUrl: 'https://github.com/login/oauth/access_token' },
  google: { identityProvider: 'google', authorizationUrl: 'https://accounts.google.com/o/oauth2/v2/auth', tokenUrl: 'https://oauth2.googleapis.com/token' },
  facebook: {
    identityProvider: 'facebook',
    authorizationUrl: 'https://www.facebook.com/dialog/oauth',
    tokenUrl: 'https://graph.facebook.com/oauth/access_token',
  },
};
const ALIASES: Record<string, string> = { entra: 'aad', 'entra-id': 'aad', azuread: 'aad', microsoft: 'microsoftaccount', msa: 'microsoftaccount' };

/** A `--provider` value as a preset key, or a usage error listing the known ones. */
export function providerPreset(name: string): string {
  const key = ALIASES[name.toLowerCase()] ?? name.toLowerCase();
  if (!PROVIDERS[key]) throw new UsageError(`unknown --provider '${name}'`, `Known providers: ${[...Object.keys(PROVIDERS), 'entra'].join(', ')}.`);
  return key;
}

/** Where OAuth connectors send the user back (what the platform writes as redirectUrl). */
const REDIRECT_URL = 'https://global.consent.azure-apim.net/redirect';
/** Placeholder the maker replaces (paconn uploads the client secret from its --secret flag, never a file). */
export const CLIENT_ID_PLACEHOLDER = '[YOUR_CLIENT_ID]';

const secure = (displayName: string, description: string, tabIndex: number, clearText = false) => ({
  type: 'securestring',
  uiDefinition: { displayName, description, tooltip: description, constraints: { tabIndex, clearText, required: 'true' } },
});

/**
 * The securityDefinitions and connectionParameters the platform itself writes when a custom
 * connector of this kind is saved (shapes as in published connectors: basic = username/password
 * securestrings, API key = `api_key`, OAuth = a `token` oauthSetting, Windows = the gateway
 * parameters of an on-premises connector).
 */
export function authParts(a: AuthAnswers): AuthParts {
  switch (a.kind) {
    case 'none':
      return { securityDefinitions: {}, connectionParameters: {}, capabilities: [] };
    case 'basic':
      return {
        securityDefinitions: { basic_auth: { type: 'basic' } },
        connectionParameters: {
          username: secure('Username', 'The username for this API', 2, true),
          password: secure('Password', 'The password for this API', 3),
        },
        capabilities: [],
      };
    case 'apikey': {
      const name = a.apiKeyName ?? 'X-API-Key';
      return {
        securityDefinitions: { 'API Key': { type: 'apiKey', in: a.apiKeyIn ?? 'header', name } },
        connectionParameters: { api_key: secure('API Key', 'The API Key for this api', 2) },
        capabilities: [],
      };
    }
    case 'oauth2': {
      const scopes = a.scopes ?? [];
      const provider = a.identityProvider ?? 'oauth2';
      const authorizationUrl = a.authorizationUrl!;
      const tokenUrl = a.tokenUrl!;
      const settings: Record<string, unknown> = {
        identityProvider: provider,
        clientId: a.clientId ?? CLIENT_ID_PLACEHOLDER,
        scopes,
        redirectMode: 'Global',
        redirectUrl: REDIRECT_URL,
        properties: { IsFirstParty: 'False', IsOnbehalfofLoginSupported: false },
      };
      // Only the generic provider reads its endpoints from customParameters; named ones have them built in.
      if (provider === 'oauth2') {
        settings.customParameters = {
          authorizationUrl: { value: authorizationUrl },
          tokenUrl: { value: tokenUrl },
          refreshUrl: { value: a.refreshUrl ?? tokenUrl },
        };
      }
      return {
        securityDefinitions: { oauth2_auth: oauthDefinition(authorizationUrl, tokenUrl, scopes) },
        connectionParameters: { token: { type: 'oauthSetting', oAuthSettings: settings } },
        capabilities: [],
      };
    }
    case 'oauth2-aad': {
      const scopes = a.scopes ?? [];
      const resourceUri = a.resourceUri!;
      const login = MS_LOGIN;
      return {
        securityDefinitions: {
          oauth2_auth: oauthDefinition(`${login}/common/oauth2/authorize`, `${login}/common/oauth2/token`, scopes),
        },
        connectionParameters: {
          token: {
            type: 'oauthSetting',
            oAuthSettings: {
              identityProvider: 'aad',
              clientId: a.clientId ?? CLIENT_ID_PLACEHOLDER,
              scopes,
              redirectMode: 'Global',
              redirectUrl: REDIRECT_URL,
              properties: { IsFirstParty: 'False', AzureActiveDirectoryResourceId: resourceUri, IsOnbehalfofLoginSupported: false },
              customParameters: {
                loginUri: { value: login },
                tenantId: { value: 'common' },
                resourceUri: { value: resourceUri },
                enableOnbehalfOfLogin: { value: 'false' },
              },
            },
          },
          'token:TenantId': {
            type: 'string',
            metadata: { sourceType: 'AzureActiveDirectoryTenant' },
            uiDefinition: {
              constraints: { required: 'false', hidden: 'true' },
              description: 'The tenant ID of for the Azure Active Directory application',
              displayName: 'Tenant',
            },
          },
        },
        capabilities: [],
      };
    }
    case 'windows': {
      const gateway = { capability: ['gateway'] };
      const described = (displayName: string, description: string) => ({ displayName, description, tooltip: description });
      return {
        securityDefinitions: {},
        connectionParameters: {
          authType: {
            type: 'string',
            allowedValues: [{ value: 'windows' }],
            uiDefinition: {
              ...described('Authentication Type', 'Authentication type to connect to your API'),
              constraints: { tabIndex: 1, required: 'true', allowedValues: [{ text: 'Windows', value: 'windows' }], ...gateway },
            },
          },
          username: {
            type: 'securestring',
            uiDefinition: { ...described('Username', 'Username credential'), constraints: { tabIndex: 2, clearText: true, required: 'true', ...gateway } },
          },
          password: {
            type: 'securestring',
            uiDefinition: { ...described('Password', 'Password credential'), constraints: { tabIndex: 3, clearText: false, required: 'true', ...gateway } },
          },
          gateway: {
            type: 'gatewaySetting',
            gatewaySettings: { dataSourceType: 'CustomConnector', connectionDetails: [] },
            uiDefinition: { constraints: { tabIndex: 4, required: 'true', ...gateway } },
          },
        },
        // The platform marks an on-premises connector with the gateway capability.
        capabilities: ['gateway'],
      };
    }
  }
}

function oauthDefinition(authorizationUrl: string, tokenUrl: string, scopes: string[]) {
  return { type: 'oauth2', flow: 'accessCode', authorizationUrl, tokenUrl, scopes: Object.fromEntries(scopes.map((s) => [s, s])) };
}

/**
 * The auth answers a Swagger 2.0 definition already implies (for `init --from` without
 * --auth): its first security definition. Undefined when it has none.
 */
export function answersFromDefinition(definition: Record<string, unknown>): AuthAnswers | undefined {
  const defs = definition.securityDefinitions;
  if (!defs || typeof defs !== 'object') return undefined;
  const first = Object.values(defs as Record<string, Record<string, unknown>>)[0];
  if (!first || typeof first !== 'object') return undefined;
  const s = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
  switch (first.type) {
    case 'basic':
      return { kind: 'basic' };
    case 'apiKey':
      return { kind: 'apikey', apiKeyName: s(first.name), apiKeyIn: first.in === 'query' ? 'query' : 'header' };
    case 'oauth2': {
      const scopes = first.scopes && typeof first.scopes === 'object' ? Object.keys(first.scopes) : [];
      const authorizationUrl = s(first.authorizationUrl);
      if (authorizationUrl && /^https:\/\/login\.(microsoftonline\.com|windows\.net)\//i.test(authorizationUrl)) return { kind: 'oauth2-aad', scopes };
      return { kind: 'oauth2', authorizationUrl, tokenUrl: s(first.tokenUrl), scopes };
    }
    default:
      return undefined;
  }
}
