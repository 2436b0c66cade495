import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { ENV, importedRecords, type RecordsApi } from '../run/records-api.js';

/**
 * x-ms-dynamic-schema / x-ms-dynamic-properties (issue 12, 2): the schema is fetched from its
 * source operation with the run's -p values (and the body, for `body/category`), and used by the
 * body check, --validate and the operation's description.
 */
let api: RecordsApi;
let home: string;

beforeAll(async () => {
  ({ api, home } = await importedRecords());
});
afterAll(() => api.close());

const run = (args: string[], env: NodeJS.ProcessEnv = ENV) => runCli(['run', 'records', ...args], { home, env });
const schemaCalls = () => api.seen.filter((s) => s.method === 'GET').map((s) => s.url);

describe('the body check with a fetched schema', () => {
  it('a nested x-ms-dynamic-schema (parameter: type) is fetched with -p type and its rules apply', async () => {
    const before = api.sent().length;
    const r = await run(['createRecord', '-p', 'type=box', '--body', '{"title":"t","fields":{"size":"big","color":"green"}}']);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines[0]).toBe('connector: request body /fields/size: must be integer (schema of createRecord)');
    expect(lines[1]).toBe('  request body /fields/color: must be one of "red", "blue"');
    expect(api.sent().length).toBe(before);
    expect(api.seen.at(-1)).toMatchObject({ method: 'GET', url: '/schemas/box' });
    expect(api.seen.at(-1)!.headers['x-key']).toBe(ENV.CONNECTOR_RECORDS__DEFAULT__API_KEY); // through the connection, as run
  });

  it('-f values take their types from the fetched schema (fields.size=3 is a number there), as from a static one', async () => {
    const r = await run(['createRecord', '-p', 'type=box', '-f', 'title=t', '-f', 'fields.size=3', '-f', 'fields.color=red']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(JSON.parse(api.sent().at(-1)!.body.toString('utf8'))).toEqual({ title: 't', fields: { size: 3, color: 'red' } });
  });

  it('x-ms-dynamic-properties with parameterReference body/category reads the body itself', async () => {
    const r = await run(['createItem', '--body', '{"category":"book","value":{"pages":"many"}}']);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n').slice(0, 2)).toEqual([
      'connector: request body /value/isbn: is required, but missing (schema of createItem)',
      '  request body /value/pages: must be integer',
    ]);
    expect(schemaCalls().at(-1)).toBe('/categories/book/schema');
    const ok = await run(['createItem', '--body', '{"category":"book","value":{"isbn":"1","pages":3}}']);
    expect([ok.code, ok.stderr]).toEqual([0, '']);
  });

  it('cannot be fetched (the source answers 404; a referenced value missing): one line, the static part is used, the body is sent', async () => {
    const r = await run(['createRecord', '-p', 'type=other', '--body', '{"title":"t","fields":{"size":"big"}}']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      'request body /fields: the schema from GetRecordSchema was not fetched (GetRecordSchema answered HTTP 404); the static part is used\n',
    );
    const missing = await run(['createItem', '--body', '{"value":{"pages":"many"}}']);
    expect(missing.code).toBe(2); // the static part still holds: category is required
    expect(missing.stderr.split('\n')[0]).toBe(
      "request body /value: the schema from GetCategorySchema was not fetched (needs the body's category); the static part is used",
    );
    expect(missing.stderr).toContain('connector: request body /category: is required, but missing (schema of createItem)');
  });

  it('--no-input changes nothing (fetching is no prompt); the schema is fetched once per run', async () => {
    const before = schemaCalls().length;
    const r = await runCli(['--no-input', 'run', 'records', 'createRecord', '-p', 'type=box', '--body', '{"title":"t","fields":{"size":1}}', '--validate'], {
      home,
      env: ENV,
    });
    expect([r.code, r.stderr]).toEqual([0, 'response matches the schema\n']);
    expect(schemaCalls().slice(before)).toEqual(['/schemas/box']); // the body check and --validate share one answer
  });
  it('--dry-run sends nothing, not even the source call: the static part is checked, and said so', async () => {
    const before = api.seen.length;
    const r = await run(['createRecord', '-p', 'type=box', '--body', '{"title":"t","fields":{"size":"big"}}', '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('request body /fields: the schema from GetRecordSchema was not fetched (under --dry-run nothing is sent); the static part is used\n');
    expect(r.stdout).toMatch(/^curl /);
    expect(api.seen.length).toBe(before);
  });
});

describe('--validate against a dynamic response schema', () => {
  it('the fetched schema is what the response is checked against', async () => {
    // the API answers with the record's fields: without the fetched schema, any object would match
    const r = await run(['createRecord', '-p', 'type=box', '--body', '{"title":"t","fields":{"size":2,"color":"red"}}', '--validate']);
    expect([r.code, r.stderr]).toEqual([0, 'response matches the schema\n']);
    const bad = await run(['createRecord', '-p', 'type=box', '--body', '{"title":"t"}', '--validate']);
    expect(bad.stderr).toBe('response does not match the createRecord response schema:\n  /size: is required, but missing\n');
  });
});

describe('the description with a fetched schema', () => {
  it('a schema whose source takes only constants is fetched and shown in place (text and --json)', async () => {
    const r = await runCli(['operations', 'records', 'createNote', '--fetch-schemas'], { home, env: ENV });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('fetched from GetRecordSchema: text, pinned (shown in place)');
    expect(r.stdout).toMatch(/\n {2}text\*\s+string\n/);
    expect(r.stdout).toMatch(/\n {2}pinned\s+boolean\s+important\n/);
    expect(r.stdout).toContain('connector run records createNote -f text=example\n'); // the run line from the fetched schema
    const j = await runCli(['--json', 'operations', 'records', 'createNote', '--fetch-schemas'], { home, env: ENV });
    const d = JSON.parse(j.stdout);
    expect(d.dynamicSchemas).toEqual([{ in: 'body', at: '', operationId: 'GetRecordSchema', properties: ['text', 'pinned'] }]);
    expect(d.body.schema.properties.map((p: { name: string }) => p.name)).toEqual(['text', 'pinned']);
    expect(d.body.example).toEqual({ text: 'example', pinned: true });
  });

  it('without --fetch-schemas (and in run K OP --help) nothing is called: the static part, and one line saying how to fetch', async () => {
    const before = api.seen.length;
    for (const args of [
      ['operations', 'records', 'createNote'],
      ['run', 'records', 'createNote', '--help'],
    ]) {
      const r = await runCli(args, { home, env: ENV });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).not.toContain('fetched from');
      expect(r.stderr).toBe('createNote has schema parts the API gives at run time (x-ms-dynamic-schema/-properties): add --fetch-schemas to fetch them\n');
    }
    expect(api.seen.length).toBe(before);
  });

  it('no connection, or a -p value it needs: one line on stderr, the static part shown', async () => {
    const none = await runCli(['operations', 'records', 'createNote', '--fetch-schemas'], { home });
    expect(none.code).toBe(0);
    expect(none.stderr).toMatch(
      /^body: the schema from GetRecordSchema was not fetched \(no connection \(connector 'records' needs a connection and has none\)\); the static part is used\n$/,
    );
    expect(none.stdout).not.toContain('fetched from');
    const needs = await runCli(['operations', 'records', 'createRecord', '--fetch-schemas'], { home, env: ENV });
    expect(needs.stderr).toContain('body /fields: the schema from GetRecordSchema was not fetched (needs -p type); the static part is used');
    expect(needs.stderr).toContain('response 200: the schema from GetRecordSchema was not fetched (needs -p type)');
  });
});
