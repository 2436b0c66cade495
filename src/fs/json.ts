import { readFileSync } from 'node:fs';
import { CliError } from '../errors.js';
import { fsFailure } from './atomic.js';

/** A small JSON file: undefined when it does not exist, a one-line CliError when it is unreadable or not JSON. */
export async function readJsonFile<T>(path: string): Promise<T | undefined> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8'); // small files: one synchronous read beats four thread-pool round trips
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw fsFailure(e, path, 'read');
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new CliError(`registry file ${path} is corrupt (not valid JSON)`, {
      hint: 'Remove it or restore it from a backup; connector never writes half a file.',
    });
  }
}
