import { afterEach, describe, expect, it, vi } from 'vitest';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { UsageError } from '../../src/errors.js';
import { makeReporter, parseReporters } from '../../src/smoke/report.js';
import { progress } from '../../src/smoke/progress.js';
import type { StepResult, SuiteResult } from '../../src/smoke/types.js';

const NASTY = `{"error":"<bad> & "quoted" 'single'\u0007bell"}`;

function step(over: Partial<StepResult> & Pick<StepResult, 'id' | 'status'>): StepResult {
  return { suite: 'Pets', file: 'suites/pets.yaml', connector: 'petstore', phase: 'step', name: over.id, durationMs: 12, failures: [], ...over };
}

const pets: SuiteResult = {
  file: 'suites/pets.yaml',
  name: 'Pets',
  connector: 'petstore',
  durationMs: 1500,
  steps: [
    step({ id: 'login', phase: 'setup', status: 'passed', durationMs: 40 }),
    step({ id: 'ListPets', name: 'list the pets', status: 'passed', durationMs: 120 }),
    step({
      id: 'GetPet',
      status: 'failed',
      durationMs: 250,
      failures: ['status: expected 2xx, got 500', 'json $.id: expected to exist', 'duration: expected at most 200 ms, took 250 ms'],
      request: { method: 'GET', url: 'https://pets.example/pets/7?api_key=***' },
      response: { status: 500, excerpt: NASTY },
    }),
    step({ id: 'DeletePet', status: 'skipped', durationMs: 0, skipReason: 'writes are off in CI' }),
    step({ id: 'logout', phase: 'teardown', status: 'passed', durationMs: 5 }),
  ],
};

const repos: SuiteResult = {
  file: 'suites/repos.yaml',
  name: 'Repos',
  connector: 'github',
  durationMs: 300,
  steps: [
    step({ suite: 'Repos', file: 'suites/repos.yaml', connector: 'github', id: 'GetRepo', status: 'passed', durationMs: 80 }),
    step({
      suite: 'Repos',
      file: 'suites/repos.yaml',
      connector: 'github',
      id: 'GetRepo-2',
      name: 'GetRepo',
      status: 'failed',
      failures: ['header etag: missing'],
    }),
  ],
};

const results = [pets, repos];
const noIO = { err: () => {}, color: false, live: false };

describe('parseReporters', () => {
  it('defaults to pretty and reads NAME[=FILE]', () => {
    expect(parseReporters(undefined)).toEqual([{ name: 'pretty' }]);
    expect(parseReporters([])).toEqual([{ name: 'pretty' }]);
    expect(parseReporters(['pretty', 'junit=out/junit.xml', 'tap'])).toEqual([{ name: 'pretty' }, { name: 'junit', file: 'out/junit.xml' }, { name: 'tap' }]);
    expect(parseReporters(['json=a=b.json'])).toEqual([{ name: 'json', file: 'a=b.json' }]);
  });

  const usage = (flags: string[]) => {
    try {
      parseReporters(flags);
    } catch (e) {
      expect(e).toBeInstanceOf(UsageError);
      return e as UsageError;
    }
    throw new Error(`no error for ${flags.join(' ')}`);
  };

  it('an unknown name names the flag, the known names, and the closest one', () => {
    const e = usage(['pretty', 'junti=x.xml']);
    expect(e.message).toBe('unknown --reporter "junti"; known reporters: pretty, json, junit, tap');
    expect(e.hint).toBe('Did you mean --reporter junit=x.xml?');
    expect(e.exitCode).toBe(2);
  });

  it('an empty file, a file for pretty, two on stdout, a file twice, pretty twice', () => {
    expect(usage(['junit=']).message).toBe('--reporter junit= needs a file name after "="');
    expect(usage(['tap=  ']).message).toBe('--reporter tap= needs a file name after "="');
    expect(usage(['pretty=log.txt']).message).toBe('--reporter pretty writes to stderr and takes no file');
    expect(usage(['json', 'junit']).message).toBe('--reporter json and --reporter junit would both write to stdout; only one reporter may');
    expect(usage(['junit=r.xml', 'tap=r.xml']).message).toBe('two reporters would write the same file "r.xml"');
    expect(usage(['pretty', 'pretty']).message).toBe('--reporter pretty is given twice');
  });
});

describe('junit', () => {
  const xml = makeReporter('junit', noIO).end(results)!;
  const doc = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    parseAttributeValue: false,
    isArray: (name) => ['testsuite', 'testcase', 'property'].includes(name),
  }).parse(xml);

  it('is well-formed XML 1.0 with no control characters', () => {
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(xml).not.toMatch(/[\x00-\x08\x0b\x0c\x0e-\x1f]/);
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites ')).toBe(true);
  });

  it('counts per file and in all', () => {
    const root = doc.testsuites;
    expect([root.tests, root.failures, root.skipped, root.errors, root.time]).toEqual(['7', '2', '1', '0', '1.800']);
    expect(root.testsuite.map((s: any) => [s.name, s.tests, s.failures, s.skipped, s.time])).toEqual([
      ['suites/pets.yaml', '5', '1', '1', '1.500'],
      ['suites/repos.yaml', '2', '1', '0', '0.300'],
    ]);
    expect(root.testsuite[0].properties.property).toEqual([
      { name: 'suite', value: 'Pets' },
      { name: 'connector', value: 'petstore' },
    ]);
  });

  it('one testcase per step: classname = connector, names distinct by id, time in seconds', () => {
    const cases = doc.testsuites.testsuite.flatMap((s: any) => s.testcase);
    expect(cases.map((c: any) => [c.classname, c.name, c.time])).toEqual([
      ['petstore', 'setup: login', '0.040'],
      ['petstore', 'list the pets [ListPets]', '0.120'],
      ['petstore', 'GetPet', '0.250'],
      ['petstore', 'DeletePet', '0.000'],
      ['petstore', 'teardown: logout', '0.005'],
      ['github', 'GetRepo', '0.080'],
      ['github', 'GetRepo [GetRepo-2]', '0.012'],
    ]);
    expect(new Set(cases.map((c: any) => c.name)).size).toBe(7);
  });

  it('skipped and failed cases', () => {
    const [p, r] = doc.testsuites.testsuite;
    expect(p.testcase.filter((c: any) => 'skipped' in c).map((c: any) => [c.name, c.skipped.message])).toEqual([['DeletePet', 'writes are off in CI']]);
    const failed = [...p.testcase, ...r.testcase].filter((c: any) => 'failure' in c);
    expect(failed.map((c: any) => c.failure.message)).toEqual(['status: expected 2xx, got 500', 'header etag: missing']);
    expect(failed[0].failure['#text']).toBe(
      [
        'status: expected 2xx, got 500',
        'json $.id: expected to exist',
        'duration: expected at most 200 ms, took 250 ms',
        '',
        'GET https://pets.example/pets/7?api_key=***',
        '→ 500',
        `{"error":"<bad> & "quoted" 'single'\\u0007bell"}`,
      ].join('\n'),
    );
    expect(failed[1].failure['#text']).toBe('header etag: missing');
    expect(xml).toContain('&lt;bad&gt; &amp; "quoted"');
  });

  it('attributes keep quotes, newlines and tabs', () => {
    const odd: SuiteResult = { ...repos, steps: [step({ id: 'x', name: `a "b" <c>\n\td`, status: 'skipped', skipReason: "it's \u0001 off" })] };
    const x = makeReporter('junit', noIO).end([odd])!;
    expect(XMLValidator.validate(x)).toBe(true);
    const c = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', htmlEntities: true }).parse(x).testsuites.testsuite.testcase;
    expect(c.name).toBe('a "b" <c>\n\td [x]');
    expect(c.skipped.message).toBe("it's \\u0001 off");
  });
});

describe('tap', () => {
  const out = makeReporter('tap', noIO).end(results)!;
  const lines = out.split('\n');

  it('version, plan, a line per step', () => {
    expect(lines.slice(0, 2)).toEqual(['TAP version 14', '1..7']);
    expect(lines.filter((l) => /^(not )?ok /.test(l))).toEqual([
      'ok 1 - setup: login',
      'ok 2 - list the pets [ListPets]',
      'not ok 3 - GetPet',
      'ok 4 - DeletePet # SKIP writes are off in CI',
      'ok 5 - teardown: logout',
      'ok 6 - GetRepo',
      'not ok 7 - GetRepo [GetRepo-2]',
    ]);
    expect(lines.filter((l) => l.startsWith('# '))).toEqual(['# suites/pets.yaml — Pets', '# suites/repos.yaml — Repos']);
  });

  it('a YAML block under each failure, with every failure line', () => {
    const at = lines.indexOf('not ok 3 - GetPet');
    expect(lines.slice(at + 1, at + 13)).toEqual([
      '  ---',
      '  message: "status: expected 2xx, got 500"',
      '  failures:',
      '    - "status: expected 2xx, got 500"',
      '    - "json $.id: expected to exist"',
      '    - "duration: expected at most 200 ms, took 250 ms"',
      '  request: "GET https://pets.example/pets/7?api_key=***"',
      '  status: 500',
      `  excerpt: ${JSON.stringify(NASTY)}`,
      '  duration_ms: 250',
      '  phase: step',
      '  ...',
    ]);
    expect(out).not.toMatch(/[\x00-\x08]/);
    expect(lines.filter((l) => l === '  ---').length).toBe(2);
  });

  it('escapes # in descriptions', () => {
    const x = makeReporter('tap', noIO).end([{ ...repos, steps: [step({ id: 'a#b', status: 'passed' })] }])!;
    expect(x).toContain('ok 1 - a\\#b\n');
  });
});

describe('json', () => {
  it('suites and totals', () => {
    const doc = JSON.parse(makeReporter('json', noIO).end(results)!);
    expect(doc.totals).toEqual({ passed: 4, failed: 2, skipped: 1 });
    expect(doc.suites).toEqual(results);
  });
});

describe('pretty', () => {
  const run = (color: boolean) => {
    const lines: string[] = [];
    const r = makeReporter('pretty', { err: (t) => lines.push(t), color, live: false });
    for (const s of results) for (const st of s.steps) r.step!(st);
    expect(r.end(results)).toBeUndefined();
    return lines;
  };

  it('plain: a header per file, a line per step, failures indented', () => {
    expect(run(false)).toEqual([
      'suites/pets.yaml — Pets',
      '  ok   setup: login  40 ms',
      '  ok   list the pets [ListPets]  120 ms',
      '  FAIL GetPet  250 ms',
      '      status: expected 2xx, got 500',
      '      json $.id: expected to exist',
      '      duration: expected at most 200 ms, took 250 ms',
      '      GET https://pets.example/pets/7?api_key=*** → 500',
      `      {"error":"<bad> & "quoted" 'single'\\x07bell"}`,
      '  skip DeletePet  skipped: writes are off in CI',
      '  ok   teardown: logout  5 ms',
      'suites/repos.yaml — Repos',
      '  ok   GetRepo  80 ms',
      '  FAIL GetRepo [GetRepo-2]  12 ms',
      '      header etag: missing',
    ]);
  });

  it('colour only when asked', () => {
    const lines = run(true);
    expect(lines[1]).toBe('  \x1b[32m✓\x1b[0m setup: login  \x1b[2m40 ms\x1b[0m');
    expect(lines[3]).toContain('\x1b[31m✗\x1b[0m GetPet');
    expect(run(false).join('\n')).not.toContain('\x1b');
  });
});

describe('progress', () => {
  afterEach(() => vi.useRealTimers());

  it('draws on one line and clears it when live; nothing otherwise', () => {
    vi.useFakeTimers();
    let out = '';
    const p = progress({ write: (t) => (out += t), live: true }, 100);
    p.start('3 running');
    vi.advanceTimersByTime(250);
    p.stop();
    expect(out).toBe('\r\x1b[K⠋ 3 running\r\x1b[K⠙ 3 running\r\x1b[K⠹ 3 running\r\x1b[K');
    let quiet = '';
    const q = progress({ write: (t) => (quiet += t), live: false });
    q.start('x');
    q.stop();
    expect(quiet).toBe('');
  });
});
