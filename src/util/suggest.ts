/** Levenshtein distance, for "did you mean" suggestions. */
export function distance(a: string, b: string): number {
  if (a === b) return 0;
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length];
}

/**
 * The closest candidates to `input` (case-insensitive), best first: by edit distance, where a
 * candidate that starts with the input, or has its words in another order (GetComic, ComicGet),
 * counts as 1 and one that contains it as 1.5; ties go to
 * the candidate nearest in length, then alphabetical order.
 */
export function closest(input: string, candidates: string[], max = 3): string[] {
  const needle = input.toLowerCase();
  return [...new Set(candidates)]
    .map((c) => {
      const lc = c.toLowerCase();
      let d = distance(needle, lc);
      if (lc.startsWith(needle) || needle.startsWith(lc) || sameWords(input, c)) d = Math.min(d, 1);
      else if (lc.includes(needle) || needle.includes(lc)) d = Math.min(d, 1.5);
      return { c, d, len: Math.abs(c.length - input.length) };
    })
    .filter(({ d, c }) => d <= Math.max(2, Math.floor(c.length / 2)))
    .sort((x, y) => x.d - y.d || x.len - y.len || x.c.localeCompare(y.c))
    .slice(0, max)
    .map(({ c }) => c);
}

/** The same words in any order: camelCase, snake_case, kebab-case and spaces split alike. */
function sameWords(a: string, b: string): boolean {
  const words = (s: string) =>
    s
      .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
      .toLowerCase()
      .split(/[^a-z0-9]+/)
      .filter(Boolean)
      .sort()
      .join(' ');
  const wa = words(a);
  return wa.includes(' ') && wa === words(b);
}

/**
 * "a-b-c" slug: lower-case ASCII letters, digits and dashes. Apostrophes (' ’ ‘ ʼ) are dropped,
 * not made separators: "Africa's Talking" → africas-talking.
 */
export function slugify(text: string): string {
  return legacySlugify(text.replace(/['\u2018\u2019\u02bc]/g, ''));
}

/** The slug before apostrophes were dropped (africa-s-talking): names imported then are still found by it. */
export function legacySlugify(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64);
}
