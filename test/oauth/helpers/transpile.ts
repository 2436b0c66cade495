import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';

const SRC = join(import.meta.dirname, '..', '..', '..', 'src');

/**
 * Transpile the OAuth engine (and the two modules it imports) to plain ESM in
 * a temp dir, so child processes can run it on Node 20, which cannot run
 * TypeScript. Returns the directory that mirrors src/.
 */
export async function transpileOAuth(): Promise<string> {
  const ts = (await import('typescript')).default;
  const out = mkdtempSync(join(tmpdir(), 'oauth-lib-'));
  writeFileSync(join(out, 'package.json'), '{"type":"module"}');
  const files = [join(SRC, 'errors.ts'), ...readdirSync(join(SRC, 'fs')).map((f) => join(SRC, 'fs', f)), ...readdirSync(join(SRC, 'oauth')).filter((f) => f.endsWith('.ts')).map((f) => join(SRC, 'oauth', f))];
  for (const f of files) {
    const js = ts.transpileModule(readFileSync(f, 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    }).outputText;
    const dest = join(out, relative(SRC, f)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(dest), { recursive: true });
    writeFileSync(dest, js);
  }
  return out;
}
