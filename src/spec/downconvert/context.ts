/**
 * What the OpenAPI 3 → Swagger 2.0 converter's parts share: the source document (to resolve
 * `$ref`s 2.0 cannot keep), and the notes — one line per thing 2.0 cannot express, naming the
 * RFC 6901 pointer in the source and how it was approximated.
 */
export type Obj = Record<string, any>;

export interface Conv {
  /** The OpenAPI 3 document being converted (read only). */
  readonly src: Obj;
  note(pointer: string, what: string): void;
  /** Pointers of the non-schema `$ref`s being inlined, to stop at a cycle. */
  readonly inlining: Set<string>;
  /** Security scheme name → the definition names it became (empty: dropped). */
  readonly security: Map<string, string[]>;
}

export function newConv(src: Obj): { conv: Conv; notes: string[] } {
  const notes: string[] = [];
  const seen = new Set<string>();
  const conv: Conv = {
    src,
    inlining: new Set(),
    security: new Map(),
    note(pointer, what) {
      // One line each, whatever the document holds: control characters escaped.
      const line = `${pointer || '/'}: ${what}`.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
      if (!seen.has(line)) {
        seen.add(line);
        notes.push(line);
      }
    },
  };
  return { conv, notes };
}

export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** RFC 6901: `~` → `~0`, `/` → `~1`. */
export const esc = (key: string | number) => String(key).replace(/~/g, '~0').replace(/\//g, '~1');
export const ptr = (base: string, ...keys: (string | number)[]) => base + keys.map((k) => `/${esc(k)}`).join('');

/** Copy the `x-*` extensions of `from` onto `to` (where they are: x-ms-* stay on the same object). */
export function copyExtensions(from: Obj, to: Obj): Obj {
  for (const [k, v] of Object.entries(from)) if (k.startsWith('x-')) to[k] = v;
  return to;
}

/** The value at a local `$ref` ('#/a/b'), or undefined. */
export function resolveLocal(src: Obj, ref: string): unknown {
  if (!ref.startsWith('#')) return undefined;
  let cur: unknown = src;
  for (const raw of ref.slice(1).split('/').slice(1)) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (!isObj(cur) && !Array.isArray(cur)) return undefined;
    cur = (cur as Obj)[key];
  }
  return ref === '#' ? src : cur;
}

const RENAMED: Record<string, string> = {
  '#/components/schemas/': '#/definitions/',
  '#/components/parameters/': '#/parameters/',
  '#/components/responses/': '#/responses/',
};

/** `#/components/schemas/X` → `#/definitions/X` (and parameters, responses); undefined when 2.0 has no home for the target. */
export function renameRef(ref: string): string | undefined {
  for (const [from, to] of Object.entries(RENAMED)) {
    if (ref.startsWith(from) && !ref.slice(from.length).includes('/')) return to + ref.slice(from.length);
  }
  return undefined;
}
