/**
 * The quick way to read a suite: js-yaml builds the data about ten times faster than the yaml
 * package (~20 ms instead of ~200 for a 600-line suite on a cold process), but keeps no positions.
 * The suite loader uses it first and falls back to yaml (parseDocument with a LineCounter, the
 * authority for every message with file:line:column) whenever this answers undefined, the data
 * fails the schema, or a position is needed.
 *
 * The data must be what yaml's toJS gives for the same text, so:
 * - plain scalars resolve by yaml's own YAML 1.2 core schema (the tests and resolvers below are
 *   copied from yaml/dist/schema/core), not js-yaml's;
 * - whatever the two libraries could read differently is left to yaml: tags, anchors and aliases
 *   (yaml also limits alias expansion), directives (`%YAML 1.1` changes yaml's schema), tabs, and
 *   keys that are not plain strings (yaml turns a null key into '', js-yaml into 'null');
 * - anything js-yaml refuses (a duplicate key, a syntax error) is left to yaml too.
 * test/smoke/suite.test.ts compares both readers on generated suites.
 */
import { Schema, Type, load } from 'js-yaml';

const scalar = (name: string, test: RegExp, construct: (s: string) => unknown) =>
  // A private tag: an explicit `!!int` in the text is then an unknown tag, and yaml reads the file.
  new Type(`tag:connector.fast,2026:${name}`, { kind: 'scalar', resolve: (s) => test.test(s), construct });

const intOf = (s: string, offset: number, radix: number) => parseInt(s.substring(offset), radix);

/** yaml's core schema, in its order (map, seq and str need no type here). */
const CORE = new Schema({
  implicit: [
    scalar('null', /^(?:~|[Nn]ull|NULL)?$/, () => null),
    scalar('bool', /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/, (s) => s[0] === 't' || s[0] === 'T'),
    scalar('intOct', /^0o[0-7]+$/, (s) => intOf(s, 2, 8)),
    scalar('int', /^[-+]?[0-9]+$/, (s) => intOf(s, 0, 10)),
    scalar('intHex', /^0x[0-9a-fA-F]+$/, (s) => intOf(s, 2, 16)),
    scalar('floatNaN', /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/, (s) =>
      s.slice(-3).toLowerCase() === 'nan' ? Number.NaN : s[0] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY,
    ),
    scalar('floatExp', /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/, (s) => parseFloat(s)),
    scalar('float', /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/, (s) => parseFloat(s)),
  ],
});

/**
 * A tag (`!`), an anchor (`&`) or an alias (`*`) where a node may start, a directive, or a tab.
 * Also true for some texts without them ("a !b" in a plain scalar): those just go to yaml.
 */
const UNSURE = /(?:^|[\s[\]{},:])[!&*]|^%|\t/m;

/** Keys that yaml and js-yaml spell differently: a null key, and a collection as a key. */
const odd = (key: string) => key === 'null' || key.includes(',') || key.includes('[object ');

/** The suite's data as yaml's toJS would give it, or undefined: read it with yaml. */
export function quickData(text: string): unknown {
  if (UNSURE.test(text)) return undefined;
  let data: unknown;
  try {
    data = load(text, { schema: CORE });
  } catch {
    return undefined;
  }
  return plainKeys(data) ? data : undefined;
}

function plainKeys(v: unknown): boolean {
  if (Array.isArray(v)) return v.every(plainKeys);
  if (v && typeof v === 'object') return Object.entries(v).every(([k, x]) => !odd(k) && plainKeys(x));
  return true;
}
