import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SuiteError, interpolate, loadSuite } from '../../src/smoke/suite.js';
import { failure } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'connector-suite-'));
const write = (name: string, text: string) => {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
};

describe('loadSuite', () => {
  it('reads a suite, defaults step ids to the operation (-2 for a repeat) and the name to the file', async () => {
    const f = write('notes.suite.yaml', 'connector: sample-notes\nsteps:\n  - operation: listNotes\n  - operation: listNotes\n    params: { limit: 1 }\n');
    const s = await loadSuite(f);
    expect(s.name).toBe('notes');
    expect(s.steps.map((x) => [x.id, x.line])).toEqual([
      ['listNotes', 3],
      ['listNotes-2', 4],
    ]);
    expect(s.setup).toEqual([]);
  });

  it.each([
    ['unknown key', 'connector: k\nsteps:\n  - operation: a\n    expekt: {}\n', ':3:5: steps.0: unknown key', "'expekt' (expected one of: id, name, operation"],
    ['missing operation', 'connector: k\nsteps:\n  - params: {}\n', ':3:5: steps.0: ', "'operation' is missing"],
    ['bad status', 'connector: k\nsteps:\n  - operation: a\n    expect: { status: 2x }\n', ':4:23: steps.0.expect.status', ''],
    [
      'JSONPath without $',
      'connector: k\nsteps:\n  - operation: a\n    expect:\n      json: [{ path: a.b, exists: true }]\n',
      ':5:22: steps.0.expect.json.0.path',
      "starts with '$'",
    ],
    [
      'two checks in one assertion',
      'connector: k\nsteps:\n  - operation: a\n    expect:\n      json: [{ path: $.a, exists: true, length: 1 }]\n',
      ':5:14:',
      'exactly one check',
    ],
    ['no connector', 'steps: []\n', ':1:1: the suite', "'connector' is missing"],
    ['invalid YAML', 'connector: k\nsteps:\n  - operation: [a\n', ':4:1: invalid YAML', ''],
  ])('%s: one line with file:line:column and what was expected', async (_what, text, at, what) => {
    const f = write('bad.yaml', text);
    const msg = await failure(loadSuite(f));
    expect(msg.startsWith(`${f}${at}`), msg).toBe(true);
    expect(msg).toContain(what);
    expect(msg).not.toContain('\n');
  });

  it('a step id used twice is refused with both places', async () => {
    const f = write('dup.yaml', 'connector: k\nsteps:\n  - operation: a\n    id: x\n  - operation: b\n    id: x\n');
    await expect(loadSuite(f)).rejects.toBeInstanceOf(SuiteError);
    expect(await failure(loadSuite(f))).toBe(`${f}:5:5: step id 'x' is used twice (first at 3:5)`);
  });

  it('a missing file is exit 2 naming it', async () => {
    const e = await loadSuite(join(dir, 'nope.yaml')).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(SuiteError);
    expect((e as SuiteError).exitCode).toBe(2);
  });
});

describe('interpolate', () => {
  const scope = { env: { TOKEN: 't-1' }, vars: { id: 7, name: 'x' } };
  it('replaces ${env:NAME} and ${vars.name}; a whole-string reference keeps its type', () => {
    expect(interpolate({ a: '${vars.id}', b: 'id=${vars.id}&t=${env:TOKEN}', c: ['${vars.name}'] }, scope, 'w')).toEqual({ a: 7, b: 'id=7&t=t-1', c: ['x'] });
  });
  it('an unset variable or an uncaptured value is one line naming it', () => {
    expect(() => interpolate('${env:NOPE}', scope, 's.yaml:3')).toThrow('s.yaml:3: ${env:NOPE} is not set');
    expect(() => interpolate('${vars.later}', scope, 's.yaml:3')).toThrow('s.yaml:3: ${vars.later} has not been captured by an earlier step');
  });
});
