/**
 * Secret-store parameter names of an OAuth connection (a ':' never occurs in a connector's own
 * parameter names). A module of their own so the plug-in can name them without loading the sign-in code.
 */
export const TOKENS = 'oauth:tokens';
export const CLIENT_SECRET = 'oauth:client_secret';
export const CERTIFICATE = 'oauth:certificate';
export const OAUTH_SECRETS = [TOKENS, CLIENT_SECRET, CERTIFICATE];
