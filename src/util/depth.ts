import { UsageError } from '../errors.js';

/**
 * How deep JSON/YAML input may nest (objects and arrays). Every later step walks documents
 * recursively (swagger-parser, ajv, the secret stripper, the policy engine, yaml's stringify for
 * an export): a document deeper than the stack allows ended in "unexpected error: Maximum call
 * stack size exceeded". yaml's own stringify overflows near 1,000 levels and its parser near 800,
 * so this limit leaves room for the stack the CLI already uses. Real specs and bodies nest a few
 * dozen levels; serde_json stops at 128, Go's encoding/json at 10,000.
 */
export const MAX_DEPTH = 256;

interface Frame {
  value: unknown;
  depth: number;
  key: string;
  parent?: Frame;
}

/**
 * The JSON pointer to the first value nested more than `limit` levels deep, or undefined.
 * Iterative, so it works on any depth (and stops at the limit on a cyclic structure).
 */
export function tooDeepAt(root: unknown, limit = MAX_DEPTH): string | undefined {
  const stack: Frame[] = [{ value: root, depth: 0, key: '' }];
  while (stack.length) {
    const f = stack.pop()!;
    if (f.value === null || typeof f.value !== 'object') continue;
    if (f.depth >= limit) return pointer(f);
    const entries = Array.isArray(f.value) ? f.value.map((v, i) => [String(i), v] as const) : Object.entries(f.value);
    for (const [key, value] of entries) if (value !== null && typeof value === 'object') stack.push({ value, depth: f.depth + 1, key, parent: f });
  }
  return undefined;
}

/**
 * A UsageError (exit 2) naming `what` and where it nests more than MAX_DEPTH levels deep, when it
 * does. `envelope`: levels the value may have above its parts (a connector document's one).
 */
export function checkDepth(value: unknown, what: string, envelope = 0): void {
  const at = tooDeepAt(value, MAX_DEPTH + envelope);
  if (at !== undefined) throw depthError(what, `at ${at}`);
}

/** The one line for input nested too deep; `where` is a pointer or a line. */
export function depthError(what: string, where: string): UsageError {
  return new UsageError(
    `${what}: nested more than ${MAX_DEPTH} levels deep (${where}); refusing to process it`,
    'Flatten the structure; real documents nest a few dozen levels.',
  );
}

/** "#/a/b/c/…/y/z": the first and last few segments, so the line stays short. */
function pointer(f: Frame): string {
  const keys: string[] = [];
  for (let p: Frame | undefined = f; p?.parent; p = p.parent)
    keys.push(
      p.key
        .replace(/\p{Cc}/gu, '?')
        .replace(/~/g, '~0')
        .replace(/\//g, '~1')
        .slice(0, 40),
    );
  keys.reverse();
  const shown = keys.length > 10 ? [...keys.slice(0, 5), '…', ...keys.slice(-3)] : keys;
  return `#/${shown.join('/')}`;
}
