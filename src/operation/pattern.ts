import { load } from '../util/load.js';

/** What a compiled pattern offers: RE2 objects, and the stand-in for a skipped check. */
export interface Matcher {
  test(text: string): boolean;
}

type RE2Class = new (source: string, flags?: string) => Matcher;

/** Compiled patterns by source, or the warning for one RE2 refused; a spec has a bounded number of them. */
const cache = new Map<string, Matcher | string>();
const MAX_CACHED = 1000;

/**
 * A spec's `pattern` compiled with RE2 (through the re2 binding), a linear-time matcher: the
 * pattern is the spec author's text, the value the user's or the API's, and a backtracking engine
 * takes exponential time on patterns such as `^(a+)+$` (10 s at 28 characters). RE2 refuses what it
 * cannot run in linear time (lookarounds, backreferences) and what is no regular expression at all:
 * then undefined, the caller skips that one check, and `warn` gets one line naming the pattern.
 */
export function specPattern(source: string, warn?: (message: string) => void): Matcher | undefined {
  let m = cache.get(source);
  if (m === undefined) {
    const RE2 = load<RE2Class>('re2');
    try {
      m = new RE2(source, 'u');
    } catch (e) {
      m = skipped(source, e);
    }
    if (cache.size >= MAX_CACHED) cache.clear();
    cache.set(source, m);
  }
  if (typeof m === 'string') {
    warn?.(m);
    return undefined;
  }
  return m;
}

/**
 * Ajv's `code.regExp` engine (Ajv calls it with the pattern and its flags): RE2, or for a pattern
 * RE2 refuses a matcher that accepts everything, so the rest of the schema is still checked.
 */
export function ajvRegExp(warn?: (message: string) => void): (source: string, flags: string) => Matcher {
  return (source) => specPattern(source, warn) ?? { test: () => true, toString: () => `/${source}/ (skipped)` };
}

function skipped(source: string, e: unknown): string {
  const shown = JSON.stringify(source.length > 80 ? `${source.slice(0, 80)}…` : source); // quoted and escaped: it is spec text
  const why = e instanceof Error ? ` (${JSON.stringify(e.message.split('\n')[0].slice(0, 80)).slice(1, -1)})` : '';
  return `the spec's pattern ${shown} is not checked: a linear-time matcher cannot run it${why}`;
}
