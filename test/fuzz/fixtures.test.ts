// Every input the fuzz suite (or the issue 15 probe) once failed on, replayed as a normal test
// through the same runner: test/fuzz/fixtures/<format>-<hash>.json, `{ format, input, note? }`.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiPropertiesCase, cliSpecCase, importCase } from './cases.js';
import { bodyCase, paramsCase, startRunTarget, stopRunTarget } from './run-cases.js';
import { startSuiteTarget, stopSuiteTarget, suiteCase } from './suite-cases.js';
import { bounded, FIXTURES } from './harness.js';

const RUNNERS: Record<string, (input: any) => Promise<void>> = {
  swagger: (e) => importCase(e),
  openapi: (e) => importCase(e),
  'connector-yaml': (e) => importCase(e, 'yaml'),
  apiproperties: apiPropertiesCase,
  'cli-spec': cliSpecCase,
  params: paramsCase,
  body: bodyCase,
  suite: suiteCase,
};

const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.json'));

beforeAll(async () => {
  await startRunTarget();
  await startSuiteTarget();
});
afterAll(async () => {
  await stopRunTarget();
  await stopSuiteTarget();
});

describe('fuzz fixtures (inputs that once failed)', () => {
  it('there are some, and each names a known format', () => {
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) expect(Object.keys(RUNNERS), f).toContain(JSON.parse(readFileSync(join(FIXTURES, f), 'utf8')).format);
  });
  it.each(files)('%s', { timeout: 30_000 }, async (f) => {
    const { format, input } = JSON.parse(readFileSync(join(FIXTURES, f), 'utf8'));
    await bounded(RUNNERS[format](input), f);
  });
});
