import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { strictPrompter } from '../helpers/context.js';
import { MemoryStore } from '../../src/secrets/store.js';
import { ENV, importedRecords, type RecordsApi } from '../run/records-api.js';
import { runOnTerminal } from '../helpers/terminal-run.js';

/**
 * Interactive body prompts (issue 12, 2): on a terminal, with no --body and no -f, `run` asks for
 * the body's required and important properties, typed by the (static or fetched) schema.
 */
let api: RecordsApi;
let home: string;

beforeAll(async () => {
  ({ api, home } = await importedRecords());
});
afterAll(() => api.close());

/** `connector run records …` on a terminal (stdin and stdout TTYs), answering from `answers`. */
async function runTty(args: string[], answers: Record<string, string | boolean>) {
  const prompter = strictPrompter(answers);
  const store = new MemoryStore();
  const r = await runOnTerminal(['run', 'records', ...args], {
    env: { CONNECTOR_HOME: home, ...ENV },
    overrides: { secrets: async () => store, prompter: async () => prompter },
  });
  return { ...r, asked: prompter.asked };
}

const lastBody = () => JSON.parse(api.sent().at(-1)!.body.toString('utf8'));

describe('interactive body prompts', () => {
  it('required and important properties, typed: text, a number, an enum as a select; readOnly and the rest not asked', async () => {
    const r = await runTty(['addPet'], { 'name (Name)': 'Rex', 'age (optional)': '3', 'kind (optional)': '"dog"' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.asked.map((q) => [q.kind, q.message, q.choices])).toEqual([
      ['input', 'name (Name)', undefined],
      ['input', 'age (optional)', undefined],
      ['select', 'kind (optional)', ['cat="cat"', 'dog="dog"', '(leave out)=\u0000none']],
    ]);
    expect(lastBody()).toEqual({ name: 'Rex', age: 3, kind: 'dog' });
  });

  it('a property with dynamic values is a select of them; a dynamic schema is fetched from what was answered before', async () => {
    const r = await runTty(['createItem'], { 'category (Category)': 'book', 'value.isbn': '978' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.asked[0]).toMatchObject({ kind: 'select', choices: ['Book (book)=book', 'Film (film)=film'] });
    expect(lastBody()).toEqual({ category: 'book', value: { isbn: '978' } });
  });

  it('a whole body schema fetched: its required text, and its important boolean as a confirm', async () => {
    const r = await runTty(['createNote'], { text: 'hello', 'pinned (optional)': true });
    expect(r.code, r.stderr).toBe(0);
    expect(r.asked.map((q) => q.kind)).toEqual(['input', 'confirm']);
    expect(r.asked[0].hint).toBe('What the note says');
    expect(lastBody()).toEqual({ text: 'hello', pinned: true });
  });

  it('a value that does not fit is said and asked again; after three tries, exit 2 and nothing sent', async () => {
    const before = api.sent().length;
    const r = await runTty(['addPet'], { 'name (Name)': 'Rex', 'age (optional)': '-2' });
    expect(r.code).toBe(2);
    expect(r.asked.filter((q) => q.message === 'age (optional)')).toHaveLength(3);
    expect(r.stderr).toContain('age must be >= 0\n');
    expect(r.stderr).toContain("connector: no valid value for the request body's age");
    expect(api.sent().length).toBe(before);
  });

  it('nothing is asked with --body, with -f, or with --no-input', async () => {
    const body = await runTty(['addPet', '--body', '{"name":"Rex"}'], {});
    expect(body.code, body.stderr).toBe(0);
    const fields = await runTty(['addPet', '-f', 'name=Rex'], {});
    expect(fields.code, fields.stderr).toBe(0);
    const none = await runTty(['--no-input', 'addPet'], {});
    expect(none.asked).toEqual([]);
    expect(none.code).toBe(2); // the body is required: the builder says so, as before
    expect(none.stderr).toMatch(/^connector: .*pet \(body\)/);
  });
});
