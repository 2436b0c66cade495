/**
 * The connector model. A ConnectorRecord is what the registry stores: the
 * definition exactly as imported (every x-ms-* extension kept verbatim, external
 * $refs bundled in) plus the paconn side files. Everything else (operations,
 * connection model, policies) is derived from it by src/spec/normalize.ts.
 */
export type SpecFormat = 'swagger2' | 'openapi3.0' | 'openapi3.1';
export type SourceKind = 'file' | 'url' | 'paconn' | 'yaml';

export interface ConnectorRecord {
  /** Registry name: lower-case slug, no path separators. */
  name: string;
  title: string;
  version?: string;
  specFormat: SpecFormat;
  source: { kind: SourceKind; location: string };
  importedAt: string;
  /** The API definition (Swagger 2.0 or OpenAPI 3.x), external refs bundled, nothing else changed. */
  definition: Record<string, unknown>;
  /** paconn apiProperties.json, verbatim (its top-level object, usually `{ properties: {...} }`). */
  apiProperties?: Record<string, unknown>;
  /** paconn settings.json, verbatim. */
  settings?: Record<string, unknown>;
  /** script.csx text: imported and flagged, never run (C# custom code cannot run locally). */
  script?: string;
  /** icon.png as base64. */
  icon?: string;
}

export type ParameterType = 'securestring' | 'string' | 'int' | 'bool' | 'oauthSetting' | 'gatewaySetting' | 'clientCertificate' | 'object';

export interface OAuthSetting {
  identityProvider: string;
  clientId?: string;
  scopes?: string[];
  redirectMode?: string;
  redirectUrl?: string;
  /** customParameters flattened to their `value`s (loginUri, tenantId, resourceUri, authorizationUrl, ...). */
  customParameters: Record<string, string>;
  /** oAuthSettings.additionalParameters: when a customParameters entry applies (NetDocuments' per-region values). */
  additionalParameters?: Record<string, { applicableWhen?: { parameter: string; oneOf: (string | null)[] }[] }>;
  /** From Swagger securityDefinitions (type oauth2) when present. */
  flow?: string;
  authorizationUrl?: string;
  tokenUrl?: string;
  refreshUrl?: string;
}

export interface ConnectionParameter {
  name: string;
  type: ParameterType;
  /** Goes to the secret store, never the registry. */
  secret: boolean;
  label: string;
  description?: string;
  tooltip?: string;
  required: boolean;
  hidden: boolean;
  clearText?: boolean;
  allowedValues?: { text: string; value: string }[];
  default?: string;
  tabIndex?: number;
  oauth?: OAuthSetting;
}

/** The kinds of src/auth/kinds.ts ('none' | 'basic' | 'apiKey' | 'oauth2' | 'windows' | 'gateway' | 'custom'). */
export type { AuthKind } from './auth/kinds.js';
import type { AuthKind } from './auth/kinds.js';

/** One way to create a connection: a connectionParameterSet, a securityDefinition, or the flat parameter list. */
export interface AuthOption {
  id: string;
  label: string;
  /** The parameter set's uiDefinition description, shown beside its label in the picker. */
  description?: string;
  kind: AuthKind;
  parameters: ConnectionParameter[];
  /** For apiKey: where the key goes on the wire, and which parameter holds it. */
  apiKey?: { name: string; in: 'header' | 'query'; parameter: string };
  /** For basic: which parameters hold username and password. */
  basic?: { username: string; password: string };
}

export interface ConnectionModel {
  /** Empty means no connection is needed. Several means the user picks one. */
  options: AuthOption[];
  /** The connectionParameterSets' own uiDefinition: the picker's question and its hint. */
  picker?: { label?: string; description?: string };
}

export interface OperationSummary {
  operationId: string;
  method: string;
  path: string;
  summary?: string;
  description?: string;
  deprecated?: boolean;
  /** x-ms-visibility of the operation (important, advanced, internal). */
  visibility?: string;
  /** Names of the security schemes that apply (empty: no auth). */
  auth: string[];
  /** x-ms-trigger when the operation is a trigger. */
  trigger?: string;
}

export interface PolicyTemplateInstance {
  templateId: string;
  title?: string;
  parameters: Record<string, unknown>;
}

/** What `show`, `operations`, `list` and the index are built from. */
export interface ConnectorSummary {
  name: string;
  title: string;
  version?: string;
  specFormat: SpecFormat;
  description?: string;
  host?: string;
  basePath?: string;
  publisher?: string;
  operationCount: number;
  authKinds: AuthKind[];
  source: { kind: SourceKind; location: string };
  importedAt: string;
  hasScript: boolean;
}
