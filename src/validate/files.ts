/**
 * The files of one connector as the validator sees them (issue 11). Rule modules
 * (src/validate/rules/*.ts) code against this shape: the swagger document always, the
 * other paconn files when the target has them. `text` is the exact text read (locations
 * point into it); `doc` is its parsed value (lenient: comments and trailing commas are
 * accepted here and reported by the `json-strict` rule).
 */
export type { RuleDefinition as RulesetRule } from '@stoplight/spectral-core';

/** One parsed JSON/YAML file of a connector. */
export interface ConnectorFile {
  /** What findings name: a path relative to the cwd where possible, or `<name> (registry)`. */
  readonly path: string;
  readonly text: string;
  readonly doc: any;
}

export interface ConnectorFiles {
  readonly swagger: ConnectorFile;
  readonly apiProperties?: ConnectorFile;
  readonly settings?: ConnectorFile;
  readonly script?: { readonly path: string; readonly text: string };
  /** What the swagger document is: the platform takes Swagger 2.0 only. */
  readonly format: 'swagger2' | 'openapi3.0' | 'openapi3.1';
}
