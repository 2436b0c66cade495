import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { callOperation } from '../../src/http/call.js';
import { memoryCtx, recordFrom, recordingServer } from '../run/helpers.js';

const DIR = join(import.meta.dirname, '..', 'fixtures', 'policies', 'response-convertobjecttoarray');
const record = recordFrom('objects', join(DIR, 'apiDefinition.swagger.json'), join(DIR, 'apiProperties.json'));

let server: Awaited<ReturnType<typeof recordingServer>>;
let body = '';
beforeAll(async () => {
  server = await recordingServer(() => ({ headers: { 'content-length': String(Buffer.byteLength(body)) }, body }));
});
afterAll(() => server.close());

const call = (operationId: string, verbose = false, dryRun = false) => {
  const { ctx, stderr } = memoryCtx({ verbose });
  return callOperation(ctx, record, operationId, { params: {}, baseUrl: server.url, retries: 0, dryRun }).then((res) => ({ res, stderr: stderr() }));
};

describe('the response pipeline in callOperation (run, connection verification, dynamic values)', () => {
  it('re-serialises an edited body and keeps content-length true to it', async () => {
    body = '{"peopleObject":{"A":{"Age":"1"}}}';
    const { res, stderr } = await call('GetPeople');
    expect(JSON.parse(res.body.toString())).toEqual({ peopleObject: { A: { Age: '1' } }, peopleArray: [{ Name: 'A', Details: { Age: '1' } }] });
    expect(res.headers['content-length']).toBe(String(res.body.length));
    expect(stderr).not.toContain('* policy'); // the trace is --verbose's
  });

  it('leaves the bytes as they came when nothing changed (an instance that finds nothing to convert)', async () => {
    body = '{\n  "other": 1\n}';
    const { res, stderr } = await call('GetPeople', true);
    expect(res.body.toString()).toBe(body);
    expect(stderr).not.toContain('* policy');
  });

  it('--dry-run has no answer to edit', async () => {
    const { res } = await call('GetPeople', true, true);
    expect(res.body.length).toBe(0);
  });
});
