import { CliError } from '../errors.js';

/**
 * OpenAPI 3.0/3.1 → Swagger 2.0. A stub until the converter lands (another change
 * writes it with this signature): `notes` are what 2.0 cannot express, one line each.
 */
export function toSwagger2(doc: object): { swagger: object; notes: string[] } {
  const d = doc as Record<string, unknown>;
  if (d.swagger === '2.0') return { swagger: doc, notes: [] };
  throw new CliError('converting OpenAPI 3 to Swagger 2.0 is not yet available', { hint: 'Start from a Swagger 2.0 file, or convert it first.' });
}
