import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const SRC = join(ROOT, 'src');
/** What refresh-child.mjs loads; the modules they import (not type-only) come along. */
const ENTRIES = ['oauth/tokens.ts', 'oauth/token.ts', 'fs/atomic.ts', 'fs/json.ts', 'fs/lock.ts', 'http/client.ts'];

/**
 * Transpile the OAuth engine, the HTTP client and the modules they import to
 * plain ESM in a temp dir, so child processes can run them on Node 20, which
 * cannot run TypeScript. node_modules is linked in, for the packages load()
 * requires (oauth4webapi). Returns the directory that mirrors src/.
 */
export async function transpileOAuth(): Promise<string> {
  const ts = (await import('typescript')).default;
  const out = mkdtempSync(join(tmpdir(), 'oauth-lib-'));
  writeFileSync(join(out, 'package.json'), '{"type":"module"}');
  symlinkSync(join(ROOT, 'node_modules'), join(out, 'node_modules'), 'dir');
  const todo = ENTRIES.map((f) => join(SRC, f));
  const done = new Set<string>();
  for (let f = todo.pop(); f; f = todo.pop()) {
    if (done.has(f)) continue;
    done.add(f);
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(/^(?:import|export)\s+(?!type\s)[^;]*?from\s+'(\.{1,2}\/[^']+)\.js'/gm)) {
      const dep = resolve(dirname(f), `${m[1]}.ts`);
      if (existsSync(dep)) todo.push(dep);
    }
    const js = ts.transpileModule(text, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
    const dest = join(out, relative(SRC, f)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(dest), { recursive: true });
    writeFileSync(dest, js);
  }
  return out;
}
