// Issue 15, finding 7: a spec's `pattern` ran on the backtracking RegExp engine, so `^(a+)+$` took
// 10 s on 28 characters (> 20 s at 40). Patterns now run on RE2 (linear time), in the parameter
// checks before a request and in `--validate`; one RE2 cannot run is skipped with one warning line.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkValue } from '../../src/operation/validate.js';
import { runCli, tempHome } from '../helpers/cli.js';
import { recordingServer } from '../run/helpers.js';

const EVIL = '^(a+)+$';
const LOOKAHEAD = '^(?=.*\\d)\\w+$';
const attack = `${'a'.repeat(40)}!`;

let work: string;
let home: string;
let server: Awaited<ReturnType<typeof recordingServer>>;
beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'connector-redos-'));
  server = await recordingServer((req) =>
    req.url.startsWith('/evil') ? { body: JSON.stringify({ name: attack }) } : { body: JSON.stringify({ name: 'abc', n: 'x' }) },
  );
  const spec = {
    swagger: '2.0',
    info: { title: 'Redos', version: '1' },
    host: '127.0.0.1',
    schemes: ['http'],
    paths: {
      '/evil': {
        get: {
          operationId: 'evil',
          parameters: [{ name: 'q', in: 'query', type: 'string', pattern: EVIL }],
          responses: { 200: { description: 'ok', schema: { type: 'object', properties: { name: { type: 'string', pattern: EVIL } } } } },
        },
      },
      '/look': {
        get: {
          operationId: 'look',
          parameters: [{ name: 'q', in: 'query', type: 'string', pattern: LOOKAHEAD }],
          responses: {
            200: {
              description: 'ok',
              schema: { type: 'object', properties: { name: { type: 'string', pattern: LOOKAHEAD }, n: { type: 'integer' } } },
            },
          },
        },
      },
    },
  };
  writeFileSync(join(work, 'redos.swagger.json'), JSON.stringify(spec));
  home = tempHome();
  expect((await runCli(['import', join(work, 'redos.swagger.json'), '--name', 'redos'], { home })).code).toBe(0);
});
afterAll(async () => {
  await server.close();
  rmSync(work, { recursive: true, force: true });
});

const run = (args: string[]) => runCli(['run', 'redos', ...args, '--base-url', server.url], { home });

/** Runs `f`, failing if it takes longer than `ms` (a backtracking engine takes minutes here). */
async function within<T>(ms: number, f: () => Promise<T>): Promise<T> {
  const t = performance.now();
  const r = await f();
  expect(performance.now() - t).toBeLessThan(ms);
  return r;
}

describe('spec patterns run in linear time', () => {
  it('checks a -p value against ^(a+)+$ at once (exit 2 naming the parameter)', { timeout: 15_000 }, async () => {
    const r = await within(10_000, () => run(['evil', '-p', `q=${attack}`, '--dry-run']));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^connector: parameter 'q' \(query\) must match the pattern \^\(a\+\)\+\$/);
    expect((await run(['evil', '-p', 'q=aaaa', '--dry-run'])).code).toBe(0);
  });

  it('checks a response against ^(a+)+$ at once with --validate', { timeout: 15_000 }, async () => {
    const r = await within(10_000, () => run(['evil', '--validate']));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/\/name: must match pattern/);
  });

  it('skips a pattern RE2 cannot run (a lookahead) with one warning line naming it, and checks the rest', async () => {
    const r = await run(['look', '-p', 'q=abc', '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stderr.trim().split('\n')).toEqual([
      `warning: the spec's pattern ${JSON.stringify(LOOKAHEAD)} is not checked: a linear-time matcher cannot run it (invalid perl operator: (?=)`,
    ]);
    const v = await run(['look', '--validate']);
    expect(v.stderr).toContain(`warning: the spec's pattern ${JSON.stringify(LOOKAHEAD)} is not checked`);
    expect(v.stderr).toMatch(/\/n: must be integer/); // the schema's other checks still run
    expect(v.code).toBe(1);
  });

  it('checkValue reports a skipped pattern to its warn hook, once per call', () => {
    const seen: string[] = [];
    expect(checkValue({ type: 'string', pattern: '(a)\\1' }, 'aa', (m) => seen.push(m))).toEqual([]);
    expect(seen).toHaveLength(1);
    expect(checkValue({ type: 'string', pattern: EVIL }, attack)).toEqual([`must match the pattern ${EVIL}`]);
  });
});
