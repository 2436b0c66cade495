/**
 * Stand-in for src/validate/files.ts until the engine lands: the same ConnectorFiles shape (issue 11 brief), so the
 * lead can swap `./types-local2.js` for `../files.js` in the rule modules and delete this file.
 */
export type { RuleDefinition as RulesetRule } from '@stoplight/spectral-core';

/** One parsed JSON/YAML file of a connector. */
export interface ConnectorFile {
  readonly path: string;
  readonly text: string;
  readonly doc: any;
}

export interface ConnectorFiles {
  readonly swagger: ConnectorFile;
  readonly apiProperties?: ConnectorFile;
  readonly settings?: ConnectorFile;
  readonly script?: { readonly path: string; readonly text: string };
  readonly format: 'swagger2' | 'openapi3.0' | 'openapi3.1';
}
