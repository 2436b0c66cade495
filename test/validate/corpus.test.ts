import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CORPUS_DIR, runCli } from '../helpers/cli.js';

const present = existsSync(join(CORPUS_DIR, 'INDEX.tsv'));
if (!present) console.warn(`[corpus] ${CORPUS_DIR} is absent: skipping connector validate over the real connectors`);

describe.skipIf(!present)('connector validate over the 63 real connectors in ../shared/corpus', () => {
  it('runs every one, in-process, without a crash, in under 30 s; prints the findings per rule', async () => {
    const started = performance.now();
    const r = await runCli(['validate', CORPUS_DIR, '--json']);
    const seconds = (performance.now() - started) / 1000;
    expect([0, 1], r.stderr).toContain(r.code);
    const doc = JSON.parse(r.stdout) as { files: { path: string; role: string }[]; findings: { rule: string; message: string; file: string }[] };
    expect(doc.files.filter((f) => f.role === 'swagger')).toHaveLength(63);
    // A rule that threw is reported as a finding saying so: none may have.
    expect(doc.findings.filter((f) => /a bug in connector/.test(f.message)).slice(0, 3)).toEqual([]);
    // Published connectors all parse and pass the platform's schema.
    expect(doc.findings.filter((f) => f.rule === 'file-parse' || f.rule === 'schema-valid').slice(0, 3)).toEqual([]);
    const perRule: Record<string, number> = {};
    for (const f of doc.findings) perRule[f.rule] = (perRule[f.rule] ?? 0) + 1;
    console.log(
      `[corpus] connector validate: 63 connectors in ${seconds.toFixed(1)} s, ${doc.findings.length} findings:\n${Object.entries(perRule)
        .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
        .map(([rule, n]) => `  ${String(n).padStart(6)}  ${rule}`)
        .join('\n')}`,
    );
    expect(seconds).toBeLessThan(30);
  }, 120_000);
});
