import type { PolicyTemplateInstance } from '../../model.js';
import type { PreparedRequest, RawResponse } from '../../http/types.js';
import type { ExprScope } from '../expressions.js';

export interface PolicyOptions {
  /** Connection parameter values (secrets included). */
  connectionValues: Record<string, string>;
  /** Which values are secret (they become redacted when a policy copies them onto the request). */
  secretNames?: Set<string>;
  /** --base-url given: dynamichosturl must not override it. */
  baseUrlFixed?: boolean;
  warn?: (message: string) => void;
  /**
   * One line per policy that fired, saying what it changed: `policy <id> (<title>): <change>`.
   * Header and query values that are secret by name are already masked; other values are
   * whole: the caller masks known secret values (the request's secretValues) in the full
   * line first, then shortens it.
   */
  trace?: (line: string) => void;
  /**
   * Sends a request a policy makes on its own (setvaluefromurl), with the request's credentials;
   * absent (as under --dry-run): such a policy is not run and says so.
   */
  send?: (req: PreparedRequest) => Promise<RawResponse>;
}

/** What one template's apply gets: the request, its parameters, and the expression scope. */
export interface PolicyRun {
  req: PreparedRequest;
  instance: PolicyTemplateInstance;
  /** `x-ms-apimTemplateParameter.<name>` as a string ('' when absent). */
  param(name: string): string;
  /** The raw parameter (a number, an object) when the template reads one. */
  raw(name: string): unknown;
  scope: ExprScope;
  opts: PolicyOptions;
  /** Say what changed (one call: one trace line). */
  changed(what: string): void;
}

/** A request-side template: `apply` edits `run.req` in place. */
export interface RequestTemplate {
  apply(run: PolicyRun): void | Promise<void>;
}
