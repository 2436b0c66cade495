/**
 * Generators for the fuzz suite. Every input is plain JSON (so a failing one can be saved as a
 * fixture); deep nesting is a small `{ $deep: n }` descriptor that `serialize` writes out, so a
 * fixture of 5,000 levels stays one line.
 */
import fc from 'fast-check';
import { stringify } from 'yaml';

const isDeep = (o: Record<string, unknown>) => typeof o.$deep === 'number' && Object.keys(o).every((k) => k === '$deep' || k === 'leaf');

/** Serializers recurse (JSON.stringify overflows near 5,000 levels): deep parts become text that is JSON and YAML alike. */
function deepText(n: number, leaf: unknown): string {
  return leaf === 'array' ? `${'['.repeat(n)}1${']'.repeat(n)}` : `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;
}

/** `v` as JSON or YAML text, `{ $deep }` parts written out without recursing. */
export function serialize(v: unknown, as: string): string {
  const deepParts: string[] = [];
  const swap = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(swap);
    if (x === null || typeof x !== 'object') return x;
    const o = x as Record<string, unknown>;
    if (isDeep(o)) return `DEEPNEST${deepParts.push(deepText(o.$deep as number, o.leaf)) - 1}X`;
    return Object.fromEntries(Object.entries(o).map(([k, y]) => [k, swap(y)]));
  };
  const swapped = swap(v);
  const t = as === 'json' ? JSON.stringify(swapped) : stringify(swapped, { aliasDuplicateObjects: false });
  return (t ?? 'null').replace(/"?DEEPNEST(\d+)X"?/g, (_, i) => deepParts[Number(i)]);
}

/** Nesting around the limits that matter: the depth limit (256), yaml (~800), the stack (~4,000). */
export const deep = fc.record({
  $deep: fc.oneof(fc.integer({ min: 200, max: 300 }), fc.integer({ min: 700, max: 1100 }), fc.integer({ min: 3000, max: 6000 })),
  leaf: fc.constantFrom('array', 'object'),
});

/** Strings as users and attackers write them: ASCII, any UTF-16 (lone surrogates too), control characters, JSON-ish. */
export const text = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
  {
    weight: 1,
    arbitrary: fc.string({ unit: fc.constantFrom('\ud800', '\udfff', '\u0000', '\u001b', '\r', '\n', '%', '{', '}', '@', '\\', '"'), maxLength: 6 }),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom('', ' ', '@', '@@', '@/dev/null', '%zz', '{}', '[]', 'null', 'true', '-1', '1e999', 'NaN', '{{x}}', '${env:X}', '${vars.x}'),
  },
);

/** Any JSON value, bounded, sometimes deeply nested. */
export const junk: fc.Arbitrary<unknown> = fc.oneof({ weight: 5, arbitrary: fc.jsonValue({ maxDepth: 3 }) }, { weight: 1, arbitrary: deep });

const key = fc.oneof(fc.constantFrom('a', 'id', 'name', '$ref', 'x-ms-summary', '__proto__', 'constructor', ''), fc.string({ maxLength: 6 }));

const pattern = fc.constantFrom('^[a-z]+$', '^(a+)+$', '(?=a)a', '(a)\\1', '[', '\\p{L}+', '^\\d{3}$', '.*');

/** JSON Schema-ish: real keywords with random values, refs that exist, do not, or point outside. */
export const schema: fc.Arbitrary<unknown> = fc.letrec<{ s: unknown }>((tie) => ({
  s: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record(
      {
        type: fc.oneof(
          { weight: 8, arbitrary: fc.constantFrom('string', 'integer', 'number', 'boolean') },
          { weight: 1, arbitrary: fc.constantFrom('file', 'null', 'nonsense') },
        ),
        pattern,
        format: fc.constantFrom('date-time', 'int32', 'binary', 'uuid', 'email'),
        enum: fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }),
        minimum: fc.integer(),
        maxLength: fc.integer({ min: -1, max: 5 }),
        default: fc.jsonValue({ maxDepth: 1 }),
        'x-nullable': fc.boolean(),
      },
      { requiredKeys: ['type'] },
    ),
    fc.record(
      { type: fc.constant('object'), properties: fc.dictionary(key, tie('s'), { maxKeys: 3 }), required: fc.array(key, { maxLength: 2 }) },
      { requiredKeys: ['type'] },
    ),
    fc.record({ type: fc.constant('array'), items: tie('s') }, { requiredKeys: ['type'] }),
    fc.record({
      $ref: fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom('#/definitions/A', '#/components/schemas/A') },
        { weight: 1, arbitrary: fc.constantFrom('#/definitions/Missing', 'missing.json#/x', '#', '#/paths') },
      ),
    }),
    fc.record({ allOf: fc.array(tie('s'), { maxLength: 2 }) }),
  ),
})).s;

const paramIn = fc.constantFrom('path', 'query', 'header', 'body', 'formData', 'cookie', 'nowhere');
const parameter = fc.record(
  {
    name: fc.oneof(fc.constantFrom('id', 'q', 'X-H', 'body', 'file'), fc.string({ maxLength: 5 })),
    in: paramIn,
    required: fc.boolean(),
    type: fc.constantFrom('string', 'integer', 'array', 'file', 'boolean', 'object'),
    items: schema,
    collectionFormat: fc.constantFrom('csv', 'multi', 'pipes', 'bogus'),
    schema,
    style: fc.constantFrom('form', 'simple', 'deepObject', 'pipeDelimited'),
    explode: fc.boolean(),
    'x-ms-visibility': fc.constantFrom('internal', 'important'),
    'x-ms-url-encoding': fc.constantFrom('double', 'single'),
  },
  { requiredKeys: ['name', 'in'] },
);

const operation = fc.record(
  {
    operationId: fc.oneof(fc.constantFrom('op', 'GetItem', 'Get Item', ''), fc.string({ maxLength: 8 })),
    summary: text,
    parameters: fc.array(parameter, { maxLength: 4 }),
    responses: fc.oneof(
      fc.constant({ 200: { description: 'ok' } }),
      fc.dictionary(fc.constantFrom('200', '2XX', 'default', '404', 'x'), fc.record({ description: text, schema }, { requiredKeys: [] }), { maxKeys: 2 }),
    ),
    requestBody: fc.record({ content: fc.dictionary(fc.constantFrom('application/json', 'text/plain', 'multipart/form-data'), fc.record({ schema })) }),
    consumes: fc.array(fc.constantFrom('application/json', 'multipart/form-data', 'application/x-www-form-urlencoded'), { maxLength: 2 }),
    'x-ms-visibility': fc.constantFrom('internal', 'advanced'),
  },
  { requiredKeys: ['responses'] },
);

const paths = fc.dictionary(
  fc.oneof(
    fc.constantFrom('/x', '/x/{id}', '/{a}/{b}', '/', 'noslash', '/x/{id}/{id}'),
    fc.string({ maxLength: 8 }).map((s) => `/${s}`),
  ),
  fc.dictionary(fc.constantFrom('get', 'post', 'put', 'delete', 'patch', 'head', 'options', 'parameters', 'x-ext'), operation, { maxKeys: 2 }),
  { maxKeys: 3 },
);

/** A Swagger 2.0 document: mostly well-formed so it passes validation and reaches the later walkers. */
export const swaggerDoc = fc.record(
  {
    swagger: fc.oneof({ weight: 9, arbitrary: fc.constant('2.0') }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 0 }) }),
    info: fc.oneof({ weight: 9, arbitrary: fc.record({ title: text, version: text }, { requiredKeys: ['title', 'version'] }) }, { weight: 1, arbitrary: junk }),
    host: fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom('127.0.0.1:9', 'api.example.com') },
      { weight: 1, arbitrary: fc.constantFrom('h:99999', '', 'a b') },
      { weight: 1, arbitrary: text },
    ),
    basePath: fc.oneof({ weight: 6, arbitrary: fc.constantFrom('/', '/api', '/api?x%=1', '/a%zz') }, { weight: 1, arbitrary: text }),
    schemes: fc.array(fc.constantFrom('http', 'https', 'ws'), { maxLength: 2 }),
    paths,
    definitions: fc.dictionary(fc.constantFrom('A', 'B'), schema, { maxKeys: 2 }),
    securityDefinitions: fc.dictionary(
      fc.constantFrom('k', 'o'),
      fc.oneof(
        fc.record({ type: fc.constant('apiKey'), name: text, in: fc.constantFrom('header', 'query') }),
        fc.record({
          type: fc.constant('oauth2'),
          flow: fc.constantFrom('accessCode', 'implicit', 'application'),
          authorizationUrl: text,
          tokenUrl: text,
          scopes: fc.dictionary(key, text, { maxKeys: 2 }),
        }),
        fc.record({ type: fc.constant('basic') }),
      ),
      { maxKeys: 2 },
    ),
    'x-ext': junk,
  },
  { requiredKeys: ['swagger', 'info', 'paths'] },
);

/** An OpenAPI 3.x document, the same way. */
export const openapiDoc = fc.record(
  {
    openapi: fc.oneof({ weight: 9, arbitrary: fc.constantFrom('3.0.3', '3.1.0', '3.0.0') }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 0 }) }),
    info: fc.oneof({ weight: 9, arbitrary: fc.record({ title: text, version: text }, { requiredKeys: ['title', 'version'] }) }, { weight: 1, arbitrary: junk }),
    servers: fc.array(
      fc.record(
        {
          url: fc.oneof(fc.constantFrom('http://127.0.0.1:9/v1', '/relative', 'http://{h}/x', ''), text),
          variables: fc.dictionary(key, fc.record({ default: text })),
        },
        { requiredKeys: ['url'] },
      ),
      { maxLength: 2 },
    ),
    paths,
    components: fc.record({ schemas: fc.dictionary(fc.constantFrom('A', 'B'), schema, { maxKeys: 2 }) }),
    'x-ext': junk,
  },
  { requiredKeys: ['openapi', 'info', 'paths'] },
);

const connectionParameter = fc.record(
  {
    type: fc.constantFrom('string', 'securestring', 'int', 'bool', 'oauthSetting', 'gatewaySetting', 'nonsense'),
    uiDefinition: fc.record(
      {
        displayName: text,
        tooltip: text,
        constraints: fc.record(
          { required: fc.constantFrom('true', 'false'), allowedValues: fc.array(fc.record({ text, value: text }), { maxLength: 2 }) },
          { requiredKeys: [] },
        ),
      },
      { requiredKeys: [] },
    ),
    oAuthSettings: fc.record(
      {
        identityProvider: fc.constantFrom('oauth2', 'aad', 'github', 'oauth2generic'),
        clientId: text,
        scopes: fc.array(text, { maxLength: 2 }),
        customParameters: fc.dictionary(key, fc.record({ value: text })),
      },
      { requiredKeys: [] },
    ),
    allowedValues: junk,
  },
  { requiredKeys: ['type'] },
);

const policy = fc.record(
  {
    templateId: fc.constantFrom('dynamichosturl', 'setheader', 'setqueryparameter', 'routerequesttoendpoint', 'setproperty', 'unknown'),
    title: text,
    parameters: fc.dictionary(
      fc.constantFrom(
        'x-ms-apimTemplateParameter.name',
        'x-ms-apimTemplateParameter.value',
        'x-ms-apimTemplateParameter.urlTemplate',
        'x-ms-apimTemplate-operationName',
        'x-ms-apimTemplateParameter.newPath',
        'x-ms-apimTemplateParameter.existsAction',
      ),
      fc.oneof(
        text,
        fc.constantFrom("@connectionParameters('host')", "@headers('X')", "@queryParameters('q')", "@connectionParameters('x'"),
        fc.array(text, { maxLength: 2 }),
      ),
      { maxKeys: 4 },
    ),
  },
  { requiredKeys: ['templateId'] },
);

/** apiProperties.json: real sections with random values, junk, sometimes deep. */
export const apiProperties = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      properties: fc.record(
        {
          connectionParameters: fc.dictionary(key, connectionParameter, { maxKeys: 3 }),
          connectionParameterSets: junk,
          policyTemplateInstances: fc.array(policy, { maxLength: 3 }),
          iconBrandColor: text,
          capabilities: fc.array(text, { maxLength: 2 }),
          'x-deep': junk,
        },
        { requiredKeys: [] },
      ),
    }),
  },
  { weight: 1, arbitrary: junk },
  { weight: 1, arbitrary: fc.record({ properties: deep }) },
);

export type Edit = { at: number; del: number; ins: string };

/** Text edits: delete a range and insert text at a position (relative, so they apply to any text). */
export const edits = fc.array(fc.record({ at: fc.double({ min: 0, max: 1, noNaN: true }), del: fc.nat(16), ins: text }), { maxLength: 3 });

export function applyEdits(s: string, list: { at: number; del: number; ins: string }[]): string {
  for (const e of list) {
    const i = Math.floor(e.at * s.length);
    s = s.slice(0, i) + e.ins + s.slice(i + e.del);
  }
  return s;
}

/** A document as file text: JSON or YAML, then maybe edited. */
export const encoded = <T>(doc: fc.Arbitrary<T>) =>
  fc.record({ doc, as: fc.constantFrom('json', 'yaml'), edits: fc.oneof({ weight: 3, arbitrary: fc.constant<Edit[]>([]) }, { weight: 1, arbitrary: edits }) });

export function render(e: { doc: unknown; as: string; edits: { at: number; del: number; ins: string }[] }): string {
  return applyEdits(serialize(e.doc, e.as), e.edits);
}
