import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { apiProperties, openapiDoc, swaggerDoc } from '../fuzz/arbitraries.js';
import { UsageError } from '../../src/errors.js';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConnectorRecord } from '../../src/model.js';
import { describeOperation, type OperationDescription } from '../../src/operation/describe.js';
import { renderDescription } from '../../src/operation/describe-render.js';
import { findOperation, allOperations } from '../../src/operation/find.js';
import { schemaTree, treeExample, TREE_DEPTH, type SchemaNode } from '../../src/operation/schema-tree.js';
import { CORPUS_DIR } from '../helpers/cli.js';

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'describe');
const read = (f: string) => JSON.parse(readFileSync(f, 'utf8').replace(/^\uFEFF/, ''));

function record(definition: Record<string, unknown>, apiProperties?: Record<string, unknown>, name = 'tasks'): ConnectorRecord {
  return {
    name,
    title: name,
    specFormat: typeof definition.openapi === 'string' ? 'openapi3.0' : 'swagger2',
    source: { kind: 'file', location: 'test' },
    importedAt: '2026-01-01T00:00:00Z',
    definition,
    ...(apiProperties ? { apiProperties } : {}),
  };
}

const tasks = record(read(join(FIXTURE, 'apiDefinition.swagger.json')), read(join(FIXTURE, 'apiProperties.json')));
const describeOp = (r: ConnectorRecord, op: string) => describeOperation(r, findOperation(r, op));
const child = (n: SchemaNode, ...names: string[]): SchemaNode =>
  names.reduce((cur, name) => {
    const item = cur.type === 'array' && cur.items ? cur.items : cur;
    const next = item.properties?.find((p) => p.name === name);
    if (!next) throw new Error(`no ${name} under ${cur.name}`);
    return next;
  }, n);
/** Anything a terminal would act on: C0 but \n, DEL, C1, bidi overrides. */
const ACTS = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;

describe('describeOperation', () => {
  it('parameters: location, type with items and format, required, default, enum, visibility, summary, dynamic values', () => {
    const d = describeOp(tasks, 'listtasks');
    expect(d).toMatchObject({
      operationId: 'listTasks',
      method: 'GET',
      path: '/tasks',
      url: 'https://api.example.com/v2/tasks',
      auth: ['key'],
      connection: ['apiKey'],
    });
    const [status, limit, workspace, trace] = d.parameters;
    expect(status).toEqual({
      name: 'status',
      in: 'query',
      type: 'array',
      items: { type: 'string' },
      collectionFormat: 'csv',
      required: false,
      enum: ['open', 'done'],
      description: 'Filter by status',
      several: `several values: repeat -p status=a -p status=b, or -p 'status=["a","b"]' (sent as one value "a,b")`,
    });
    expect(limit).toMatchObject({ type: 'integer', format: 'int32', default: 20, summary: 'Limit', description: 'How many to return' });
    expect(workspace.required).toBe(true);
    expect(workspace.dynamic).toEqual([
      {
        extension: 'x-ms-dynamic-values',
        operationId: 'ListWorkspaces',
        found: true,
        parameters: {},
        valuePath: 'id',
        valueTitle: 'name',
        collection: 'value',
      },
    ]);
    expect(trace).toMatchObject({ in: 'header', default: 'on', visibility: 'internal' });
    expect(d.body).toBeNull();
    expect(d.example).toBe('connector run tasks listTasks -p workspace=example');
  });

  it('the body tree: $ref names, allOf merged, arrays of objects, maps, required marks, read-only, recursion', () => {
    const b = describeOp(tasks, 'createTask').body!;
    expect(b).toMatchObject({ name: 'task', required: true, contentTypes: ['application/json'], summary: 'Task', description: 'The new task' });
    const s = b.schema;
    expect(s).toMatchObject({ type: 'object', ref: 'Task' });
    expect(child(s, 'title')).toMatchObject({ type: 'string', required: true, summary: 'Title', description: 'What to do' });
    expect(child(s, 'id')).toMatchObject({ readOnly: true, required: false });
    expect(child(s, 'priority')).toMatchObject({ enum: ['low', 'normal', 'high'], default: 'normal' });
    expect(child(s, 'priority').allowedValues).toContainEqual({ value: 'high', title: 'High' });
    // allOf: Base's uid and the member's name (required), under the User ref
    const assignee = child(s, 'assignee');
    expect(assignee.ref).toBe('User');
    expect(assignee.properties?.map((p) => [p.name, p.required])).toEqual([
      ['uid', false],
      ['name', true],
      ['email', false],
    ]);
    expect(child(s, 'labels')).toMatchObject({ type: 'array', items: { type: 'object' } });
    expect(child(s, 'labels', 'name').required).toBe(true);
    expect(child(s, 'meta').additionalProperties).toMatchObject({ type: 'string' });
    // Task → subtasks → Task: the recurring ref is named, not expanded
    expect(child(s, 'subtasks').items).toEqual({ name: '', type: 'object', required: false, ref: 'Task', recursive: true });
    expect(child(s, 'listId').dynamic?.map((x) => [x.extension, x.operationId, x.found, x.parameters])).toEqual([
      ['x-ms-dynamic-values', 'ListLists', true, { workspace: { parameter: 'workspace' } }],
      ['x-ms-dynamic-list', 'ListLists', true, { workspace: { parameter: 'workspace' } }],
    ]);
  });

  it('an example body with every writable field (the spec example, the default, generated values; no read-only, no recursion)', () => {
    const b = describeOp(tasks, 'createTask').body!;
    expect(b.example).toEqual({
      title: 'Buy milk',
      done: true,
      count: 1,
      priority: 'normal',
      tags: ['example'],
      scores: [1],
      assignee: { uid: '3fa85f64-5717-4562-b3fc-2c963f66afa6', name: 'example', email: 'user@example.com' },
      subtasks: [],
      labels: [{ name: 'example', color: 'example' }],
      meta: { name: 'example' }, // a map: one sample key (it was {})
      listId: 'example',
      'a.b': 'example',
    });
    // the run example: only the required fields, as -f flags
    expect(describeOp(tasks, 'createTask').example).toBe("connector run tasks createTask -f 'title=Buy milk'");
    expect(describeOp(tasks, 'uploadFile').example).toBe('connector run tasks uploadFile -p file=@path/to/file');
  });

  it('the run line gives the required body content even when the body is not marked required; maps get a sample key', () => {
    const op = (operationId: string, schema: Record<string, unknown>) => ({
      post: { operationId, parameters: [{ name: 'body', in: 'body', schema }], responses: {} },
    });
    const r = record(
      {
        swagger: '2.0',
        info: { title: 'e', version: '1' },
        host: 'x.example.com',
        paths: {
          '/redact': op('RedactPdf', {
            type: 'object',
            required: ['FileName', 'Redactions'],
            properties: {
              FileName: { type: 'string', example: 'a.pdf' },
              fileContent: { type: 'string', format: 'byte' },
              Redactions: { type: 'array', items: { type: 'string' } },
              mode: { type: 'string', enum: ['fast', 'slow'] },
            },
          }),
          '/gists': op('CreateGist', {
            type: 'object',
            required: ['files'],
            properties: {
              description: { type: 'string' },
              files: { type: 'object', additionalProperties: { type: 'object', required: ['content'], properties: { content: { type: 'string' } } } },
            },
          }),
          '/deep': op('Deep', {
            type: 'object',
            required: ['a'],
            properties: {
              a: {
                type: 'object',
                required: ['b'],
                properties: {
                  b: { type: 'object', required: ['c'], properties: { c: { type: 'object', required: ['d'], properties: { d: { type: 'string' } } } } },
                },
              },
            },
          }),
        },
      },
      undefined,
      'encodian',
    );
    expect(describeOp(r, 'RedactPdf').example).toBe("connector run encodian RedactPdf -f FileName=a.pdf -f 'Redactions[]=example'");
    const gist = describeOp(r, 'CreateGist');
    expect(gist.example).toBe('connector run encodian CreateGist -f files.name.content=example');
    expect(gist.body!.example).toEqual({ description: 'example', files: { name: { content: 'example' } } });
    const deep = describeOp(r, 'Deep');
    expect(deep.example).toBe('connector run encodian Deep --body @body.json');
    expect(renderDescription(deep)).toContain('(body.json: the example body above, with your values)');
  });

  it('responses: status, description, a summary of the schema', () => {
    expect(describeOp(tasks, 'listTasks').responses).toEqual([
      {
        status: '200',
        description: 'The tasks',
        schema: {
          type: 'array of object (Task)',
          ref: 'Task',
          properties: ['id', 'title', 'done', 'count', 'priority', 'tags', 'scores', 'assignee', 'subtasks', 'labels', 'meta', 'listId', 'a.b'],
        },
      },
      { status: 'default', description: 'An error', schema: { type: 'object (Error)', ref: 'Error', properties: ['code', 'message'] } },
    ]);
    expect(describeOp(tasks, 'deleteTask').responses).toEqual([{ status: '204', description: 'Deleted' }]);
  });

  it('policies: only those whose operation filter includes it, with what each does; the URL after them', () => {
    const create = describeOp(tasks, 'createTask');
    expect(create.policies.map((p) => [p.templateId, p.supported, p.does])).toEqual([
      ['setheader', true, 'sets header X-Version: 2 (if present: override)'],
      ['routerequesttoendpoint', true, 'routes the request to /tasks/new'],
      ['setproperty', true, 'sets @body().source to cli'],
    ]);
    expect(create.url).toBe('https://api.example.com/v2/tasks/new');
    const list = describeOp(tasks, 'listTasks');
    expect(list.policies.map((p) => p.templateId)).toEqual(['setheader', 'updatenextlink']);
    expect(list.policies[1]).toMatchObject({
      supported: true,
      section: 'Response',
      operations: ['listTasks'],
      does: "on the response: rewrites the next-page link @odata.nextLink (locally: the link keeps the API's own address, made absolute (on the platform it points at the connector's gateway))",
    });
  });

  it('a dynamic schema names its source, and says when the connector lacks that operation', () => {
    const b = describeOp(tasks, 'createRecord').body!;
    expect(b.schema.dynamic).toEqual([
      { extension: 'x-ms-dynamic-schema', operationId: 'GetRecordSchema', found: false, parameters: { type: { parameter: 'type' } }, valuePath: 'schema' },
    ]);
    expect(renderDescription(describeOp(tasks, 'createRecord'))).toContain(
      'schema from GetRecordSchema (at schema; type = parameter type) [x-ms-dynamic-schema] — not an operation of this connector',
    );
  });

  it('OpenAPI 3: servers, requestBody, oneOf, x-ms-dynamic-tree, dynamichosturl with a connection value', () => {
    const oas = record(
      {
        openapi: '3.0.3',
        info: { title: 'O', version: '1' },
        servers: [{ url: 'https://{region}.example.com/api', variables: { region: { default: 'eu' } } }],
        paths: {
          '/items': {
            post: {
              operationId: 'addItem',
              requestBody: {
                required: true,
                description: 'An item',
                content: {
                  'application/json': {
                    schema: {
                      type: 'object',
                      properties: {
                        kind: { oneOf: [{ type: 'string' }, { type: 'integer' }] },
                        folder: {
                          type: 'string',
                          'x-ms-dynamic-tree': { open: { operationId: 'listRoot', itemValuePath: 'path' }, browse: { operationId: 'listChildren' } },
                        },
                        nullable: { type: ['string', 'null'] },
                      },
                    },
                  },
                },
              },
              responses: { '200': { description: 'OK', content: { 'application/json': { schema: { type: 'string', format: 'uuid' } } } } },
            },
          },
        },
      },
      {
        properties: {
          policyTemplateInstances: [
            { templateId: 'dynamichosturl', parameters: { 'x-ms-apimTemplateParameter.urlTemplate': "https://@connectionParameters('host')/api" } },
          ],
        },
      },
      'oas',
    );
    const d = describeOp(oas, 'addItem');
    const multi = record(
      {
        swagger: '2.0',
        info: { title: 'm', version: '1' },
        host: 'x.example.com',
        paths: {
          '/t': {
            post: {
              operationId: 'translate',
              consumes: ['application/x-www-form-urlencoded'],
              parameters: [
                { name: 'text', in: 'formData', required: true, type: 'array', items: { type: 'string' }, collectionFormat: 'multi' },
                { name: 'tags', in: 'query', type: 'array', items: { type: 'string' }, collectionFormat: 'pipes' },
              ],
              responses: {},
            },
          },
        },
      },
      undefined,
      'deepl',
    );
    const md = describeOp(multi, 'translate');
    expect(md.parameters.map((p) => p.several)).toEqual([
      `several values: repeat -p text=a -p text=b, or -p 'text=["a","b"]' (sent as text=a&text=b)`,
      `several values: repeat -p tags=a -p tags=b, or -p 'tags=["a","b"]' (sent as one value "a|b")`,
    ]);
    expect(renderDescription(md)).toContain('several values: repeat -p text=a -p text=b');
    expect(d.url).toBe('https://<host>/api/items');
    expect(d.body).toMatchObject({ required: true, description: 'An item', contentTypes: ['application/json'] });
    expect(child(d.body!.schema, 'kind').variants?.map((v) => v.type)).toEqual(['string', 'integer']);
    expect(child(d.body!.schema, 'folder').dynamic).toEqual([
      { extension: 'x-ms-dynamic-tree', operationId: 'listRoot', found: false, parameters: {}, valuePath: 'path', browseOperationId: 'listChildren' },
    ]);
    expect(child(d.body!.schema, 'nullable').type).toBe('string | null');
    expect(d.responses[0].schema).toEqual({ type: 'string (uuid)' });
    expect(d.policies[0].does).toBe('sends the request to the base URL https://<host>/api'); // as the URL line shows it (it was the raw expression)
    // no host at all
    const bare = record(
      { swagger: '2.0', info: { title: 'b', version: '1' }, paths: { '/x': { get: { operationId: 'x', responses: {} } } } },
      undefined,
      'bare',
    );
    expect(describeOp(bare, 'x').url).toBeNull();
    expect(renderDescription(describeOp(bare, 'x'))).toContain('no host in the spec');
  });

  it('deep and wide schemas stop at the depth and node limits, saying so', () => {
    let deep: Record<string, unknown> = { type: 'string' };
    for (let i = 0; i < 40; i++) deep = { type: 'object', properties: { [`l${i}`]: deep } };
    const tree = schemaTree({}, deep);
    let n: SchemaNode = tree;
    let levels = 0;
    while (n.properties?.length) {
      n = n.properties[0];
      levels++;
    }
    expect(levels).toBe(TREE_DEPTH);
    expect(n.truncated).toBe(true);
    expect(treeExample(tree)).toBeTypeOf('object');
    // a shared definition fanned out 2^20 ways: bounded by the node limit
    const defs: Record<string, unknown> = { D0: { type: 'string' } };
    for (let i = 1; i <= 20; i++)
      defs[`D${i}`] = { type: 'object', properties: { a: { $ref: `#/definitions/D${i - 1}` }, b: { $ref: `#/definitions/D${i - 1}` } } };
    const started = performance.now();
    const wide = schemaTree({ definitions: defs }, { $ref: '#/definitions/D20' });
    const count = (x: SchemaNode): number => 1 + (x.properties ?? []).reduce((s, p) => s + count(p), 0);
    expect(count(wide)).toBeLessThanOrEqual(2100);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(renderDescription(fakeWith(wide))).toContain('(deeper levels not shown)');
    // the same fan-out through allOf
    const all: Record<string, unknown> = { A0: { type: 'object', properties: { p: { type: 'string' } } } };
    for (let i = 1; i <= 30; i++) all[`A${i}`] = { allOf: [{ $ref: `#/definitions/A${i - 1}` }, { $ref: `#/definitions/A${i - 1}` }] };
    const t0 = performance.now();
    expect(schemaTree({ definitions: all }, { $ref: '#/definitions/A30' }).type).toBe('object');
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('renders spec text with control characters escaped; --json keeps it as it was', () => {
    const evil = '\x1b]0;pwned\x07\u202e';
    const def = {
      swagger: '2.0',
      info: { title: 'e', version: '1' },
      host: 'h.example.com',
      basePath: `/b${evil}`,
      paths: {
        '/x': {
          post: {
            operationId: 'x',
            summary: `S${evil}`,
            description: `D\r${evil}\nline two`,
            parameters: [
              { name: `p${evil}`, in: 'query', type: 'string', enum: [`e${evil}`], default: `d${evil}`, description: `pd${evil}`, 'x-ms-summary': `ps${evil}` },
              {
                name: 'b',
                in: 'body',
                schema: {
                  type: 'object',
                  properties: { [`k${evil}`]: { type: 'string', description: `kd${evil}`, 'x-ms-dynamic-values': { operationId: `o${evil}` } } },
                },
              },
            ],
            responses: { [`2${evil}`]: { description: `r${evil}` } },
          },
        },
      },
    };
    const props = { properties: { policyTemplateInstances: [{ templateId: `t${evil}`, title: `T${evil}`, parameters: {} }] } };
    const r = record(def, props, 'evil');
    const text = renderDescription(describeOp(r, 'x'), { color: true });
    const withoutStyles = text.replace(/\x1b\[[0-9;]*m/g, ''); // our own bold and dim
    expect(withoutStyles).not.toMatch(ACTS);
    expect(withoutStyles).toContain('\\x1b]0;pwned\\x07\\u202e');
    expect(text).toContain('\x1b[1mParameters:\x1b[0m'); // our headings are the only escapes
    expect(renderDescription(describeOp(r, 'x'))).not.toContain('\x1b[');
    expect(JSON.parse(JSON.stringify(describeOp(r, 'x'))).summary).toBe(`S${evil}`);
  });
});

describe('any definition (fast-check, the fuzz arbitraries)', () => {
  it('every operation is described and rendered, or refused with a UsageError; nothing reaches the terminal', () => {
    const runs = process.env.CONNECTOR_HARDENING === 'long' ? 5000 : 150;
    fc.assert(
      fc.property(fc.oneof(swaggerDoc, openapiDoc), apiProperties, (def, props) => {
        const r = record(def as Record<string, unknown>, props as Record<string, unknown>, 'fuzz');
        let ops: ReturnType<typeof allOperations> = [];
        try {
          ops = allOperations(r);
        } catch (e) {
          if (!(e instanceof UsageError)) throw e;
        }
        for (const op of ops) {
          const d = describeOperation(r, op);
          expect(renderDescription(d, { color: true }).replace(/\x1b\[[0-9;]*m/g, '')).not.toMatch(ACTS);
          JSON.stringify(d);
        }
      }),
      { numRuns: runs, seed: 1414 },
    );
  }, 120_000);
});

/** A description holding only a body tree, for the renderer. */
function fakeWith(schema: SchemaNode): OperationDescription {
  return {
    ...describeOp(tasks, 'createTask'),
    body: { required: false, contentTypes: ['application/json'], schema, example: {} },
  };
}

// ---- the real connectors -------------------------------------------------------------------

const present = existsSync(join(CORPUS_DIR, 'INDEX.tsv'));
if (!present) console.warn(`[corpus] ${CORPUS_DIR} is absent: skipping the describe tests on real connectors`);

function corpusRecord(dir: string): ConnectorRecord {
  const folder = join(CORPUS_DIR, dir);
  const file = readdirSync(folder).find((f) => f.toLowerCase() === 'apidefinition.swagger.json')!;
  const props = join(folder, 'apiProperties.json');
  return record(read(join(folder, file)), existsSync(props) ? read(props) : undefined, dir.toLowerCase().replace(/[^a-z0-9]+/g, '-'));
}

describe.skipIf(!present)('describe on the 63 real connectors in ../shared/corpus', () => {
  it('every operation of every connector is described and rendered: no error, no control character, JSON round-trips', () => {
    const dirs = readdirSync(CORPUS_DIR).filter(
      (d) => existsSync(join(CORPUS_DIR, d, 'apiProperties.json')) || existsSync(join(CORPUS_DIR, d, 'apiDefinition.swagger.json')),
    );
    let ops = 0;
    let slowest = 0;
    for (const dir of dirs) {
      const r = corpusRecord(dir);
      for (const op of allOperations(r)) {
        const started = performance.now();
        const d = describeOperation(r, op);
        const text = renderDescription(d);
        slowest = Math.max(slowest, performance.now() - started);
        expect(text, `${dir} ${op.operationId}`).not.toMatch(ACTS);
        expect(JSON.parse(JSON.stringify(d)).operationId).toBe(op.operationId);
        ops++;
      }
    }
    expect(ops).toBeGreaterThan(2000);
    expect(slowest).toBeLessThan(2000);
  }, 60_000);

  it('Planner CreateTask_V3: dynamic values with their source, and its policies', () => {
    const d = describeOp(corpusRecord('Planner'), 'CreateTask_V3');
    const planId = child(d.body!.schema, 'planId');
    expect(planId.dynamic?.find((x) => x.extension === 'x-ms-dynamic-values')).toMatchObject({
      operationId: 'ListGroupPlans',
      found: true,
      valuePath: 'id',
      valueTitle: 'title',
      parameters: { groupId: { parameter: 'groupId' } },
    });
    expect(d.url).toBe('https://graph.microsoft.com/v1.0/planner/tasks');
    expect(d.policies.find((p) => p.templateId === 'routerequesttoendpoint')?.does).toBe('routes the request to /v1.0/planner/tasks');
    expect(d.policies.find((p) => p.title === 'Set orderHint')?.does).toBe('sets @body().assignments[\'orderHint\'] to " !"');
    expect(d.policies.some((p) => p.operations && !p.operations.includes('CreateTask_V3'))).toBe(false);
  });

  it('JIRA CreateIssueV2: a dynamic body schema and the host from the connection', () => {
    const d = describeOp(corpusRecord('JIRA'), 'CreateIssueV2');
    expect(d.body!.schema.dynamic?.[0]).toMatchObject({ extension: 'x-ms-dynamic-schema', operationId: 'ListIssueTypesFields', found: true });
    expect(d.url).toBe('https://<jirainstance>.atlassian.net/rest/api/2/issue');
  });

  it('LawVu: x-ms-enum-values give the display names', () => {
    const d = describeOp(corpusRecord('LawVu'), 'PowerPlatform_Fields_Get');
    expect(d.parameters[0].allowedValues).toContainEqual({ value: 'InvoiceBatch', title: 'Invoice Batch' });
    expect(renderDescription(d)).toContain('InvoiceBatch (Invoice Batch)');
  });
});
