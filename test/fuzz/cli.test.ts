// A few fuzz cases through the built CLI (bin/connector.js, dist/cli: `npm run build` first): the
// in-process suites cover the formats; these check the same property where argv is real bytes
// (a lone surrogate arrives as U+FFFD), the process really exits, and stderr is the real stream.
import fc from 'fast-check';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, tempHome } from '../helpers/cli.js';
import { encoded, render, swaggerDoc, text } from './arbitraries.js';
import { scratch } from './cases.js';
import { CASE_TIMEOUT_MS, expectDocumented, fuzz, LONG, PROPERTY_TIMEOUT_MS } from './harness.js';
import { FUZZ_SPEC } from './run-cases.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'connector.js');
const RUNS = LONG ? 300 : 8;
let home: string;

function connector(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: cliEnv(home), timeout: CASE_TIMEOUT_MS, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
      const code = err ? ((err as { code?: number }).code ?? -1) : 0;
      if (err && (err as { killed?: boolean }).killed) resolve({ code: -1, stdout, stderr: `${stderr}\nhang: killed after ${CASE_TIMEOUT_MS} ms` });
      else resolve({ code: typeof code === 'number' ? code : -1, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  home = tempHome('connector-fuzz-bin-');
  const spec = `${scratch('bin')}.swagger.json`;
  writeFileSync(spec, JSON.stringify(FUZZ_SPEC));
  const r = await connector(['import', spec, '--name', 'fz']);
  expect(r.code, r.stderr).toBe(0);
});

const timeout = { timeout: PROPERTY_TIMEOUT_MS };

describe('fuzz: the built CLI', () => {
  it('import of Swagger documents', timeout, () =>
    fuzz(
      'bin-import',
      encoded(swaggerDoc),
      async (e) => {
        const file = `${scratch('bin-spec')}.${e.as}`;
        writeFileSync(file, render(e));
        expectDocumented(await connector(['import', file, '--name', 'b', '--force']));
      },
      RUNS,
    ),
  );
  it('run with -p params and --body', timeout, () =>
    fuzz(
      'bin-run',
      fc.record({
        params: fc.array(fc.tuple(fc.constantFrom('id', 'n', 'tags', 'evil', 'mode', 'X-Trace'), text), { maxLength: 3 }),
        body: fc.option(text, { nil: undefined }),
      }),
      async (input) => {
        const args = ['run', 'fz', 'all', '-p', 'id=a1', ...input.params.flatMap(([k, v]) => ['-p', `${k}=${v}`]), '--dry-run'];
        if (input.body !== undefined) args.push('--body', input.body);
        // argv cannot carry NUL: the OS would refuse the spawn, not connector.
        if (args.some((a) => a.includes('\u0000'))) return;
        expectDocumented(await connector(args));
      },
      RUNS,
    ),
  );
});
