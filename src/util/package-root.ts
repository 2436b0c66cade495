import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/**
 * The installed package's root folder (where package.json, schema/ and fixtures/ live).
 * Found by walking up from this module, so it holds for src/ under vitest, the tsc output
 * in dist/, and the CommonJS bundle in dist/cli/, whose files sit at other depths.
 */
export function packageRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'connector') return (root = dir);
    const up = dirname(dir);
    if (up === dir) throw new Error(`connector's package.json was not found above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

/** A path inside the installed package: packagePath('schema', 'connector.schema.json'). */
export const packagePath = (...parts: string[]): string => join(packageRoot(), ...parts);

/** The version in package.json. */
export const packageVersion = (): string => (JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { version: string }).version;
