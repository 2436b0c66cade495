import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import core from '@stoplight/spectral-core';
import parsers from '@stoplight/spectral-parsers';
import { parse } from 'jsonc-parser';
import { describe, expect, it } from 'vitest';
import { rules as dynamic } from '../../src/validate/rules/dynamic.js';
import { rules as extensions } from '../../src/validate/rules/extensions.js';
import { rules as policies } from '../../src/validate/rules/policies.js';
import { rules as security } from '../../src/validate/rules/security.js';
import { rules as triggers } from '../../src/validate/rules/triggers.js';
import type { ConnectorFiles } from '../../src/validate/files.js';

const CORPUS = join(import.meta.dirname, '..', '..', '..', 'shared', 'corpus');
const corpus = existsSync(CORPUS) ? CORPUS : '/work/shared/corpus';
const present = existsSync(corpus);

/** Lenient read, as the engine does: the corpus has a BOM, and comments or trailing commas in a few files. */
function load(path: string) {
  if (!existsSync(path)) return undefined;
  const text = readFileSync(path, 'utf8').replace(/^\uFEFF/, '');
  const doc = parse(text, [], { allowTrailingComma: true, disallowComments: false });
  return doc && typeof doc === 'object' ? { path, text, doc } : undefined;
}

describe.skipIf(!present)('extensions/security/policies/dynamic/triggers rules over the corpus', () => {
  it('run over every connector without a crash; counts per rule', async () => {
    const counts: Record<string, number> = {};
    const per: Record<string, Set<string>> = {};
    let connectors = 0;
    const started = Date.now();
    for (const name of readdirSync(corpus).sort()) {
      const dir = join(corpus, name);
      const swagger = load(join(dir, 'apiDefinition.swagger.json')) ?? load(join(dir, 'apidefinition.swagger.json'));
      if (!swagger) continue;
      connectors++;
      const files: ConnectorFiles = { swagger, apiProperties: load(join(dir, 'apiProperties.json')), format: 'swagger2' };
      const all = { ...extensions(files), ...security(files), ...policies(files), ...dynamic(files), ...triggers(files) };
      for (const id of Object.keys(all)) counts[id] ??= 0;
      for (const [file, props] of [
        [files.swagger, false],
        [files.apiProperties, true],
      ] as const) {
        if (!file) continue;
        const s = new core.Spectral();
        s.setRuleset({ rules: Object.fromEntries(Object.entries(all).filter(([id]) => id.startsWith('props-') === props)) });
        const results = await s.run(new core.Document(file.text, parsers.Json, file.path));
        for (const r of results) {
          expect(r.code).not.toBe('unrecognized-format');
          counts[r.code as string] = (counts[r.code as string] ?? 0) + 1;
          (per[r.code as string] ??= new Set()).add(name);
        }
      }
    }
    const table = Object.entries(counts)
      .map(([id, n]) => `${id}: ${n}${per[id] ? ` (${per[id].size} connectors)` : ''}`)
      .join('\n');
    process.stderr.write(`${connectors} connectors in ${Date.now() - started} ms\n${table}\n`);
    expect(connectors).toBeGreaterThan(50);
    // Spectral reports a function that threw as its own diagnostic: none may have.
    expect(Object.keys(counts).filter((k) => !Object.hasOwn(all0(), k))).toEqual([]);
  }, 60_000);
});

function all0() {
  const f: ConnectorFiles = { swagger: { path: 'x', text: '{}', doc: {} }, format: 'swagger2' };
  return { ...extensions(f), ...security(f), ...policies(f), ...dynamic(f), ...triggers(f) };
}
