/**
 * Text from a spec or a server, made safe to print on a terminal: control characters
 * (C0 but \n and \t where the text is multi-line by design, CR always, DEL, C1) and the
 * Unicode bidi controls (which reorder what a reader sees, "Trojan Source") are shown as
 * visible escapes (`\x1b`, `\u202e`) instead of acting on the terminal: an `ESC ] 0;…`
 * title, an `ESC [2J` clear, or a CR that hides what came before it on the line.
 *
 * Escaped rather than dropped, so a reader sees that something was there. JSON output
 * does not go through here: JSON.stringify already escapes every control character.
 */
const SINGLE = /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const MULTI = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

const visible = (c: string) => {
  const code = c.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
};

/** One line: every control character escaped, \n and \t too. */
export function sanitizeLine(text: string): string {
  return text.replace(SINGLE, visible);
}

/** Multi-line text (a description, a trace, a body): \n and \t kept, every other control escaped. */
export function sanitizeText(text: string): string {
  return text.replace(MULTI, visible);
}

/** True when `text` has something sanitizeText would escape (binary-looking or hostile). */
export function hasControls(text: string): boolean {
  MULTI.lastIndex = 0;
  return MULTI.test(text);
}
