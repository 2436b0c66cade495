import type { ResolvedConnection } from '../connections/types.js';

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
}

export interface HttpResult {
  status: number;
  statusText: string;
  headers: Record<string, string | string[]>;
  body: Buffer;
  /** The request that was (or would be) sent, secrets redacted. */
  request: { method: string; url: string; headers: Record<string, string> };
  durationMs: number;
}
