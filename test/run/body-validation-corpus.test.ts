import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CORPUS_DIR } from '../helpers/cli.js';
import type { ConnectorRecord } from '../../src/model.js';
import { allOperations } from '../../src/operation/find.js';
import { exampleBody } from '../../src/operation/example.js';
import { checkAgainst } from '../../src/operation/schema-check.js';
import { hasDynamicSchema, resolveDynamicSchema } from '../../src/operation/dynamic-schema.js';
import { responseSchema } from '../../src/operation/response.js';
import { testContext } from '../helpers/context.js';

const present = existsSync(join(CORPUS_DIR, 'INDEX.tsv'));
if (!present) console.warn(`[corpus] ${CORPUS_DIR} is absent: skipping the body validation test on real connectors`);

const read = (f: string) => JSON.parse(readFileSync(f, 'utf8').replace(/^\uFEFF/, ''));

function corpusRecord(dir: string): ConnectorRecord | undefined {
  const folder = join(CORPUS_DIR, dir);
  if (!existsSync(folder) || !statSync(folder).isDirectory()) return undefined;
  const file = readdirSync(folder).find((f) => f.toLowerCase() === 'apidefinition.swagger.json');
  if (!file) return undefined;
  const definition = read(join(folder, file));
  return { name: dir, title: dir, specFormat: 'swagger2', source: { kind: 'file', location: dir }, importedAt: '', definition };
}

describe.skipIf(!present)('request body validation on the real connectors in ../shared/corpus', () => {
  it('no example body (operation/example.ts) of any corpus operation is refused', () => {
    let operations = 0;
    let checked = 0;
    const refused: string[] = [];
    const unchecked: string[] = [];
    for (const dir of readdirSync(CORPUS_DIR)) {
      const r = corpusRecord(dir);
      if (!r) continue;
      for (const op of allOperations(r)) {
        operations++;
        if (!op.body || !/json/i.test(op.body.contentTypes[0] ?? 'application/json')) continue;
        const body = exampleBody(op.body);
        const result = checkAgainst(r, op.body.schema, body ?? {}, 'request');
        checked++;
        if ('unchecked' in result) unchecked.push(`${dir} ${op.operationId}: ${result.unchecked}`);
        else if (result.problems.length) refused.push(`${dir} ${op.operationId}: ${result.problems.map((p) => `${p.pointer} ${p.message}`).join('; ')}`);
      }
    }
    console.info(`[corpus] ${operations} operations, ${checked} example bodies checked, ${refused.length} refused, ${unchecked.length} not checkable`);
    expect(operations).toBeGreaterThan(2000);
    expect(refused).toEqual([]);
    expect(unchecked).toEqual([]);
  }, 60_000);

  it('every dynamic schema node of the corpus is found, and one that cannot be fetched leaves the static schema', async () => {
    const ctx = testContext(); // no seam: nothing may be called
    let operations = 0;
    let nodes = 0;
    const connectors = new Set<string>();
    for (const dir of readdirSync(CORPUS_DIR)) {
      const r = corpusRecord(dir);
      if (!r) continue;
      for (const op of allOperations(r)) {
        const schemas = [op.body?.schema, ...Object.keys(op.responses).map((s) => responseSchema(op, Number(s) || 200))].filter(
          (s) => s && hasDynamicSchema(s),
        );
        if (!schemas.length) continue;
        operations++;
        connectors.add(dir);
        for (const schema of schemas) {
          const inputs = { ctx, record: r, op, params: {}, connection: async () => Promise.reject(new Error('offline')) };
          const res = await resolveDynamicSchema(inputs, schema!);
          expect(res.schema, `${dir} ${op.operationId}`).toBe(schema);
          expect(res.fetched.every((f) => f.failed)).toBe(true);
          nodes += res.fetched.length;
        }
      }
    }
    console.info(`[corpus] ${operations} operations of ${connectors.size} connectors have a dynamic schema (${nodes} nodes met)`);
    expect(operations).toBeGreaterThan(100);
  }, 60_000);
});
