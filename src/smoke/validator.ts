import { readFile } from 'node:fs/promises';
import { load } from '../util/load.js';
import { packagePath } from '../util/package-root.js';

/** One of ajv's errors, as the suite loader reads them (`verbose`: with the schema that failed). */
export interface AjvError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
  schema?: unknown;
  parentSchema?: { properties?: Record<string, unknown> };
}
export type Validator = ((doc: unknown) => boolean) & { errors?: AjvError[] | null };

/** The ajv options of the suite schema; the build compiles the schema ahead of time with exactly these. */
export const AJV_OPTIONS = { allErrors: true, strict: false, verbose: true } as const;

let validator: Validator | undefined;

/**
 * The validator of schema/suite.schema.json. This module is what runs from source (vitest): it
 * compiles the schema with ajv, ~85 ms a process. In the bundle, rolldown.config.mjs puts ajv's
 * standalone code for the same schema and AJV_OPTIONS in its place (generated at build time).
 */
export async function suiteValidator(): Promise<Validator> {
  if (!validator) {
    const schema = JSON.parse(await readFile(packagePath('schema', 'suite.schema.json'), 'utf8'));
    const { default: Ajv } = load<{ default: new (o: object) => { compile(s: object): Validator } }>('ajv');
    validator = new Ajv(AJV_OPTIONS).compile(schema);
  }
  return validator;
}
