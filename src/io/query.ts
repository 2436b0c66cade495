import { UsageError } from '../errors.js';
import { load } from '../util/load.js';
import { sanitizeText } from './sanitize.js';

/**
 * `--query <jsonpath>`: select from a command's JSON output with the JSONPath of the smoke
 * suites (RFC 9535, jsonpath-rfc9535), as `gh --jq` selects with jq.
 *
 * What is printed, and why (the rules gh users already know from `gh api --jq`):
 * - every match on a line of its own, in document order, so `--query '$.value[*].id' | xargs`
 *   and `while read` work and one match is simply one line;
 * - a string match printed raw, without quotes (an id, a URL, a name is what a script wants;
 *   `jq -r` is what jq users reach for here). On a terminal its control characters are escaped;
 * - any other match (number, boolean, null, object, array) as JSON: indented on a terminal,
 *   one line when piped (so a line is still a match);
 * - no match: nothing on stdout, a note on stderr, exit 0 (as jq, gh and `operations --filter`).
 * Wanting the matches as one JSON document instead: `--query '$.value[*].id' | jq -s`, or a
 * query that selects the array itself (`$.value`).
 */
export interface Query {
  readonly path: string;
  /** The matches in `doc`, in document order. */
  select(doc: unknown): unknown[];
}

type JsonPath = typeof import('jsonpath-rfc9535');

interface PegError {
  found?: string | null;
  location?: { start: { offset: number } };
}

/** Parse `path` (a UsageError, exit 2, naming the position when it is not valid JSONPath). */
export function compileQuery(path: string): Query {
  const { query } = load<JsonPath>('jsonpath-rfc9535');
  try {
    query({}, path); // parses (the library keeps no parsed form to hand back); a syntax error throws here
  } catch (e) {
    const { found, location } = e as PegError;
    const at = location?.start.offset ?? 0;
    const what = found === undefined ? (e as Error).message : found === null ? 'it ends too early' : `unexpected '${found}'`;
    throw new UsageError(
      `--query is not valid JSONPath: ${what} (position ${at + 1} of '${path}')`,
      `  ${path}\n  ${' '.repeat(at)}^\nA JSONPath starts at $: '$.value[*].id', '$.items[0].name', "$..[?@.status == 'open']"`,
    );
  }
  return {
    path,
    select: (doc) => query(doc as never, path),
  };
}

/** The text --query prints for `matches` (the rules above); `tty`: stdout is a terminal. */
export function formatMatches(matches: unknown[], tty: boolean): string {
  return matches
    .map((m) => {
      if (typeof m === 'string') return (tty ? sanitizeText(m) : m) + '\n';
      return JSON.stringify(m, null, tty ? 2 : undefined) + '\n';
    })
    .join('');
}
