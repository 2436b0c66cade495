import type { ResolvedConnection } from '../connections/types.js';
import type { Redactor } from './redact.js';

export type ParamValue = string | string[];

export interface CallOptions {
  /** Operation parameters by name (`-p name=value`; repeated names become arrays). */
  params: Record<string, ParamValue>;
  /** Raw request body text (JSON or otherwise) for a body parameter / requestBody. */
  body?: string;
  /** Extra headers from -H. */
  headers?: Record<string, string>;
  baseUrl?: string;
  timeoutMs?: number;
  retries?: number;
  connection?: ResolvedConnection;
  allowInsecureHttp?: boolean;
  /** Build but do not send. */
  dryRun?: boolean;
  /** First retry backoff step in ms (tests shorten it). */
  retryBaseDelayMs?: number;
  /** --show-secrets: --verbose prints the response's cookies and token headers as received. */
  showSecrets?: boolean;
  /**
   * Parameters whose values the connector itself declares (a dynamic-values source's fixed
   * inputs): sent as declared, as the platform sends them, even where they break their own
   * schema (a fixed api-version outside the enum); a mismatch is one warning, not a refusal.
   */
  declared?: readonly string[];
}

export interface HttpResult {
  status: number;
  statusText: string;
  headers: Record<string, string | string[]>;
  body: Buffer;
  /** The request that was (or would be) sent, secrets redacted. */
  request: { method: string; url: string; headers: Record<string, string> };
  durationMs: number;
  /** Masks every secret this call used, tokens renewed during it included: for anything printed of the response. */
  redactor?: Redactor;
  /** A response policy (setconnectionstatustounauthenticated, its title) says the platform would now make this connection sign in again. */
  unauthenticated?: string;
}

/** A file read from `-p name=@path` for a formData file parameter. */
export interface FilePart {
  filename: string;
  content: Buffer;
  contentType?: string;
}

/**
 * A request being assembled: request building, then auth, then policies edit it
 * in place; the URL is computed from its parts only when it is sent.
 */
export interface PreparedRequest {
  operationId: string;
  method: string;
  /** scheme://host[:port] + basePath, no trailing slash (dynamichosturl replaces it). */
  base: string;
  /** The path with path parameters substituted and encoded. */
  path: string;
  /** Raw (unencoded) path parameter values, for policies that rewrite the path. */
  pathValues: Record<string, string>;
  /** Query pairs, raw; encoded when the URL is built. */
  query: [string, string][];
  headers: Record<string, string>;
  body?: Buffer;
  /** The parsed JSON body when the body is JSON (setproperty edits it; re-serialised on send). */
  json?: unknown;
  /** What must never be printed: header names, query names, and literal values. */
  secretHeaders: Set<string>;
  secretQuery: Set<string>;
  secretValues: Set<string>;
  /** True once an auth scheme or policy put a credential on the request. */
  carriesCredentials: boolean;
}

/** What came back from the wire, before output formatting. */
export interface RawResponse {
  status: number;
  statusText: string;
  headers: Record<string, string | string[]>;
  body: Buffer;
}
