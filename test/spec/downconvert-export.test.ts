/**
 * `connector export <name> --format paconn -o <dir>` on an OpenAPI 3 connector: converted to
 * Swagger 2.0, each note on stderr as `note: <pointer>: <what>`, the written
 * apiDefinition.swagger.json valid for swagger-parser, and the folder imports again. Also the
 * corpus: every published connector in ../shared/corpus that is OpenAPI 3 is converted (today
 * none is; the test says how many of each it saw).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import { parse as parseJsonc } from 'jsonc-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toSwagger2 } from '../../src/spec/downconvert.js';
import { CORPUS_DIR, runCli, tempHome } from '../helpers/cli.js';

const SPECS = join(import.meta.dirname, '..', '..', 'fixtures', 'specs');
const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'downconvert');
let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'connector-downconvert-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('connector export --format paconn of an OpenAPI 3 connector', () => {
  it.each([
    [join(SPECS, 'petstore.openapi30.yaml'), 'p30'],
    [join(SPECS, 'petstore.openapi31.json'), 'p31'],
    [join(FIXTURES, 'security.in.yaml'), 'sec'],
    [join(FIXTURES, 'bodies.in.yaml'), 'bodies'],
  ])(
    '%s: converts, prints each note on stderr, writes valid Swagger 2.0 that imports again',
    async (file, name) => {
      const home = tempHome('connector-downconvert-');
      expect((await runCli(['import', file, '--name', name], { home })).code).toBe(0);
      const out = join(work, name);
      const r = await runCli(['export', name, '--format', 'paconn', '-o', out], { home });
      expect(r.code).toBe(0);
      const noteLines = r.stderr.split('\n').filter((l) => l.startsWith('note: '));
      for (const l of noteLines) expect(l).toMatch(/^note: \/\S*: \S.*$/);
      const written = JSON.parse(readFileSync(join(out, 'apiDefinition.swagger.json'), 'utf8'));
      expect(written.swagger).toBe('2.0');
      expect(written.openapi).toBeUndefined();
      // The same notes as the converter's, in its order.
      const { record } = await (await import('../../src/spec/import.js')).prepareImport(file);
      expect(noteLines).toEqual(toSwagger2(record.definition).notes.map((n) => `note: ${n}`));
      await SwaggerParser.validate(structuredClone(written));
      const back = await runCli(['import', out, '--name', `${name}-back`], { home });
      expect(back.code, back.stderr).toBe(0);
      const ops = await runCli(['operations', `${name}-back`], { home });
      expect(ops.code, ops.stderr).toBe(0);
    },
    30_000,
  );

  it('petstore 3.0: bearer approximated with a note, the rest without', async () => {
    const home = tempHome('connector-downconvert-');
    await runCli(['import', join(SPECS, 'petstore.openapi30.yaml'), '--name', 'pets'], { home });
    const r = await runCli(['export', 'pets', '--format', 'paconn', '-o', join(work, 'pets')], { home });
    expect(r.stderr).toMatch(
      /^note: \/components\/securitySchemes\/bearer: Swagger 2.0 has no HTTP 'bearer' scheme; approximated as an apiKey header 'Authorization'/m,
    );
    const written = JSON.parse(readFileSync(join(work, 'pets', 'apiDefinition.swagger.json'), 'utf8'));
    expect(written).toMatchObject({ host: 'petstore.example.com', basePath: '/api/v2', schemes: ['https'] });
    expect(written.paths['/pets'].get['x-ms-visibility']).toBe('important');
  }, 30_000);
});

const corpus = existsSync(CORPUS_DIR) ? readdirSync(CORPUS_DIR).sort() : [];
describe.skipIf(!corpus.length)(`the corpus (${CORPUS_DIR})`, () => {
  it('every OpenAPI 3 connector converts to valid Swagger 2.0 (counts what it saw)', { timeout: 60_000 }, async () => {
    const seen: Record<string, number> = {};
    for (const name of corpus) {
      const file = join(CORPUS_DIR, name, 'apiDefinition.swagger.json');
      if (!existsSync(file)) {
        seen.none = (seen.none ?? 0) + 1;
        continue;
      }
      const doc = parseJsonc(readFileSync(file, 'utf8'));
      const kind = typeof doc?.openapi === 'string' ? `openapi ${doc.openapi}` : `swagger ${doc?.swagger}`;
      seen[kind] = (seen[kind] ?? 0) + 1;
      if (kind.startsWith('openapi')) await SwaggerParser.validate(structuredClone(toSwagger2(doc).swagger) as any);
    }
    console.log(`corpus: ${JSON.stringify(seen)}`);
    expect(Object.values(seen).reduce((a, b) => a + b, 0)).toBe(corpus.length);
  });
});
if (!corpus.length) console.log(`skipped the corpus check: ${CORPUS_DIR} is absent`);
