import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { ENV, importedRecords, type RecordsApi } from './records-api.js';

/**
 * `connector run` checks a JSON body against the operation's body schema before sending it
 * (issue 12, defect: a wrong type and a missing required property both went out).
 */
let api: RecordsApi;
let home: string;

beforeAll(async () => {
  ({ api, home } = await importedRecords());
});
afterAll(() => api.close());

const run = (args: string[]) => runCli(['run', 'records', ...args], { home, env: ENV });

describe('request body validation', () => {
  it('a wrong type: exit 2, one line naming the JSON pointer and the schema, the hint; nothing sent', async () => {
    const before = api.sent().length;
    const r = await run(['addPet', '--body', '{"name":5}']);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')).toEqual([
      'connector: request body /name: must be string (schema of addPet)',
      'Fix the body, or pass --no-validate-body to send it anyway.',
      '',
    ]);
    expect(api.sent().length).toBe(before);
  });

  it('every problem is listed: a missing required property, an enum miss, a nested one, a bound', async () => {
    const r = await run(['addPet', '--body', '{"kind":"cow","age":-1,"owner":{},"tags":[1]}']);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines[0]).toBe('connector: request body /name: is required, but missing (schema of addPet)');
    expect(lines.slice(1, -1).sort()).toEqual(
      [
        '  request body /age: must be >= 0',
        '  request body /kind: must be one of "cat", "dog"',
        '  request body /owner/email: is required, but missing',
        '  request body /tags/0: must be string',
      ].sort(),
    );
    expect(lines.at(-1)).toBe('Fix the body, or pass --no-validate-body to send it anyway.');
  });

  it('a readOnly property is neither required nor checked; an optional null passes; a good body is sent as given', async () => {
    const body = '{"name":"Rex","id":"server-side","age":null,"owner":{"email":"a@b.c"}}';
    const r = await run(['addPet', '--body', body]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(api.sent().at(-1)!.body.toString()).toBe(body);
  });

  it('--no-validate-body sends the wrong body anyway', async () => {
    const r = await run(['addPet', '--body', '{"name":5}', '--no-validate-body']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(api.sent().at(-1)!.body.toString()).toBe('{"name":5}');
  });

  it('-f fields and --dry-run are checked too (a dry run shows what would be sent)', async () => {
    const f = await run(['addPet', '-f', 'name:=3']);
    expect(f.code).toBe(2);
    expect(f.stderr).toContain('connector: request body /name: must be string (schema of addPet)');
    const dry = await run(['addPet', '--body', '{}', '--dry-run']);
    expect(dry.code).toBe(2);
    expect(dry.stderr).toContain('request body /name: is required, but missing');
    const ok = await run(['addPet', '-f', 'name=Rex', '--dry-run']);
    expect(ok.code, ok.stderr).toBe(0);
  });

  it('a body that is not an object at all: the whole body is named', async () => {
    const r = await run(['addPet', '--body', '[1]']);
    expect(r.stderr.split('\n')[0]).toBe('connector: request body: must be object (schema of addPet)');
  });
});
