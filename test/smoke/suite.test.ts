import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import YAML from 'yaml';
import { SuiteError, interpolate, loadSuite } from '../../src/smoke/suite.js';
import { quickData } from '../../src/smoke/yaml-fast.js';
import { failure } from '../helpers/cli.js';

/** Malformed suites: the text, where the message points, and what it says. */
const MALFORMED: [string, string, string, string][] = [
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
];

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

  it.each(MALFORMED)('%s: one line with file:line:column and what was expected', async (_what, text, at, what) => {
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

// The quick reader (js-yaml, src/smoke/yaml-fast.ts) must give exactly yaml's data, or step aside.
describe('quickData: yaml-fast agrees with yaml or leaves the text to it', () => {
  const LONG = process.env.CONNECTOR_HARDENING === 'long';
  const viaYaml = (text: string) => {
    const doc = YAML.parseDocument(text, { uniqueKeys: true, prettyErrors: false });
    return doc.errors.length ? { error: doc.errors[0].message } : { data: doc.toJS({ maxAliasCount: 100 }) };
  };
  // Plain scalars of every core-schema type and of the YAML 1.1 ones yaml does not read as such,
  // quoting, escapes, flow collections, block scalars, comments, and mistakes.
  const RAW = [
    ...['0o17', '017', '1_000', '.5', '+.5', '1.', '1e3', '1E+3', '.inf', '-.Inf', '.NaN', 'null', 'Null', 'NULL', '~', '', 'true', 'True', 'TRUE'],
    ...['yes', 'No', 'on', '0x1f', '0X1F', '-0', '+12', '2024-01-01', '12:30', '1,000', '0b101', '1__0', '00', '09', '0.0', '-.0e0', '12345678901234567890'],
    ...["'q'", '"d\\x41"', '"\\u00e9"', '"\\/"', '"\\N"', '"\\_"', "'it''s'", '"\\t"', "'\\t'", '"\\ud83d\\ude00"', '"\\U0001F600"', '😀', 'a\\b'],
    ...['a #c', 'a#b', '"a"#c', "'a'#c", '[a]#c', 'a: b', '[a, b]', '{a: 1}', '[1,2,]', '{a: 1,}', '[a: 1]', 'a, b', 'a:b', '"a":1', '{"a":1}', '[[1]]'],
    ...['|\n  x\n', '>-\n  a\n  b', '|+\n  x\n\n', '" x"', '"multi\n  line"', 'plain\n  folded', 'x\n  - y', '- a', '- - a', '? a', 'a ]', 'a }', 'a]'],
    ...['{a: b c}', '{a b}', '"unterminated', "'x'y", '"x" y', '# only comment', 'x # c\n  y', '1e', '-', '--- x', '... ', '=', '<<', '*a', '&a x', '!!str 1'],
    ...['{ a: 1, b: [x, { c: ~ }] }', '[k]', '{ [a]: 1 }', '{ null: 1 }', '"${vars.id}"', '${env:TOKEN}', '/json/', '^a.*$', 'a?b', 'http://h/p?q=1&r=2'],
  ];
  const KEYS = ['a', 'b', 'null', '~', '1', '01', 'true', '"a"', "'b'", 'x y', '[k]', '{k: 1}', '? q', '<<', '__proto__', 'constructor', '"null"', '-1', '1.0'];
  const entry = fc.tuple(fc.constantFrom(...KEYS), fc.constantFrom(...RAW), fc.integer({ min: 0, max: 3 })).map(([k, v, style]) => {
    if (style === 0) return `${k}: ${v}`;
    if (style === 1) return `${k}:\n  - ${v.replace(/\n/g, '\n    ')}`;
    if (style === 2) return `${k}: { z: ${v.replace(/\n/g, ' ')} }`;
    return `${k}:\n  ${v.replace(/\n/g, '\n  ')}`;
  });
  const handWritten = fc.tuple(fc.array(entry, { minLength: 1, maxLength: 5 }), fc.boolean()).map(([lines, nl]) => lines.join('\n') + (nl ? '\n' : ''));
  // What a person or a generator writes: any JSON value in each of yaml's output styles.
  const stringified = fc
    .tuple(
      fc.jsonValue({ maxDepth: 4 }),
      fc.constantFrom('PLAIN', 'QUOTE_DOUBLE', 'QUOTE_SINGLE', 'BLOCK_LITERAL', 'BLOCK_FOLDED'),
      fc.constantFrom('any', 'block', 'flow'),
    )
    .map(([v, defaultStringType, collectionStyle]) =>
      YAML.stringify(v, { defaultStringType: defaultStringType as never, collectionStyle: collectionStyle as never, lineWidth: 40 }),
    );

  it.each([
    ['a comment right after a quote', 'a: "x"#c\n'],
    ['a collection as a key', '[k]: v\n'],
    ['a null key', 'null: x\n'],
    ['a YAML 1.1 directive', '%YAML 1.1\n---\na: yes\n'],
    ['an alias', 'a: &x 1\nb: *x\n'],
    ['a tag', 'a: !!str 1\n'],
    ['a tab', 'a:\t1\n'],
    ['a duplicate key', 'a: 1\na: 2\n'],
  ])('%s goes to yaml', (_what, text) => {
    expect(quickData(text)).toBeUndefined();
  });

  it('gives yaml data for the core schema scalars', () => {
    const text = 'a: 0o17\nb: 0x1F\nc: 1_000\nd: -0\ne: .NaN\nf: -.inf\ng: 1.50\nh: yes\ni: ~\nj: 2024-01-01\nk: 1e3\nl: +12\n';
    expect(quickData(text)).toEqual(viaYaml(text).data);
    expect(quickData(text)).toMatchObject({ a: 15, c: '1_000', h: 'yes', i: null, j: '2024-01-01', k: 1000 });
  });

  it(`on generated texts: either undefined or exactly yaml's data (${LONG ? 20000 : 1500} cases)`, () => {
    fc.assert(
      fc.property(fc.oneof(handWritten, stringified), (text) => {
        const quick = quickData(text);
        if (quick === undefined) return;
        expect(viaYaml(text), text).toEqual({ data: quick });
      }),
      { numRuns: LONG ? 20000 : 1500 },
    );
  }, 600_000);

  it('a quickly read suite equals the one read with positions (ids, lines and all)', async () => {
    const text =
      'name: mix\nconnector: k\nsetup:\n  - operation: login\n    capture: { token: $.token }\nsteps:\n' +
      '  - operation: getPet\n    params: { petId: 1 }\n    expect: { status: 200 }\n' +
      '  - { operation: getPet, params: { petId: 2 } }\n' +
      '  -\n    # the third\n    operation: addPet\n    body: { name: x, tags: [1, 2] }\n' +
      '  - operation: getPet\n    id: last\n    expect:\n      json:\n        - { path: $.id, equals: 7 }\nteardown: []\n';
    const quick = await loadSuite(write('q.yaml', text));
    const slow = await loadSuite(write('q.yaml', `${text}# &forces the reading with positions\n`));
    expect(quickData(text)).toBeDefined();
    expect(quickData(`${text}# &x\n`)).toBeUndefined();
    expect(quick).toEqual(slow);
    expect(quick.steps.map((s) => s.line)).toEqual([7, 10, 13, 15]);
  });
});

// The bundle's validator is ajv standalone code made at build time (rolldown.config.mjs); from
// source it is compiled at run time. Both must name the same mistakes the same way.
describe('the built bundle reports malformed suites as the source does', () => {
  const BIN = join(import.meta.dirname, '..', '..', 'bin', 'connector.js');
  const more: [string, string][] = [
    ['a step id used twice', 'connector: k\nsteps:\n  - operation: a\n    id: x\n  - operation: b\n    id: x\n'],
    ['an enum', 'connector: k\nsteps:\n  - operation: a\n    expect: { schema: request }\n'],
  ];
  it.each([...MALFORMED.map(([w, t]) => [w, t]), ...more])('%s', async (_what, text) => {
    const f = write('bundle-bad.yaml', text);
    const home = mkdtempSync(join(tmpdir(), 'connector-suite-home-'));
    const r = spawnSync(process.execPath, [BIN, 'test', f], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, CONNECTOR_HOME: join(home, 'home'), CONNECTOR_CACHE_DIR: join(home, 'cache'), NO_COLOR: '1' },
    });
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe(`connector: ${await failure(loadSuite(f))}`);
  });
});
