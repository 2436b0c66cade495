// biome-ignore-all lint/suspicious/noThenProperty: `then` is the Spectral rule format (given → then: { field, function }), never awaited.
/**
 * Section "checklist": Microsoft's published certification submission checklist ("Prepare connector files for
 * certification", learn.microsoft.com/connectors/custom-connectors/certification-submission, source
 * microsoft/powerplatform-developerhub docs/custom-connectors/certification-submission.md) and the named errors the
 * repository's Swagger validator prints on pull requests to microsoft/PowerPlatformConnectors (quoted per rule).
 *
 * Severity: error where the validator or the checklist rejects ("must", "can't"), warning where the checklist advises
 * ("should") or where reviewers ask but the validator passes.
 */
import { createRulesetFunction, type RulesetFunction } from '@stoplight/spectral-core';
import { pattern, truthy } from '@stoplight/spectral-functions';
import type { ConnectorFiles, RulesetRule } from '../files.js';

const OPERATIONS = '$.paths[*][get,put,post,delete,patch,options,head]';
const CHECKLIST = 'Certification checklist (learn.microsoft.com/connectors/custom-connectors/certification-submission)';

/** Independent publishers must name a connector "<Name> (Independent Publisher)"; the limits apply to <Name>. */
const IP_SUFFIX = /\s*\(Independent Publisher\)$/;
const TITLE_WORDS = ['API', 'Connector', 'Power Apps', 'Power Automate', 'Power BI', 'Power Pages', 'Power Platform', 'Logic Apps', 'Copilot Studio'];
const DESCRIPTION_WORDS = ['Power Apps', 'Power Automate', 'Power BI', 'Power Pages', 'Power Platform', 'Logic Apps', 'Copilot Studio'];
const CATEGORIES = [
  'AI',
  'Business Management',
  'Business Intelligence',
  'Collaboration',
  'Commerce',
  'Communication',
  'Content and Files',
  'Finance',
  'Data',
  'Human Resources',
  'Internet of Things',
  'IT Operations',
  'Lifestyle and Entertainment',
  'Marketing',
  'Productivity',
  'Sales and CRM',
  'Security',
  'Social Media',
  'Website',
];
const ONE_MB = 1024 * 1024;

/** A custom function without options: `check` returns the messages (and paths relative to its input) of what it found wrong. */
function fn<I>(check: (input: I) => { message: string; path?: (string | number)[] }[]): RulesetFunction<I, null> {
  return createRulesetFunction<I, null>({ input: null, options: null }, (input, _opts, ctx) =>
    check(input).map((r) => ({ message: r.message, path: [...ctx.path, ...(r.path ?? [])] })),
  );
}

const words = (list: string[]) => new RegExp(`\\b(${list.map((w) => w.replace(/ /g, '\\s+')).join('|')})\\b`, 'i');

const titleName = (title: unknown) => (typeof title === 'string' ? title.replace(IP_SUFFIX, '') : '');

/** Is this schema "exact" (says what comes back), or a bare `{type: object}` that shows nothing to a flow maker? */
function bareObject(schema: any): boolean {
  if (!schema || typeof schema !== 'object') return false;
  if (schema.type !== 'object' && schema.type !== undefined) return false;
  const keys = ['properties', 'additionalProperties', 'allOf', 'anyOf', 'oneOf', 'x-ms-dynamic-schema', 'x-ms-dynamic-properties', '$ref', 'items'];
  return !keys.some((k) => schema[k] !== undefined && !(k === 'properties' && Object.keys(schema.properties ?? {}).length === 0));
}

export function rules(files: ConnectorFiles): Record<string, RulesetRule> {
  const metadataEntry = (meta: any[], name: string) =>
    meta.find((m) => m && typeof m === 'object' && String(m.propertyName ?? '').toLowerCase() === name.toLowerCase());
  return {
    'checklist-title-length': {
      description: `${CHECKLIST}: a title "can't be longer than 30 characters"; validator: "The 'title' value goes over the character limit '30'" (PowerPlatformConnectors#3407).`,
      message: '{{error}}',
      severity: 'error',
      given: '$.info',
      then: {
        function: fn<any>((info) => {
          const title = info?.title;
          if (typeof title !== 'string' || title.trim() === '')
            return [{ message: 'The connector has no title: set info.title to the product or organization name.' }];
          const name = titleName(title);
          return name.length > 30 ? [{ message: `The title "${name}" has ${name.length} characters: shorten it to 30 or fewer.`, path: ['title'] }] : [];
        }),
      },
    },
    'checklist-title-words': {
      description: `${CHECKLIST}: a title "can't contain the words "API", "Connector", or any of our Power Platform product names"; validator: "The value 'title' contains at least one of the restricted words: 'api, connector'" (PowerPlatformConnectors#3407).`,
      message: '{{error}}',
      severity: 'error',
      given: '$.info.title',
      then: {
        function: fn<string>((title) => {
          const m = typeof title === 'string' ? titleName(title).match(words(TITLE_WORDS)) : null;
          return m ? [{ message: `The title contains the restricted word "${m[1]}": remove it (name the product or organization only).` }] : [];
        }),
      },
    },
    'checklist-title-ending': {
      description: `${CHECKLIST}: a title "can't end in a non-alphanumeric character, including carriage return, new line, or blank space".`,
      message: 'The title ends in a non-alphanumeric character: end it with a letter or a digit.',
      severity: 'error',
      given: '$.info.title',
      then: {
        function: fn<string>((title) => (typeof title === 'string' && title !== '' && !/[\p{L}\p{N}]$/u.test(titleName(title)) ? [{ message: '' }] : [])),
      },
    },
    'checklist-description-length': {
      description: `${CHECKLIST}: the description "can't be shorter than 30 characters or longer than 500 characters".`,
      message: '{{error}}',
      severity: 'error',
      given: '$.info',
      then: {
        function: fn<any>((info) => {
          const d = info?.description;
          if (typeof d !== 'string' || d.trim() === '') return [{ message: 'The connector has no description: set info.description (30 to 500 characters).' }];
          const n = d.trim().length;
          if (n < 30) return [{ message: `The description has ${n} characters: lengthen it to at least 30.`, path: ['description'] }];
          if (n > 500) return [{ message: `The description has ${n} characters: shorten it to 500 or fewer.`, path: ['description'] }];
          return [];
        }),
      },
    },
    'checklist-description-words': {
      description: `${CHECKLIST}: the description "can't contain any Power Platform product names"; validator: "The value 'description' contains at least one of the restricted words: 'power apps, power automate, logic apps'" (PowerPlatformConnectors#3407).`,
      message: '{{error}}',
      severity: 'error',
      given: '$.info.description',
      then: {
        function: fn<string>((d) => {
          const m = typeof d === 'string' ? d.match(words(DESCRIPTION_WORDS)) : null;
          return m ? [{ message: `The description names the product "${m[1]}": describe the service instead.` }] : [];
        }),
      },
    },
    'checklist-summary-length': {
      description: `${CHECKLIST}: "Operation and parameter summaries should be phrases of 80 characters or shorter".`,
      message: '{{error}}',
      severity: 'warn',
      given: [`${OPERATIONS}.summary`, `${OPERATIONS}.parameters[*].x-ms-summary`, '$.parameters[*].x-ms-summary', '$.paths[*].parameters[*].x-ms-summary'],
      then: {
        function: fn<string>((s) =>
          typeof s === 'string' && s.length > 80 ? [{ message: `This summary has ${s.length} characters: shorten it to 80 or fewer.` }] : [],
        ),
      },
    },
    'checklist-summary-characters': {
      description: `Swagger validator: "Summary string contains any of the restricted characters [/\\<>*%&?]" (PowerPlatformConnectors#1095); ${CHECKLIST}: summaries "contain only alphanumeric characters or parentheses".`,
      message: 'The summary contains "{{value}}" with one of the restricted characters / \\ < > * % & ?: reword it without them.',
      severity: 'error',
      given: `${OPERATIONS}.summary`,
      then: { function: pattern, functionOptions: { notMatch: '[/\\\\<>*%&?]' } },
    },
    'props-brand-color': {
      description: `${CHECKLIST}: the icon needs a background that is "non-white color (#ffffff)" and "not-default color (#007ee5)"; the pull-request template: "apiProperties.json has a valid brand color. Invalid brand colors are #007ee5 and #ffffff".`,
      message: '{{error}}',
      severity: 'error',
      given: '$.properties',
      then: {
        function: fn<any>((props) => {
          const c = props?.iconBrandColor;
          if (typeof c !== 'string' || c.trim() === '')
            return [{ message: 'No iconBrandColor: set properties.iconBrandColor to your brand colour (independent publishers: "#da3b01").' }];
          return ['#007ee5', '#ffffff', '#fff'].includes(c.trim().toLowerCase())
            ? [
                {
                  message: `iconBrandColor ${c} is not accepted: use your brand colour (not #007ee5 or #ffffff; independent publishers: "#da3b01").`,
                  path: ['iconBrandColor'],
                },
              ]
            : [];
        }),
      },
    },
    'checklist-swagger-size': {
      description: `${CHECKLIST}: "Swagger files shouldn't be greater than 1 MB" . Warning: "shouldn't", and a certified connector (Encodian, 1.05 MB in the corpus) is over it.`,
      message: '{{error}}',
      severity: 'warn',
      given: '$',
      then: {
        function: fn<unknown>(() => {
          const bytes = Buffer.byteLength(files.swagger.text, 'utf8');
          return bytes > ONE_MB
            ? [
                {
                  message: `The definition is ${(bytes / ONE_MB).toFixed(2)} MB: keep it under 1 MB (drop unused definitions, or split it into two connectors).`,
                },
              ]
            : [];
        }),
      },
    },
    'checklist-response-schema': {
      description: `${CHECKLIST}: "Provide valid response schema definitions for all operations in the swagger" (the pull-request template asks the same "unless the response schema is dynamic"). Warning: the validator passes without one, reviewers ask. 204/205 (no content) are exempt.`,
      message: 'The {{property}} response has no schema: describe the body it returns (or use 204 when it returns none).',
      severity: 'warn',
      given: `${OPERATIONS}.responses`,
      then: {
        // OpenAPI 3 puts the schema under content: that document is checked once converted to Swagger 2.0.
        function: fn<Record<string, any>>((responses) =>
          (files.format === 'swagger2' ? Object.entries(responses ?? {}) : [])
            .filter(([code, r]) => /^2\d\d$/.test(code) && code !== '204' && code !== '205' && r && typeof r === 'object' && r.schema === undefined)
            .map(([code]) => ({
              message: `The ${code} response has no schema: describe the body it returns (or use 204 when it returns none).`,
              path: [code],
            })),
        ),
      },
    },
    'checklist-response-schema-exact': {
      description: `${CHECKLIST}: "Define operation responses with an exact schema" and "Empty response schemas aren't allowed except in special cases where the response schema is dynamic": a 2xx schema that is a bare {type: object} shows no dynamic content. Warning (reviewers, not the validator).`,
      message: '{{error}}',
      severity: 'warn',
      given: `${OPERATIONS}.responses[?(@property.match(/^2\\d\\d$/))].schema`,
      then: {
        function: fn<any>((schema) =>
          bareObject(schema)
            ? [{ message: 'This response schema is an empty object: list its properties (or mark it x-ms-dynamic-schema when the shape is dynamic).' }]
            : [],
        ),
      },
    },
    'checklist-default-response-schema': {
      description: `Swagger validator: "The 'default' response should not have schema definition. Schemas should be defined on expected responses only." (PowerPlatformConnectors#3841, #3975); ${CHECKLIST}: "Don't use default responses with an exact schema definition".`,
      message: "The 'default' response has a schema: remove it and put the schema on the expected (2xx) responses.",
      severity: 'error',
      given: `${OPERATIONS}.responses.default.schema`,
      then: { function: fn<unknown>(() => [{ message: '' }]) },
    },
    'checklist-host-not-local': {
      description: `${CHECKLIST}: "Provide a production version of the host URL. Staging, dev, and test host URLs aren't allowed." A loopback host cannot be reached from the platform.`,
      message: 'The host "{{value}}" is a loopback address: set host to the production host name of the API.',
      severity: 'error',
      given: '$.host',
      then: { function: pattern, functionOptions: { notMatch: '^(localhost|127(\\.\\d{1,3}){3}|0\\.0\\.0\\.0|\\[::1?\\])(:\\d+)?$' } },
    },
    'checklist-https-only': {
      description: 'Custom connectors call the API over HTTPS only (the platform refuses an http-only definition); schemes lists "https" alone.',
      message: '{{error}}',
      severity: 'error',
      given: '$.schemes[*]',
      then: {
        function: fn<unknown>((s) => (s !== 'https' ? [{ message: `The scheme "${String(s)}" is not allowed: list only "https" in schemes.` }] : [])),
      },
    },
    'checklist-contact': {
      description: `Swagger validator: "The 'contact' property is required. ValuePath: /info" (PowerPlatformConnectors#1095); ${CHECKLIST} step 3b.`,
      message: 'info has no \'contact\': add {"name", "url", "email"} of your support team.',
      severity: 'error',
      given: '$.info',
      then: { field: 'contact', function: truthy },
    },
    'checklist-contact-fields': {
      description: `${CHECKLIST} step 3b: contact gives "one value for each of" the support team name, support URL and support email.`,
      message: '{{error}}',
      severity: 'warn',
      given: '$.info.contact',
      then: {
        function: fn<any>((c) =>
          ['name', 'url', 'email']
            .filter((k) => !(c && typeof c[k] === 'string' && c[k].trim() !== ''))
            .map((k) => ({ message: `info.contact has no '${k}': add the support team's ${k === 'name' ? 'name' : k === 'url' ? 'website URL' : 'email'}.` })),
        ),
      },
    },
    'checklist-connector-metadata': {
      description: `Swagger validator: "The 'x-ms-connector-metadata' property is required." (PowerPlatformConnectors#1095); ${CHECKLIST} step 3b lists Website, Privacy policy and Categories.`,
      message: '{{error}}',
      severity: 'error',
      given: '$',
      then: {
        function: fn<any>((doc) => {
          if (files.format !== 'swagger2') return [];
          const meta = doc?.['x-ms-connector-metadata'];
          if (!Array.isArray(meta))
            return [{ message: "No 'x-ms-connector-metadata': add a top-level array with the Website, Privacy policy and Categories entries." }];
          return ['Website', 'Privacy policy', 'Categories']
            .filter((name) => {
              const e = metadataEntry(meta, name);
              return !(e && typeof e.propertyValue === 'string' && e.propertyValue.trim() !== '');
            })
            .map((name) => ({
              message: `x-ms-connector-metadata has no '${name}' entry: add {"propertyName": "${name}", "propertyValue": "…"}.`,
              path: ['x-ms-connector-metadata'],
            }));
        }),
      },
    },
    'checklist-categories': {
      description: `${CHECKLIST} step 3b: Categories is "a maximum of two" of: ${CATEGORIES.join(', ')}, semicolon-delimited.`,
      message: '{{error}}',
      severity: 'error',
      given: "$['x-ms-connector-metadata'][?(@.propertyName == 'Categories')].propertyValue",
      then: {
        function: fn<unknown>((v) => {
          if (typeof v !== 'string') return [];
          const list = v
            .split(';')
            .map((s) => s.trim())
            .filter(Boolean);
          const out = list
            .filter((c) => !CATEGORIES.some((k) => k.toLowerCase() === c.toLowerCase()))
            .map((c) => ({ message: `"${c}" is not a connector category: use one of ${CATEGORIES.join(', ')}.` }));
          if (list.length > 2) out.push({ message: `${list.length} categories are listed: keep at most two.` });
          return out;
        }),
      },
    },
    'props-publisher': {
      description: `${CHECKLIST} step 3a: "publisher" (your company or organization) and "stackOwner" (the owner of the back-end service) sit in apiProperties.json next to "capabilities", inside its properties object.`,
      message: '{{error}}',
      severity: 'warn',
      given: '$',
      then: {
        function: fn<any>((doc) =>
          ['publisher', 'stackOwner']
            .filter(
              (k) => !(typeof doc?.properties?.[k] === 'string' && doc.properties[k].trim() !== '') && !(typeof doc?.[k] === 'string' && doc[k].trim() !== ''),
            )
            .map((k) => ({
              message: `apiProperties.json has no '${k}': add "${k}": "<${k === 'publisher' ? 'your company or organization' : 'owner of the service'}>" under properties.`,
              path: doc?.properties ? ['properties'] : [],
            })),
        ),
      },
    },
  };
}
