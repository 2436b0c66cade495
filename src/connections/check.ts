import { UsageError } from '../errors.js';
import type { ConnectionParameter } from '../model.js';

/** Type and allowedValues check; an allowed value may be given by its display text. */
export function checkValue(p: ConnectionParameter, value: string): string {
  const shown = p.secret ? 'the value given' : `'${value}'`; // a rejected secret is still a secret
  if (p.allowedValues?.length) {
    const hit = p.allowedValues.find((a) => a.value === value) ?? p.allowedValues.find((a) => a.text.toLowerCase() === value.toLowerCase());
    if (!hit) {
      const allowed = p.allowedValues.map((a) => (a.text && a.text !== a.value ? `${a.value} (${a.text})` : a.value));
      const texts = p.allowedValues.some((a) => a.text && a.text !== a.value);
      throw new UsageError(`parameter ${p.name}: ${shown} is not allowed`, `Allowed: ${allowed.join(', ')}${texts ? '; the text in brackets works too' : ''}.`);
    }
    return hit.value;
  }
  if (p.type === 'int' && !/^-?\d+$/.test(value)) throw new UsageError(`parameter ${p.name}: expected an integer, got ${shown}`);
  if (p.type === 'bool') {
    if (!/^(true|false)$/i.test(value)) throw new UsageError(`parameter ${p.name}: expected true or false, got ${shown}`);
    return value.toLowerCase();
  }
  return value;
}
