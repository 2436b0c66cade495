import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliError, UsageError } from '../../src/errors.js';
import { applyFields, fieldsOf, MAX_INDEX, parseField, renderField, type Field, type Segment } from '../../src/operation/fields.js';

const LONG = process.env.CONNECTOR_HARDENING === 'long';
const runs = LONG ? 20_000 : 300;

const apply = (args: string[], schema?: Record<string, unknown>, base?: unknown) => applyFields(base, args.map(parseField), schema);
const usage = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error('expected a UsageError');
};

describe('parseField: the httpie / restish shorthand', () => {
  it('reads names, nesting, indexes, appends, := and escapes', () => {
    expect(parseField('title=Hello')).toEqual({ path: [{ key: 'title' }], raw: false, value: 'Hello' });
    expect(parseField('count:=3')).toEqual({ path: [{ key: 'count' }], raw: true, value: '3' });
    expect(parseField('user.name=x')).toEqual({ path: [{ key: 'user' }, { key: 'name' }], raw: false, value: 'x' });
    expect(parseField('tags[]=a')).toEqual({ path: [{ key: 'tags' }, { append: true }], raw: false, value: 'a' });
    expect(parseField('items[2].id:=1')).toEqual({ path: [{ key: 'items' }, { index: 2 }, { key: 'id' }], raw: true, value: '1' });
    expect(parseField('[]=a').path).toEqual([{ append: true }]);
    expect(parseField('a\\.b=1').path).toEqual([{ key: 'a.b' }]);
    expect(parseField('a\\:=1')).toEqual({ path: [{ key: 'a:' }], raw: false, value: '1' });
    expect(parseField('a:b=1').path).toEqual([{ key: 'a:b' }]);
    expect(parseField('q=a=b').value).toBe('a=b'); // the first = separates
    expect(parseField('e=').value).toBe('');
    expect(parseField('m\\[0\\]=x').path).toEqual([{ key: 'm[0]' }]);
  });

  it('refuses malformed paths with one line naming the argument', () => {
    for (const [text, why] of [
      ['title', /no = \(name=value\)/],
      ['=x', /no name before =/],
      ['.a=1', /starts with a dot/],
      ['a..b=1', /empty name between dots/],
      ['a.=1', /ends with a dot/],
      ['a[x]=1', /not an index/],
      ['a[1=1', /without '\]'/],
      ['a[0]b=1', /right after '\]'/],
      ['a.[0]=1', /right after a dot/],
      ['a\\', /escapes nothing/],
      [`a[${MAX_INDEX + 1}]=1`, /over 10000/],
      [`${Array.from({ length: 300 }, () => 'a').join('.')}=1`, /more than 256 levels/],
    ] as const) {
      expect(
        usage(() => parseField(text)),
        text,
      ).toMatch(why);
    }
    expect(usage(() => parseField('x'.repeat(500)))).toMatch(/^-f "x{79}…": /); // a long argument is cut in the message
  });
});

describe('applyFields', () => {
  it('builds nested objects and arrays in order', () => {
    expect(apply(['title=Hello', 'user.name=x', 'user.tags[]=a', 'user.tags[]=b', 'items[1].id:=2', 'meta:={"a":1}'])).toEqual({
      title: 'Hello',
      user: { name: 'x', tags: ['a', 'b'] },
      items: [null, { id: 2 }],
      meta: { a: 1 },
    });
    expect(apply(['[]=a', '[]:=1'])).toEqual(['a', 1]);
  });

  it('=@file reads a file: text, base64 for format: byte, refused for format: binary; \\@ is a literal @', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fields-'));
    const file = join(dir, 'x.txt');
    writeFileSync(file, 'héllo\n');
    const schema = {
      type: 'object',
      properties: { text: { type: 'string' }, fileContent: { type: 'string', format: 'byte' }, raw: { type: 'string', format: 'binary' } },
    };
    expect(apply([`text=@${file}`, `fileContent=@${file}`, 'a=\\@x', 'b=\\\\@y', 'c=@'], schema)).toEqual({
      text: 'héllo\n',
      fileContent: Buffer.from('héllo\n').toString('base64'),
      a: '@x',
      b: '\\@y',
      c: '@',
    });
    expect(() => apply([`raw=@${file}`], schema)).toThrow(/format: binary.*cannot carry/);
    expect(() => apply([`raw=@${file}`], schema)).toThrow(UsageError);
    expect(() => apply([`text=@${join(dir, 'nope')}`], schema)).toThrow(/no such file/);
    expect(apply(['n:="@x"'], schema)).toEqual({ n: '@x' }); // := is JSON, never a file
    // fieldsOf escapes a leading @ so the round trip holds
    expect(apply(fieldsOf({ a: '@x', b: '\\@y' })!.map(renderField))).toEqual({ a: '@x', b: '\\@y' });
  });

  it('checks fields against the body schema: an unknown name warns with the closest names; a value outside the enum is a usage error', () => {
    const schema = {
      type: 'object',
      properties: {
        title: { type: 'string' },
        style: { type: 'object', properties: { backgroundColor: { type: 'string', enum: ['red', 'blue'] }, size: { type: 'integer', enum: [1, 2] } } },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
      },
    };
    const warned: string[] = [];
    const run = (args: string[]) => applyFields(undefined, args.map(parseField), schema, (m) => warned.push(m));
    expect(run(['titel=x', 'style.colour=red', 'labels.any=1', 'title=ok', 'style.size=2'])).toEqual({
      titel: 'x',
      style: { colour: 'red', size: 2 },
      labels: { any: '1' },
      title: 'ok',
    });
    expect(warned).toEqual([
      "-f titel: the body schema has no field 'titel' (closest: title); sent as given",
      "-f style.colour: the body schema has no field 'colour' in style; sent as given",
    ]);
    expect(() => run(['style.backgroundColor=purple'])).toThrow('-f style.backgroundColor must be one of "red", "blue", got "purple"');
    expect(() => run(['style.size:=3'])).toThrow(UsageError);
    expect(run(['style.backgroundColor=blue'])).toEqual({ style: { backgroundColor: 'blue' } });
  });

  it('applies on top of a base (--body) without changing it; a later field wins', () => {
    const base = { title: 'Old', keep: true, tags: ['x'] };
    expect(apply(['title=New', 'tags[]=y', 'title=Newer'], undefined, base)).toEqual({ title: 'Newer', keep: true, tags: ['x', 'y'] });
    expect(base).toEqual({ title: 'Old', keep: true, tags: ['x'] });
  });

  it('coerces = values by the schema: number, integer, boolean; strings stay strings', () => {
    const schema = {
      type: 'object',
      properties: {
        count: { type: 'integer' },
        ratio: { type: ['number', 'null'] },
        done: { type: 'boolean' },
        zip: { type: 'string' },
        ids: { type: 'array', items: { type: 'integer' } },
        user: { allOf: [{ properties: { age: { type: 'integer' } } }] },
        extra: { type: 'object', additionalProperties: { type: 'boolean' } },
      },
    };
    expect(apply(['count=3', 'ratio=0.5', 'done=false', 'zip=01234', 'ids[]=7', 'user.age=40', 'extra.x=true', 'other=5'], schema)).toEqual({
      count: 3,
      ratio: 0.5,
      done: false,
      zip: '01234',
      ids: [7],
      user: { age: 40 },
      extra: { x: true },
      other: '5',
    });
    expect(usage(() => apply(['count=three'], schema))).toMatch(/-f count: the body schema says integer, got "three"/);
    expect(usage(() => apply(['count=1.5'], schema))).toMatch(/says integer/);
    expect(usage(() => apply(['done=yes'], schema))).toMatch(/says boolean/);
    expect(apply(['count:="three"'], schema)).toEqual({ count: 'three' }); // := sends what it is told
  });

  it('refuses bad JSON and conflicting shapes, naming the field', () => {
    expect(usage(() => apply(['meta:={a}']))).toMatch(/^-f meta:= is not valid JSON/);
    expect(usage(() => apply(['a=1', 'a.b=2']))).toMatch(/-f a\.b: a is a string, not an object/);
    expect(usage(() => apply(['a[]=1', 'a.b=2']))).toMatch(/a is an array, not an object/);
    expect(usage(() => apply(['a.b=1', 'a[]=2']))).toMatch(/a is an object, not an array/);
    expect(usage(() => apply(['x=1'], undefined, ['base array']))).toMatch(/the body is an array, not an object/);
  });

  it('keeps __proto__ and constructor as data, never touching a prototype', () => {
    const out = apply(['__proto__.polluted=yes', 'constructor.prototype.x=1']) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(JSON.parse(JSON.stringify(out))).toEqual(JSON.parse('{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"x":"1"}}}'));
  });

  it('refuses a body nested deeper than the depth limit (raw JSON included)', () => {
    const deep = `${'['.repeat(300)}${']'.repeat(300)}`;
    expect(usage(() => apply([`a:=${deep}`]))).toMatch(/nested more than 256 levels/);
  });
});

// ---- properties ------------------------------------------------------------------------------

const key = fc.string({ minLength: 1, maxLength: 8, unit: fc.constantFrom('a', 'b', '.', '[', ']', '=', ':', '\\', ' ', '0', 'é', '"') });
const segment: fc.Arbitrary<Segment> = fc.oneof(
  key.map((k) => ({ key: k })),
  fc.nat({ max: 50 }).map((index) => ({ index })),
  fc.constant({ append: true as const }),
);
const field: fc.Arbitrary<Field> = fc.record({
  path: fc.array(segment, { minLength: 1, maxLength: 6 }),
  raw: fc.boolean(),
  value: fc.string({ maxLength: 12 }),
});

describe('properties (fast-check)', () => {
  it('parse ∘ render is the identity', () => {
    fc.assert(
      fc.property(field, (f) => {
        expect(parseField(renderField(f))).toEqual(f);
      }),
      { numRuns: runs, seed: 14 },
    );
  }, 120_000);

  it('any text parses to a field or a UsageError, never another error', () => {
    const text = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ maxLength: 20, unit: fc.constantFrom('a', '.', '[', ']', '=', ':', '\\', '0', '1') }));
    fc.assert(
      fc.property(text, (t) => {
        try {
          const f = parseField(t);
          expect(parseField(renderField(f))).toEqual(f);
        } catch (e) {
          expect(e).toBeInstanceOf(UsageError);
        }
      }),
      { numRuns: runs, seed: 15 },
    );
  }, 120_000);

  it('applying any fields gives JSON or a UsageError', () => {
    fc.assert(
      fc.property(fc.array(field, { maxLength: 6 }), (fields) => {
        try {
          const out = applyFields(undefined, fields);
          expect(() => JSON.stringify(out)).not.toThrow();
        } catch (e) {
          // a value =@name reads a file: one missing is a CliError (exit 1), as for -p @file
          if (fields.some((f) => !f.raw && f.value.startsWith('@'))) expect(e).toBeInstanceOf(CliError);
          else expect(e).toBeInstanceOf(UsageError);
        }
      }),
      { numRuns: runs, seed: 16 },
    );
  }, 120_000);

  it('fieldsOf a JSON object builds it again: applyFields(fieldsOf(v)) equals v', () => {
    const json = fc.jsonValue({ maxDepth: 4 });
    const obj = fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }), json, { minKeys: 1, maxKeys: 5 });
    fc.assert(
      fc.property(obj, (v) => {
        const fields = fieldsOf(v);
        if (fields === undefined) {
          expect(JSON.stringify(v)).toContain('""'); // an empty name has no -f form
          return;
        }
        const back = applyFields(
          undefined,
          fields.map((f) => parseField(renderField(f))),
        );
        // compared as JSON documents (-0 is 0 once sent)
        expect(JSON.parse(JSON.stringify(back))).toEqual(JSON.parse(JSON.stringify(v)));
      }),
      { numRuns: runs, seed: 17 },
    );
  }, 120_000);
});
