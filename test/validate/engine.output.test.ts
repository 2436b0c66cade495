import { describe, expect, it } from 'vitest';
import { plainLines, summaryLine, terminalLines } from '../../src/validate/output.js';
import type { Finding } from '../../src/validate/findings.js';

const f = (over: Partial<Finding>): Finding => ({
  rule: 'schema-valid',
  severity: 'error',
  message: 'm',
  file: 'a.json',
  pointer: '',
  line: 1,
  column: 1,
  ...over,
});

describe('validate output', () => {
  it('on a terminal: grouped by file, the source line under each finding and a caret at its column', () => {
    const texts = new Map([
      ['a.json', '{\n  "info": {},\n\t"x": 1\n}'],
      ['b.json', '{}'],
    ]);
    const lines = terminalLines(
      [
        f({ line: 2, column: 3, message: "'title' is required here: add it" }),
        f({ line: 3, column: 2, severity: 'warning', rule: 'json-strict', message: 'w' }),
        f({ file: 'b.json', severity: 'info', rule: 'r', message: 'i' }),
      ],
      texts,
      false,
    );
    expect(lines).toEqual([
      'a.json',
      "  2:3  error  'title' is required here: add it  schema-valid",
      '     2 |   "info": {},',
      '       |   ^',
      '  3:2  warning  w  json-strict',
      '     3 |  "x": 1',
      '       |  ^',
      '',
      'b.json',
      '  1:1  info  i  r',
      '     1 | {}',
      '       | ^',
    ]);
  });

  it('colour only when asked', () => {
    expect(terminalLines([f({})], new Map([['a.json', '{}']]), true).join('\n')).toContain('\x1b[31merror\x1b[0m');
  });

  it('plain: one line a finding, control characters escaped', () => {
    expect(plainLines([f({ message: 'bad\x1b[2Jthing', line: 4, column: 7 })])).toEqual(['a.json:4:7 error schema-valid bad\\x1b[2Jthing']);
  });

  it('the summary line', () => {
    expect(summaryLine([], 3)).toBe('No problems found (3 files checked).');
    expect(summaryLine([f({}), f({ severity: 'warning' }), f({ severity: 'warning' })], 1)).toBe('1 error, 2 warnings (1 file checked).');
  });
});
