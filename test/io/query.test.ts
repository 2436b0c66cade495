import { describe, it, expect } from 'vitest';
import { compileQuery, formatMatches } from '../../src/io/query.js';
import { UsageError } from '../../src/errors.js';

const DOC = {
  value: [
    { id: 'a1', n: 1, tags: ['x'] },
    { id: 'b2', n: 2, tags: [] },
  ],
  next: null,
};

function thrown(f: () => unknown): UsageError {
  try {
    f();
  } catch (e) {
    return e as UsageError;
  }
  throw new Error('expected a throw');
}

describe('compileQuery', () => {
  it('selects with RFC 9535 JSONPath, the suites’ implementation', () => {
    expect(compileQuery('$.value[*].id').select(DOC)).toEqual(['a1', 'b2']);
    expect(compileQuery('$.value[?@.n > 1].id').select(DOC)).toEqual(['b2']);
    expect(compileQuery('$..tags[0]').select(DOC)).toEqual(['x']);
    expect(compileQuery('$.missing').select(DOC)).toEqual([]);
    expect(compileQuery('$.next').select(DOC)).toEqual([null]);
  });

  it('refuses invalid JSONPath as a usage error (exit 2) naming the position', () => {
    const e = thrown(() => compileQuery('$.value[*'));
    expect(e).toBeInstanceOf(UsageError);
    expect(e.exitCode).toBe(2);
    expect(e.message).toBe("--query is not valid JSONPath: it ends too early (position 10 of '$.value[*')");
    expect(e.hint).toContain('  $.value[*\n           ^');
    const f = thrown(() => compileQuery('value.id'));
    expect(f.message).toBe("--query is not valid JSONPath: unexpected 'v' (position 1 of 'value.id')");
    const g = thrown(() => compileQuery('$.a[?@.b = 1]'));
    expect(g.message).toMatch(/^--query is not valid JSONPath: unexpected '=' \(position 10 of/);
  });
});

describe('formatMatches', () => {
  const matches = ['a1', 7, null, { id: 'x', n: [1] }];

  it('piped: one match a line, strings raw, the rest compact JSON', () => {
    expect(formatMatches(matches, false)).toBe('a1\n7\nnull\n{"id":"x","n":[1]}\n');
  });

  it('on a terminal: other values indented, and a string’s control characters escaped', () => {
    expect(formatMatches([{ id: 'x' }], true)).toBe('{\n  "id": "x"\n}\n');
    expect(formatMatches(['evil\x1b]0;title\x07', 'two\nlines'], true)).toBe('evil\\x1b]0;title\\x07\ntwo\nlines\n');
    expect(formatMatches(['raw\x1b[1m'], false)).toBe('raw\x1b[1m\n'); // data to a pipe stays as it is
  });

  it('nothing for no match', () => {
    expect(formatMatches([], true)).toBe('');
  });
});
