import { load } from '../util/load.js';

/**
 * Where a JSON text goes wrong. V8's JSON.parse messages only sometimes carry
 * "at position N" (e.g. "Unexpected token '}', ...whole text... is not valid JSON"
 * has none), so on failure jsonc-parser (VS Code's JSON scanner, loaded only then)
 * rescans the text for the first bad token. What was expected there comes from
 * following its parse events; inside a bad string token, the offending character
 * is found here (jsonc-parser reports the string's start).
 */
export interface JsonErrorLocation {
  line: number;
  column: number;
  message: string;
}

type Jsonc = typeof import('jsonc-parser');

// jsonc-parser's ParseErrorCode (a const enum, so not importable as values)
const UnexpectedEndOfString = 12;
const UnexpectedEndOfNumber = 13;
const InvalidUnicode = 14;
const InvalidEscapeCharacter = 15;
const InvalidCharacter = 16;
const InvalidCommentToken = 10;
const STRING_ERRORS = new Set([UnexpectedEndOfString, InvalidUnicode, InvalidEscapeCharacter, InvalidCharacter]);

const AFTER_END = 'after the end of the JSON value';

export function locateJsonError(text: string): JsonErrorLocation | undefined {
  const jsonc = load<Jsonc>('jsonc-parser');
  const stack: ('{' | '[')[] = [];
  // What the text may go on with, after the events so far.
  let expected = 'a value';
  const after = () => {
    const top = stack.at(-1);
    return top === '{' ? "',' or '}'" : top === '[' ? "',' or ']'" : AFTER_END;
  };
  let first: { code: number; offset: number; length: number; expected: string } | undefined;
  const push = (open: '{' | '[', next: string) => {
    if (first) return;
    stack.push(open);
    expected = next;
  };
  const end = (close: string) => (offset: number) => {
    if (first || text[offset] !== close) return; // ended by the end of the text: the error follows
    stack.pop();
    expected = after();
  };
  jsonc.visit(
    text,
    {
      onObjectBegin: () => push('{', 'a double-quoted property name'),
      onArrayBegin: () => push('[', 'a value'),
      onObjectEnd: end('}'),
      onArrayEnd: end(']'),
      onObjectProperty: () => {
        if (!first) expected = "':' after a property name";
      },
      onLiteralValue: () => {
        if (!first) expected = after();
      },
      onSeparator: (c) => {
        if (!first) expected = c === ':' || stack.at(-1) === '[' ? 'a value' : 'a double-quoted property name';
      },
      onError: (code, offset, length) => {
        first ??= { code, offset, length, expected };
      },
    },
    { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false },
  );
  if (!first) return undefined;
  const { code, offset, length } = first;
  const at = (pos: number, message: string) => ({ ...lineCol(text, pos), message });
  if (code === InvalidCommentToken) return at(offset, `unexpected '${text[offset]}' (comments are not allowed in JSON)`);
  // A bad string or number where none may stand ('"a" "b'): the token itself is the offence.
  const fits = first.expected === 'a value' || (first.expected === 'a double-quoted property name' && text[offset] === '"');
  if (!fits) return at(offset, unexpected(text, offset, first.expected));
  if (STRING_ERRORS.has(code)) {
    const bad = inString(text, offset, offset + length);
    if (bad) return at(bad.at, bad.message);
  }
  if (code === UnexpectedEndOfNumber) {
    // "1." or "1e": the number ends before the '.' or 'e', as JSON.parse sees it
    const valid = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(offset, offset + length))?.[0].length ?? 0;
    return at(offset + valid, unexpected(text, offset + valid, valid ? after() : first.expected));
  }
  return at(offset, unexpected(text, offset, first.expected));
}

function unexpected(text: string, pos: number, expected: string): string {
  if (pos >= text.length) return `unexpected end of input (expected ${expected === AFTER_END ? 'nothing more' : expected})`;
  const c = text[pos] === '\n' ? '\\n' : text[pos] === '\r' ? '\\r' : text[pos];
  return expected === AFTER_END ? `unexpected '${c}' ${AFTER_END}` : `unexpected '${c}' (expected ${expected})`;
}

/** The first offence inside the string token at text[start, end) (start is its opening quote, end where the scan stopped). */
function inString(text: string, start: number, end: number): { at: number; message: string } | undefined {
  for (let i = start + 1; i <= end; i++) {
    if (i >= text.length) return { at: i, message: `unexpected end of input (expected a closing '"')` };
    const c = text.charCodeAt(i);
    if (c === 0x22) return undefined;
    if (c < 0x20) return { at: i, message: 'control character inside a string (escape it, e.g. \\n)' };
    if (c !== 0x5c) continue;
    const e = text[i + 1];
    if (e === 'u') {
      if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) return { at: i, message: 'bad \\u escape in a string' };
      i += 5;
    } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i++;
    else if (e === undefined) return { at: i + 1, message: `unexpected end of input (expected a closing '"')` };
    else return { at: i, message: `bad escape '\\${e}' in a string` };
  }
  return undefined;
}

/** 1-based line and column of an offset. */
export function lineCol(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let last = -1;
  for (let k = text.indexOf('\n'); k !== -1 && k < offset; k = text.indexOf('\n', k + 1)) {
    line++;
    last = k;
  }
  return { line, column: offset - last };
}

/**
 * A function giving where the value at a JSON pointer (`/paths/~1pets/get`, no '#') starts in a
 * JSON text, 1-based; undefined when the text does not parse or has nothing there. The text is
 * parsed once, on the first call (warnings that name a place are rare).
 */
export function pointerLocator(text: string): (pointer: string) => { line: number; column: number } | undefined {
  let tree: ReturnType<Jsonc['parseTree']> | null = null;
  return (pointer) => {
    const jsonc = load<Jsonc>('jsonc-parser');
    tree ??= jsonc.parseTree(text) ?? undefined;
    if (!tree) return undefined;
    let node: ReturnType<Jsonc['findNodeAtLocation']> = tree;
    for (const raw of pointer.split('/').slice(1)) {
      const k = raw.replace(/~1/g, '/').replace(/~0/g, '~');
      node = node && jsonc.findNodeAtLocation(node, [node.type === 'array' && /^\d+$/.test(k) ? Number(k) : k]);
    }
    // Point at a key rather than its value (a key that should not be there: basepath).
    if (node?.parent?.type === 'property') node = node.parent;
    return node ? lineCol(text, node.offset) : undefined;
  };
}
