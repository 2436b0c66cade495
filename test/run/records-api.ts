import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { recordingServer } from './helpers.js';
import { runCli, tempHome } from '../helpers/cli.js';

/**
 * The loopback API of test/fixtures/dynamic-schema/records.swagger.json: record types whose
 * field schema is fetched (GetRecordSchema), item categories with values (ListCategories) and
 * a schema each (GetCategorySchema). Every request needs `X-Key: KEY`. A POST answers with
 * what was sent (createRecord: the `fields` of it, so --validate checks them).
 */
export const KEY = 'records-key-1';
export const ENV = { CONNECTOR_RECORDS__DEFAULT__API_KEY: KEY };
const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'dynamic-schema', 'records.swagger.json');

const SCHEMAS: Record<string, unknown> = {
  '/schemas/box': {
    schema: {
      type: 'object',
      required: ['size'],
      properties: { size: { type: 'integer', 'x-ms-summary': 'Size' }, color: { type: 'string', enum: ['red', 'blue'] } },
    },
  },
  '/schemas/note': {
    schema: {
      type: 'object',
      required: ['text'],
      properties: { text: { type: 'string', description: 'What the note says' }, pinned: { type: 'boolean', 'x-ms-visibility': 'important' } },
    },
  },
  '/categories': {
    value: [
      { name: 'book', title: 'Book' },
      { name: 'film', title: 'Film' },
    ],
  },
  '/categories/book/schema': {
    items: { type: 'object', required: ['isbn'], properties: { isbn: { type: 'string' }, pages: { type: 'integer' } } },
  },
};

export async function startRecordsApi() {
  const server = await recordingServer((req) => {
    if (req.headers['x-key'] !== KEY) return { status: 401, body: '{"error":"no key"}' };
    if (req.method === 'GET') {
      const answer = SCHEMAS[req.url];
      return answer ? { body: JSON.stringify(answer) } : { status: 404, body: '{"error":"no such schema"}' };
    }
    if (req.url.startsWith('/records/')) return { body: JSON.stringify(JSON.parse(req.body.toString('utf8')).fields ?? {}) };
    return { body: req.body.length ? req.body.toString('utf8') : '{}' };
  });
  return {
    ...server,
    /** The fixture with this server as its host, written into `dir`. */
    writeSpec(dir: string): string {
      const spec = JSON.parse(readFileSync(FIXTURE, 'utf8'));
      spec.host = new URL(server.url).host;
      const file = join(dir, 'records.swagger.json');
      writeFileSync(file, JSON.stringify(spec));
      return file;
    },
    /** Requests so far other than GETs of a schema or values (what `run` itself sent). */
    sent: () => server.seen.filter((s) => s.method !== 'GET'),
  };
}

export type RecordsApi = Awaited<ReturnType<typeof startRecordsApi>>;

/** The records API started, and its fixture imported as `records` into a fresh home: one test file's set-up. */
export async function importedRecords(): Promise<{ api: RecordsApi; home: string }> {
  const api = await startRecordsApi();
  const home = tempHome();
  const r = await runCli(['import', api.writeSpec(home), '--name', 'records'], { home });
  if (r.code !== 0) throw new Error(`importing the records fixture failed: ${r.stderr}`);
  return { api, home };
}
