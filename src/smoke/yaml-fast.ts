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
 * A tag (`!`), an anchor (`&`), an alias (`*`) or an explicit key (`? `) where a node may start,
 * a comment right after a quote or bracket (yaml refuses it, js-yaml not), a block scalar header
 * with `+` or an indentation digit (the two count lines and spaces differently there), a
 * directive, or a tab.
 * Also true for some texts without them ("a !b" in a plain scalar): those just go to yaml.
 */
const UNSURE = /(?:^|[\s[\]{},:])(?:[!&*]|\?(?:\s|$))|["'\]}]#|[|>](?:[-+]?\d|\+)|^%|\t/m;

/** The suite's data as yaml's toJS would give it, or undefined: read it with yaml. */
export function quickData(text: string): unknown {
  if (UNSURE.test(text)) return undefined;
  let unsure = false;
  const starts: number[] = [];
  let data: unknown;
  try {
    data = load(text, {
      schema: CORE,
      listener(event, state) {
        if (event === 'open') return void starts.push(state.position);
        const start = contentStart(text, starts.pop() ?? 0);
        if (state.kind === 'scalar') {
          // A quoted scalar over several lines: yaml wants its lines indented, js-yaml does not.
          const quote = text[start];
          if ((quote === '"' || quote === "'") && text.lastIndexOf('\n', state.position - 1) >= start) unsure = true;
        } else if (state.kind === 'sequence' || state.kind === 'mapping') {
          // A collection followed by ':' is a key: yaml spells it '[ k ]', js-yaml 'k'.
          let at = state.position;
          while (text[at] === ' ') at++;
          if (text[at] === ':') unsure = true;
        }
      },
    });
  } catch {
    return undefined;
  }
  // A null key: yaml makes it '', js-yaml 'null'.
  return unsure || !plainKeys(data) ? undefined : data;
}

/** Where a node's text begins: past the spaces, line breaks and comments before it. */
function contentStart(text: string, at: number): number {
  for (;;) {
    const c = text[at];
    if (c === ' ' || c === '\n' || c === '\r') at++;
    else if (c === '#') {
      const eol = text.indexOf('\n', at);
      if (eol < 0) return text.length;
      at = eol + 1;
    } else return at;
  }
}

function plainKeys(v: unknown): boolean {
  if (Array.isArray(v)) return v.every(plainKeys);
  if (v && typeof v === 'object') {
    for (const k in v) if (k === 'null' || !plainKeys((v as Record<string, unknown>)[k])) return false;
  }
  return true;
}
