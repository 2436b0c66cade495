import type { IFunctionResult } from '@stoplight/spectral-core';
import { closest } from '../../util/suggest.js';
import { documentFunction, documentRule, type JsonPath, perDocument } from './swagger-ops.js';
import type { ConnectorFiles, RulesetRule } from '../files.js';

/**
 * `x-ms-*` keys the platform reads (Microsoft Learn "Extend an OpenAPI definition for a custom connector", the
 * Swagger validator's rules and the PowerPlatformConnectors schema), plus the AutoRest ones published connectors
 * carry over from Azure specs (the platform ignores those, and certification accepts them).
 */
export const KNOWN_EXTENSIONS = [
  // Power Platform
  'x-ms-summary',
  'x-ms-visibility',
  'x-ms-api-annotation',
  'x-ms-operation-context',
  'x-ms-capabilities',
  'x-ms-trigger',
  'x-ms-trigger-hint',
  'x-ms-trigger-metadata',
  'x-ms-notification',
  'x-ms-notification-content',
  'x-ms-notification-url',
  'x-ms-url-encoding',
  'x-ms-dynamic-values',
  'x-ms-dynamic-list',
  'x-ms-dynamic-schema',
  'x-ms-dynamic-properties',
  'x-ms-dynamic-tree',
  'x-ms-enum-values',
  'x-ms-test-value',
  'x-ms-no-generic-test',
  'x-ms-pageable',
  'x-ms-connector-metadata',
  'x-ms-deployment-version',
  'x-ms-editor',
  'x-ms-editor-options',
  'x-ms-media-kind',
  'x-ms-safe-operation',
  'x-ms-require-user-confirmation',
  'x-ms-keywords',
  'x-ms-openai-data',
  'x-ms-openai-manifest',
  'x-ms-property-name-alias',
  'x-ms-explicit-only',
  'x-ms-sensitivity',
  // AutoRest (Azure specs)
  'x-ms-enum',
  'x-ms-client-name',
  'x-ms-client-flatten',
  'x-ms-azure-resource',
  'x-ms-mutability',
  'x-ms-parameter-location',
  'x-ms-parameter-grouping',
  'x-ms-long-running-operation',
  'x-ms-long-running-operation-options',
  'x-ms-discriminator-value',
  'x-ms-identifiers',
  'x-ms-secret',
  'x-ms-examples',
  'x-ms-paths',
  'x-ms-odata',
  'x-ms-error-response',
  'x-ms-skip-url-encoding',
  'x-ms-header-collection-prefix',
  'x-ms-client-request-id',
  'x-ms-external',
  'x-ms-api-version',
  'x-ms-docs',
  'x-ms-docs-operation-type',
  'x-ms-navigationProperty',
  'x-ms-primary-error-message',
  'x-ms-async-operation-timeout',
];

const KNOWN = new Set(KNOWN_EXTENSIONS);

/** Objects whose keys are names the author chose (property, definition, parameter, … names), not keywords. */
const NAME_MAPS = new Set(['properties', 'definitions', 'parameters', 'responses', 'securityDefinitions', 'patternProperties', 'headers', 'scopes', 'paths']);
/** Values that are data, not schema: never looked into. */
const DATA = new Set(['example', 'examples', 'default', 'enum', 'x-ms-test-value', 'x-ms-enum-values', 'x-ms-examples', 'const']);
/** Extension values that hold schemas with extensions of their own. */
const SCHEMA_EXTENSIONS = new Set(['x-ms-notification-content']);

interface Hit {
  key: string;
  path: JsonPath;
  suggestion?: string;
}

/** Every unknown `x-ms-` key, each with the known extension it is a slip of (when one is near). */
export const unknownExtensions = perDocument((doc: any): Hit[] => {
  const hits: Hit[] = [];
  // One path stack, copied only for a hit: the walk visits every node of a 1 MB swagger.
  const path: JsonPath = [];
  const walk = (node: any, namesHere: boolean) => {
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        path.push(i);
        walk(node[i], false);
        path.pop();
      }
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    for (const key of Object.keys(node)) {
      const value = node[key];
      path.push(key);
      if (namesHere) walk(value, false);
      else if (key.startsWith('x-') || key.startsWith('X-')) {
        if (/^x-ms-/i.test(key)) {
          if (!KNOWN.has(key)) hits.push({ key, path: [...path], suggestion: suggest(key) });
          if (SCHEMA_EXTENSIONS.has(key)) walk(value, false);
        }
      } else if (!DATA.has(key)) walk(value, NAME_MAPS.has(key) && !(key === 'parameters' && Array.isArray(value)));
      path.pop();
    }
  };
  walk(doc, false);
  return hits;
});

function suggest(key: string): string | undefined {
  const exact = KNOWN_EXTENSIONS.find((k) => k.toLowerCase() === key.toLowerCase());
  if (exact) return exact;
  // Compare the part after x-ms- so the shared prefix does not make every name look near.
  const tail = key.slice(5).toLowerCase();
  const [best] = closest(
    tail,
    KNOWN_EXTENSIONS.map((k) => k.slice(5)),
    1,
  );
  if (!best) return undefined;
  // closest() is generous (half the length); a slip is a couple of edits, or the name with words swapped/cut.
  const near = distanceOk(tail, best.toLowerCase());
  return near ? `x-ms-${best}` : undefined;
}

function distanceOk(a: string, b: string): boolean {
  if (a === b) return true;
  const limit = Math.max(1, Math.min(3, Math.floor(b.length / 4)));
  return lev(a, b) <= limit || a.replace(/-/g, '') === b.replace(/-/g, '');
}

function lev(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return row[b.length];
}

/** Rules on x-ms-* extension names (swagger). */
export function rules(_files: ConnectorFiles): Record<string, RulesetRule> {
  const misspelled = documentFunction((doc): IFunctionResult[] =>
    unknownExtensions(doc)
      .filter((h) => h.suggestion)
      .map((h) => ({
        message: `'${h.key}' is not an extension the platform knows, so it is ignored: did you mean '${h.suggestion}'? Rename the key.`,
        path: h.path,
      })),
  );
  const unknown = documentFunction((doc): IFunctionResult[] =>
    unknownExtensions(doc)
      .filter((h) => !h.suggestion)
      .map((h) => ({
        message: `'${h.key}' is not an x-ms- extension the platform knows; it is ignored. Remove it, or name your own data x-<something> without ms-.`,
        path: h.path,
      })),
  );
  return {
    'extensions-misspelled': documentRule('An x-ms-* key is a misspelling of an extension the platform knows.', 'error', misspelled),
    'extensions-unknown': documentRule('An x-ms-* key the platform does not know.', 'warn', unknown),
  };
}
