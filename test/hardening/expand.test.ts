import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expandedSize } from '../../src/spec/expand.js';
import { runCli, tempHome } from '../helpers/cli.js';

/** `levels` definitions, each with ten properties that $ref the one before: 10^levels nodes once expanded. */
function fanOut(levels: number): Record<string, unknown> {
  const definitions: Record<string, unknown> = { d0: { type: 'string' } };
  for (let i = 1; i <= levels; i++) {
    definitions[`d${i}`] = {
      type: 'object',
      properties: Object.fromEntries(Array.from({ length: 10 }, (_, k) => [`p${k}`, { $ref: `#/definitions/d${i - 1}` }])),
    };
  }
  return {
    swagger: '2.0',
    info: { title: 'Fan', version: '1' },
    host: '127.0.0.1:1',
    basePath: '/',
    schemes: ['http'],
    paths: { '/x': { get: { operationId: 'X', responses: { '200': { description: 'ok', schema: { $ref: `#/definitions/d${levels}` } } } } } },
    definitions,
  };
}

describe('$ref fan-out (a review found a 2 KB spec validating for 25 s, 40 min at nine levels)', () => {
  it('expandedSize counts the tree validation would walk, linearly, and a cycle once', () => {
    expect(expandedSize({ a: 1, b: [1, 2] }, 100)).toBe(5);
    const two = fanOut(2);
    const three = fanOut(3);
    expect(expandedSize(three, 1e9) - expandedSize(two, 1e9)).toBeGreaterThan(8 * (expandedSize(two, 1e9) - expandedSize(fanOut(1), 1e9)));
    const cyclic = { definitions: { a: { properties: { self: { $ref: '#/definitions/a' } } } } };
    expect(expandedSize(cyclic, 100)).toBeLessThan(10);
    const started = Date.now();
    expect(expandedSize(fanOut(12), 2_000_000)).toBeGreaterThan(2_000_000);
    expect(Date.now() - started).toBeLessThan(5_000); // a trillion nodes were never walked
  });

  it('import refuses a spec whose $refs expand beyond the limit, in one line, exit 2, at once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'connector-fan-'));
    const file = join(dir, 'fan.json');
    writeFileSync(file, JSON.stringify(fanOut(9)));
    const home = tempHome();
    const r = await runCli(['import', file], { home });
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe(`connector: ${file}: its $refs expand to more than 2,000,000 nodes; refusing it`);
    expect(JSON.parse((await runCli(['list', '--json'], { home })).stdout)).toEqual([]);
    writeFileSync(file, JSON.stringify(fanOut(3))); // a thousand: a normal spec
    expect((await runCli(['import', file], { home })).code).toBe(0);
  });
});
