// biome-ignore-all lint/suspicious/noThenProperty: `then` is the Spectral rule format (given → then: { field, function }), never awaited.
/**
 * Section "operations": what every operation, parameter and body property needs before the platform (and its
 * certification) takes the connector. Sources, quoted per rule: "Extend an OpenAPI definition for a custom connector"
 * (learn.microsoft.com/connectors/custom-connectors/openapi-extensions, source microsoft/powerplatform-developerhub
 * docs/custom-connectors/openapi-extensions.md), the certification checklist (…/certification-submission) and the
 * named errors of the repository's Swagger validator on microsoft/PowerPlatformConnectors pull requests.
 */
import { createRulesetFunction, type RulesetFunction } from '@stoplight/spectral-core';
import { enumeration, pattern, truthy } from '@stoplight/spectral-functions';
import type { ConnectorFiles, RulesetRule } from '../files.js';

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head'];
const OPERATIONS = `$.paths[*][${METHODS.join(',')}]`;
/**
 * Operations a maker sees: an internal one (x-ms-visibility) only feeds dynamic values or webhooks, and published
 * certified connectors (DocuSign, Azure IoT Central, Egnyte in the corpus) leave their summaries out.
 */
const VISIBLE = `$.paths[*][?(@property.match(/^(${METHODS.join('|')})$/) && @['x-ms-visibility'] != 'internal')]`;
/** Operation-level, path-level and document-level (shared) parameters. */
const PARAMETERS = [`${OPERATIONS}.parameters[*]`, '$.paths[*].parameters[*]', '$.parameters[*]'];
/** The same, without the parameters of internal operations. */
const VISIBLE_PARAMETERS = [`${VISIBLE}.parameters[*]`, '$.paths[*].parameters[*]', '$.parameters[*]'];
const EXTENSIONS = 'openapi-extensions (learn.microsoft.com/connectors/custom-connectors/openapi-extensions)';
const CHECKLIST = 'Certification checklist (learn.microsoft.com/connectors/custom-connectors/certification-submission)';

type Found = { message: string; path?: (string | number)[] };

/** A custom function without options: `check` returns what it found wrong, with paths relative to its input. */
function fn<I>(check: (input: I) => Found[]): RulesetFunction<I, null> {
  return createRulesetFunction<I, null>({ input: null, options: null }, (input, _opts, ctx) =>
    check(input).map((r) => ({ message: r.message, path: [...ctx.path, ...(r.path ?? [])] })),
  );
}

const isInternal = (node: any) => node?.['x-ms-visibility'] === 'internal';
/** The platform fills a webhook's notification URL itself: it is internal and required without a default. */
const isNotificationUrl = (node: any) => node?.['x-ms-notification-url'] === true || node?.['x-ms-notification-url'] === 'true';

/**
 * Every property of a body schema, depth first, through properties, items and allOf (the document is resolved, so
 * $refs are already followed; `seen` stops at a cycle). `visit` gets the property, its name, whether the parent lists
 * it as required, and its path relative to the schema.
 */
function walkProperties(schema: any, visit: (prop: any, name: string, required: boolean, path: (string | number)[]) => void) {
  const seen = new Set<any>();
  const go = (s: any, path: (string | number)[]) => {
    if (!s || typeof s !== 'object' || seen.has(s)) return;
    seen.add(s);
    const required: unknown[] = Array.isArray(s.required) ? s.required : [];
    if (s.properties && typeof s.properties === 'object') {
      for (const [name, prop] of Object.entries<any>(s.properties)) {
        if (!prop || typeof prop !== 'object') continue;
        visit(prop, name, required.includes(name), [...path, 'properties', name]);
        go(prop, [...path, 'properties', name]);
      }
    }
    if (s.items) go(s.items, [...path, 'items']);
    if (Array.isArray(s.allOf)) s.allOf.forEach((sub: any, i: number) => go(sub, [...path, 'allOf', i]));
  };
  go(schema, []);
}

export function rules(_files: ConnectorFiles): Record<string, RulesetRule> {
  return {
    'operation-id-present': {
      description: `Every operation needs an operationId: the platform names the action by it and flows refer to it (${EXTENSIONS}; paconn create refuses an operation without one).`,
      message: 'This operation has no operationId: add a unique one without spaces (e.g. "ListContacts").',
      severity: 'error',
      given: OPERATIONS,
      then: { field: 'operationId', function: truthy },
    },
    'operation-id-unique': {
      description:
        'Operation ids must be unique in the definition; the platform compares them case-insensitively (a flow stores the id, so two that differ only in case clash).',
      message: '{{error}}',
      severity: 'error',
      given: '$.paths',
      then: {
        function: fn<Record<string, any>>((paths) => {
          const seen = new Map<string, string>();
          const out: Found[] = [];
          for (const [p, item] of Object.entries(paths ?? {})) {
            // Document order, so the second one written is the one reported.
            for (const m of Object.keys(item ?? {}).filter((k) => METHODS.includes(k))) {
              const id = item[m]?.operationId;
              if (typeof id !== 'string' || id === '') continue;
              const first = seen.get(id.toLowerCase());
              if (first === undefined) seen.set(id.toLowerCase(), id);
              else
                out.push({
                  message: `The operationId "${id}" is already used${first === id ? '' : ` (as "${first}")`}: give this operation another one.`,
                  path: [p, m, 'operationId'],
                });
            }
          }
          return out;
        }),
      },
    },
    'operation-id-no-spaces': {
      description: 'An operationId is an identifier in flows and Power Fx formulas: no spaces or other whitespace.',
      message: 'The operationId "{{value}}" contains whitespace: remove it (e.g. "GetContact" instead of "Get contact").',
      severity: 'error',
      given: `${OPERATIONS}.operationId`,
      then: { function: pattern, functionOptions: { notMatch: '\\s' } },
    },
    'operation-summary': {
      description: `${EXTENSIONS}: "summary" is the title of the action; ${CHECKLIST}: summaries "must exist and be written in English". Internal operations are exempt.`,
      message: 'This operation has no summary: add a short phrase naming the action (e.g. "Send an email").',
      severity: 'error',
      given: VISIBLE,
      then: { field: 'summary', function: truthy },
    },
    'operation-description': {
      description: `${CHECKLIST}: operation descriptions "must exist" and "should be full, descriptive sentences". Internal operations are exempt.`,
      message: 'This operation has no description: add a sentence saying what it does.',
      severity: 'error',
      given: VISIBLE,
      then: { field: 'description', function: truthy },
    },
    'operation-description-punctuation': {
      description: `${CHECKLIST}: "Operation and parameter descriptions should be full, descriptive sentences, and end in punctuation".`,
      message: 'This description does not end in punctuation: end the sentence with ".", "!" or "?".',
      severity: 'warn',
      given: [`${VISIBLE}.description`, ...VISIBLE_PARAMETERS.map((p) => `${p}.description`)],
      then: { function: fn<unknown>((d) => (typeof d === 'string' && d.trim() !== '' && !/[.!?)"'…:]$/u.test(d.trim()) ? [{ message: '' }] : [])) },
    },
    'operation-summary-period': {
      description: `${CHECKLIST}: summaries are "phrases" that "contain only alphanumeric characters or parentheses", so no closing period.`,
      message: 'This summary ends with a period: drop it (a summary is a phrase, not a sentence).',
      severity: 'warn',
      given: `${VISIBLE}.summary`,
      then: { function: pattern, functionOptions: { notMatch: '\\.\\s*$' } },
    },
    'operation-parameter-summary': {
      description: `Swagger validator: "The 'x-ms-summary' property is required. ValuePath: /paths/…/parameters/N" (PowerPlatformConnectors#1003, #4041). Body parameters (their properties are checked instead) and internal parameters (never shown) are exempt.`,
      message: '{{error}}',
      severity: 'error',
      given: VISIBLE_PARAMETERS,
      then: {
        function: fn<any>((p) =>
          p &&
          typeof p === 'object' &&
          !p.$ref &&
          p.in !== 'body' &&
          !isInternal(p) &&
          !(typeof p['x-ms-summary'] === 'string' && p['x-ms-summary'].trim() !== '')
            ? [{ message: `Parameter '${p.name}' has no x-ms-summary: add the title the maker sees (title case, e.g. "Contact ID").` }]
            : [],
        ),
      },
    },
    'operation-parameter-description': {
      description: `Swagger validator: "The 'description' property is required. ValuePath: /paths/…/parameters/N" (PowerPlatformConnectors#4160, #3407). Internal parameters and body parameters are exempt (452 body parameters of published connectors in the corpus have none: the validator does not ask for it there).`,
      message: '{{error}}',
      severity: 'error',
      given: VISIBLE_PARAMETERS,
      then: {
        function: fn<any>((p) =>
          p && typeof p === 'object' && !p.$ref && p.in !== 'body' && !isInternal(p) && !(typeof p.description === 'string' && p.description.trim() !== '')
            ? [{ message: `Parameter '${p.name}' has no description: add a sentence saying what to enter.` }]
            : [],
        ),
      },
    },
    'operation-property-summary': {
      description: `${EXTENSIONS}: x-ms-summary "specifies the title for an entity" (parameters, schema properties); without it the maker sees the raw property name. Warning: the validator names parameters only.`,
      message: '{{error}}',
      severity: 'warn',
      given: `${VISIBLE}.parameters[?(@.in == 'body')].schema`,
      then: {
        function: fn<any>((schema) => {
          const out: Found[] = [];
          walkProperties(schema, (prop, name, _required, path) => {
            if (isInternal(prop) || (typeof prop['x-ms-summary'] === 'string' && prop['x-ms-summary'].trim() !== '')) return;
            out.push({ message: `Body property '${name}' has no x-ms-summary: add the title the maker sees (title case).`, path });
          });
          return out;
        }),
      },
    },
    'operation-visibility-values': {
      description: `${EXTENSIONS}: x-ms-visibility "Possible values: important, advanced, and internal".`,
      message: 'x-ms-visibility is "{{value}}": use one of important, advanced or internal (or leave it out for the default).',
      severity: 'error',
      given: "$..['x-ms-visibility']",
      then: { function: enumeration, functionOptions: { values: ['important', 'advanced', 'internal'] } },
    },
    'operation-internal-required-default': {
      description: `${EXTENSIONS}: "For parameters that are internal and required, you must provide default values." The webhook notification URL (x-ms-notification-url) is exempt: the platform fills it.`,
      message: '{{error}}',
      severity: 'error',
      given: PARAMETERS,
      then: {
        function: fn<any>((p) => {
          if (!p || typeof p !== 'object') return [];
          const out: Found[] = [];
          if (isInternal(p) && p.required === true && p.default === undefined && !isNotificationUrl(p))
            out.push({ message: `Parameter '${p.name}' is internal and required but has no default: add a default, or make it visible.` });
          if (p.in === 'body' && p.schema) {
            walkProperties(p.schema, (prop, name, required, path) => {
              if (isInternal(prop) && required && prop.default === undefined && !isNotificationUrl(prop))
                out.push({
                  message: `Body property '${name}' is internal and required but has no default: add a default, or make it visible.`,
                  path: ['schema', ...path],
                });
            });
          }
          return out;
        }),
      },
    },
    'operation-path-url-encoding': {
      description: `${EXTENSIONS}: x-ms-url-encoding "identifies whether the current path parameter should be double URL-encoded double or single URL-encoded single"; left out it means single. Warning: say which one the API needs.`,
      message: '{{error}}',
      severity: 'warn',
      given: PARAMETERS,
      then: {
        function: fn<any>((p) =>
          p && typeof p === 'object' && p.in === 'path' && p['x-ms-url-encoding'] === undefined
            ? [{ message: `Path parameter '${p.name}' has no x-ms-url-encoding: add "x-ms-url-encoding": "single" (or "double" when the API decodes twice).` }]
            : [],
        ),
      },
    },
    'operation-url-encoding-value': {
      description: `${EXTENSIONS}: x-ms-url-encoding is "double" or "single".`,
      message: 'x-ms-url-encoding is "{{value}}": use "single" or "double".',
      severity: 'error',
      given: PARAMETERS.map((p) => `${p}['x-ms-url-encoding']`),
      then: { function: enumeration, functionOptions: { values: ['single', 'double'] } },
    },
  };
}
