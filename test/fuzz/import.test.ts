// Fuzzing imports (issue 15): Swagger 2.0, OpenAPI 3, apiProperties and connector YAML. Whatever
// the input, import ends in a value or one CliError line, and what imports round-trips through
// both export formats. A share of the cases drive the whole CLI in-process (show, operations, run).
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { apiProperties, encoded, junk, openapiDoc, swaggerDoc, text } from './arbitraries.js';
import { apiPropertiesCase, cliSpecCase, importCase } from './cases.js';
import { fuzz, LONG, PROPERTY_TIMEOUT_MS } from './harness.js';

const VALID_SWAGGER = {
  swagger: '2.0',
  info: { title: 'Fuzz', version: '1' },
  host: '127.0.0.1:9',
  paths: { '/x': { get: { operationId: 'op', responses: { 200: { description: 'ok' } } } } },
};

/** A connector document: the envelope with fuzzed parts (and sometimes a fuzzed envelope). */
const connectorDoc = fc.record(
  {
    apiVersion: fc.oneof({ weight: 9, arbitrary: fc.constant('connector/v1') }, { weight: 1, arbitrary: text }),
    kind: fc.constant('Connector'),
    name: fc.oneof(fc.constantFrom('fuzz', 'a-b', 'UPPER', '../x', ''), text),
    title: text,
    version: text,
    specFormat: fc.constantFrom('swagger2', 'openapi3.0', 'openapi3.1', 'nonsense'),
    definition: fc.oneof(
      { weight: 2, arbitrary: fc.constant(VALID_SWAGGER) },
      { weight: 3, arbitrary: swaggerDoc },
      { weight: 2, arbitrary: openapiDoc },
      { weight: 1, arbitrary: junk },
    ),
    apiProperties,
    settings: fc.oneof(junk, fc.record({ apiDefinition: text, icon: text, script: text }, { requiredKeys: [] })),
    script: text,
    icon: fc.oneof(fc.base64String({ maxLength: 40 }), text),
  },
  { requiredKeys: ['apiVersion', 'kind', 'name', 'definition'] },
);

const timeout = { timeout: PROPERTY_TIMEOUT_MS };

describe('fuzz: import', () => {
  it('Swagger 2.0 documents', timeout, () => fuzz('swagger', encoded(swaggerDoc), (e) => importCase(e)));
  it('OpenAPI 3 documents', timeout, () => fuzz('openapi', encoded(openapiDoc), (e) => importCase(e)));
  it('apiProperties.json in a paconn folder', timeout, () =>
    fuzz('apiproperties', fc.record({ props: encoded(apiProperties), definition: fc.oneof(fc.constant(VALID_SWAGGER), swaggerDoc) }), apiPropertiesCase),
  );
  it('connector YAML documents', timeout, () =>
    fuzz(
      'connector-yaml',
      encoded(connectorDoc).map((e) => ({ ...e, as: 'yaml' })),
      (e) => importCase(e, 'yaml'),
    ),
  );
  it('the CLI on Swagger and OpenAPI documents: import, show, operations, run --dry-run', timeout, () =>
    fuzz('cli-spec', encoded(fc.oneof(swaggerDoc, openapiDoc)), cliSpecCase, LONG ? undefined : 100),
  );
});
