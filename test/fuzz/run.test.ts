// Fuzzing `connector run` input and suites (issue 15): `-p name=value`, `--body` and suite YAML
// → a documented exit code and one line, never an uncaught exception or a hang.
import fc from 'fast-check';
import { afterAll, describe, it } from 'vitest';
import { deep, edits, encoded, junk, text } from './arbitraries.js';
import { bodyCase, paramsCase, stopRunTarget } from './run-cases.js';
import { stopSuiteTarget, suiteCase } from './suite-cases.js';
import { fuzz, LONG, PROPERTY_TIMEOUT_MS } from './harness.js';

afterAll(async () => {
  await stopRunTarget();
  await stopSuiteTarget();
});

const NAMES = ['id', 'n', 'tags', 'pipes', 'mode', 'evil', 'look', 'flag', 'X-Trace', 'twice', 'body', 'query:n', 'path:id', 'header:X-Trace', 'f', 's'];
const value = fc.oneof(
  { weight: 4, arbitrary: text },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)) },
  { weight: 1, arbitrary: fc.constantFrom(`${'a'.repeat(40)}!`, 'a'.repeat(41), '@/dev/null', '@/nonexistent', '["\\ud800"]', '[1,2,"x"]', '11', '-0', '0x1') },
  { weight: 1, arbitrary: deep.map((d) => `${'['.repeat(d.$deep)}${']'.repeat(d.$deep)}`) },
);
const param = fc.tuple(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...NAMES) }, { weight: 1, arbitrary: text }), value);

const runInput = fc.record({
  op: fc.oneof({ weight: 5, arbitrary: fc.constantFrom('all', 'form') }, { weight: 1, arbitrary: text }),
  params: fc.array(param, { maxLength: 5 }).map((ps) => (ps.some(([k]) => k === 'id') ? ps : [['id', 'a1'] as [string, string], ...ps])),
  send: fc.boolean(),
});

const bodyInput = fc.record({
  body: fc.oneof(
    { weight: 3, arbitrary: fc.record({ json: junk }) },
    { weight: 2, arbitrary: fc.tuple(fc.jsonValue({ maxDepth: 3 }), edits).map(([v, e]) => JSON.stringify(v) + e.map((x) => x.ins).join('')) },
    { weight: 1, arbitrary: text },
    { weight: 1, arbitrary: fc.record({ json: fc.record({ name: fc.oneof(fc.constant(`${'a'.repeat(40)}!`), text) }) }) },
  ),
  viaFile: fc.boolean(),
  send: fc.boolean(),
});

const scalar = fc.oneof(text, fc.integer(), fc.boolean(), fc.double());
const step = fc.record(
  {
    id: fc.oneof(fc.constantFrom('s1', 's2', 'a.b'), text),
    name: text,
    operation: fc.oneof({ weight: 5, arbitrary: fc.constantFrom('all', 'form') }, { weight: 1, arbitrary: text }),
    params: fc.dictionary(
      fc.constantFrom(...NAMES),
      fc.oneof(scalar, fc.array(scalar, { maxLength: 2 }), fc.constantFrom('${vars.x}', '${env:HOME}', '${vars.', 'a1')),
      { maxKeys: 4 },
    ),
    body: junk,
    headers: fc.dictionary(fc.constantFrom('X-A', 'Content-Type', 'bad name'), text, { maxKeys: 2 }),
    skip: text,
    capture: fc.dictionary(fc.constantFrom('x', 'y'), fc.constantFrom('$.name', '$.id', 'status', 'header:x-n', '$[', 'nope', '$..*'), { maxKeys: 2 }),
    expect: fc.record(
      {
        status: fc.oneof(fc.constantFrom(200, '2xx', [200, 201], '5xx', 'abc', 99), junk),
        schema: fc.constantFrom('response', 'other'),
        maxDurationMs: fc.oneof(fc.nat(), fc.constant(-1)),
        headers: fc.dictionary(fc.constantFrom('content-type', 'x-n'), fc.constantFrom('/json/', '/[/', 'application/json', '/^\\d+$/'), { maxKeys: 2 }),
        json: fc.array(
          fc.record(
            {
              path: fc.constantFrom('$.name', '$.id', '$[0]', '$..a', 'x', '$['),
              equals: junk,
              matches: fc.constantFrom('a+', '[', '^b\\d$'),
              exists: fc.boolean(),
              length: fc.nat(3),
              type: fc.constantFrom('string', 'array', 'nonsense'),
              lessThan: fc.integer(),
              greaterThan: fc.integer(),
            },
            { requiredKeys: ['path'] },
          ),
          { maxLength: 2 },
        ),
      },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: ['operation'] },
);
const suite = fc.record(
  {
    name: text,
    connector: fc.oneof(
      { weight: 6, arbitrary: fc.constant('fz') },
      { weight: 1, arbitrary: fc.constantFrom('./missing.json', 'nope', '', '../x') },
      { weight: 1, arbitrary: text },
    ),
    connection: fc.constantFrom('default', 'ci', ''),
    setup: fc.array(step, { maxLength: 1 }),
    steps: fc.oneof({ weight: 5, arbitrary: fc.array(step, { maxLength: 3 }) }, { weight: 1, arbitrary: junk }),
    teardown: fc.array(step, { maxLength: 1 }),
    extra: junk,
  },
  { requiredKeys: ['connector', 'steps'] },
);
const args = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        ['--bail'],
        ['--concurrency', '4'],
        ['--concurrency', '0'],
        ['--shard', '1/2'],
        ['--shard', '3/2'],
        ['--filter', '['],
        ['--filter', 's'],
        ['--reporter', 'json'],
        ['--reporter', 'tap'],
        ['--reporter', 'junit'],
        ['--reporter', 'nope'],
      ),
    ),
    { maxLength: 2 },
  )
  .map((a) => a.flat());

const timeout = { timeout: PROPERTY_TIMEOUT_MS };

describe('fuzz: run and test', () => {
  it('-p name=value params', timeout, () => fuzz('params', runInput, paramsCase));
  it('--body', timeout, () => fuzz('body', bodyInput, bodyCase));
  it('suite YAML', timeout, () =>
    fuzz('suite', fc.record({ suite: encoded(suite).map((e) => ({ ...e, as: 'yaml' })), args }), suiteCase, LONG ? undefined : 150),
  );
});
