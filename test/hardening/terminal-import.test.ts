import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempHome } from '../helpers/cli.js';

// Issue 15, finding 9, the lines a review found still raw: a bundled $ref's file name and the
// operation ids of `import --force`'s change list.
const OSC = '\x1b]0;pwned\x07';
const CLEAR = '\x1b[2J';
/** Anything a terminal would act on: C0 but \n, DEL, C1. */
const ACTS = /[\x00-\x09\x0b-\x1f\x7f-\x9f]/;

const spec = (operationId: string, ref?: string) => ({
  swagger: '2.0',
  info: { title: 'Names', version: '1' },
  host: '127.0.0.1:1',
  basePath: '/',
  schemes: ['http'],
  paths: { '/x': { get: { operationId, responses: { 200: { description: 'ok', ...(ref ? { schema: { $ref: ref } } : {}) } } } } },
});

describe('import prints no control sequence from file names or operation ids', () => {
  it('a bundled $ref whose file name carries an escape sequence is listed escaped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'connector-names-'));
    const name = `x${OSC}${CLEAR}.json`;
    writeFileSync(join(dir, name), JSON.stringify({ type: 'string' }));
    writeFileSync(join(dir, 'api.json'), JSON.stringify(spec('GetX', `./${encodeURIComponent(name)}`)));
    const r = await runCli(['import', join(dir, 'api.json')], { home: tempHome() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/Bundled external \$ref x\\x1b/);
    expect(r.stderr).not.toMatch(ACTS);
  });

  it("import --force's change list shows an operation id's escape sequence escaped", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'connector-names-'));
    mkdirSync(join(dir, 'a'));
    writeFileSync(join(dir, 'a', 'api.json'), JSON.stringify(spec('GetX')));
    writeFileSync(join(dir, 'b.json'), JSON.stringify(spec(`Get${OSC}${CLEAR}`)));
    const home = tempHome();
    expect((await runCli(['import', join(dir, 'a', 'api.json'), '--name', 'names'], { home })).code).toBe(0);
    const r = await runCli(['import', join(dir, 'b.json'), '--name', 'names', '--force'], { home });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/\+ Get\\x1b/);
    expect(r.stderr).not.toMatch(ACTS);
  });
});
