/**
 * Loads a package (or a built-in) when it is first needed, with require() instead of import():
 * - the CommonJS packages (undici, ajv, swagger-parser, @napi-rs/keyring, and yaml's CommonJS
 *   build) load several times faster without the ESM loader (the keyring: 4 ms instead of 17-40);
 * - bin/connector.js compiles the bundle through vm.Script to use a V8 code cache, and on Node 20
 *   import() cannot run from cached code ("A dynamic import callback was not specified").
 * Node >= 20.19 (package.json engines) require()s the ESM-only packages too (open, @inquirer/prompts).
 * test/cli/bundle.test.ts checks that no import() is left in dist/cli.
 *
 * In the CommonJS bundle this is the chunk's own require; node:module (and the ESM loader parts it
 * pulls in, ~1 ms) is loaded only where there is none (the ES modules that tsc emits).
 */
const requireHere: NodeJS.Require = typeof require === 'function' ? require : process.getBuiltinModule('node:module').createRequire(import.meta.url);

export function load<T>(id: string): T {
  return requireHere(id) as T;
}
