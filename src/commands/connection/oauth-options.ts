import { defineOptions, type OptionSpec } from '../spec.js';

/** The OAuth 2.0 flows `--flow` takes (`auto` picks browser or device). */
export const FLOWS = ['auto', 'browser', 'device', 'client-credentials'] as const;

const flow: OptionSpec = { flags: '--flow <flow>', description: 'OAuth 2.0 flow', choices: FLOWS, default: 'auto' };
const redirectHost: OptionSpec = { flags: '--redirect-host <host>', description: 'loopback redirect host: 127.0.0.1 (default) or localhost' };
const redirectPort: OptionSpec = { flags: '--redirect-port <port>', description: 'fixed loopback redirect port (default: a random free port)' };

/** Every OAuth flag of `connection create`: the flow, the provider and client, the loopback redirect. */
export const oauthOptions = defineOptions({
  group: 'OAuth 2.0',
  options: [
    flow,
    { flags: '--provider <name>', description: 'OAuth preset: github, google, microsoft, entra, docusign, facebook, or an OpenID issuer URL' },
    { flags: '--client-id <id>', description: 'OAuth client (application) id' },
    { flags: '--client-secret-env <VAR>', description: 'read the OAuth client secret from an environment variable' },
    { flags: '--client-secret-stdin', description: 'read the OAuth client secret from standard input' },
    { flags: '--scope <scope>', description: 'OAuth scope (repeatable)', repeatable: true },
    { flags: '--tenant <tenant>', description: 'Entra ID tenant: common, organizations, consumers or a tenant id' },
    { flags: '--certificate <file>', description: 'PEM certificate + private key for Entra ID client assertions' },
    redirectHost,
    redirectPort,
  ],
});

/**
 * The flags of a new sign-in (`connection login`): the same flow and redirect options.
 * A stored connection keeps the port it was created with, hence no "random" default here.
 */
export const signInOptions = defineOptions({
  group: 'OAuth 2.0 sign-in',
  options: [flow, redirectHost, { ...redirectPort, description: 'fixed loopback redirect port' }],
});

/** The values commander gives an action for the options of `oauthOptions`. */
export interface OAuthFlags {
  flow?: (typeof FLOWS)[number];
  provider?: string;
  clientId?: string;
  clientSecretEnv?: string;
  clientSecretStdin?: boolean;
  scope?: string[];
  tenant?: string;
  certificate?: string;
  redirectHost?: string;
  redirectPort?: string;
}

/** The values of `signInOptions`. */
export type SignInFlags = Pick<OAuthFlags, 'flow' | 'redirectHost' | 'redirectPort'>;
