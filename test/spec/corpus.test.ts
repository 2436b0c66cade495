import { describe, it, expect } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CORPUS_DIR } from '../helpers/cli.js';
import { prepareImport } from '../../src/spec/import.js';
import { operations } from '../../src/spec/normalize.js';
import { exportPaconn, exportYaml } from '../../src/spec/export.js';
import type { ConnectorRecord } from '../../src/model.js';

const present = existsSync(join(CORPUS_DIR, 'INDEX.tsv'));
if (!present) console.warn(`[corpus] ${CORPUS_DIR} is absent: skipping the real-connector corpus tests`);

const rows = present
  ? readFileSync(join(CORPUS_DIR, 'INDEX.tsv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split('\t'))
      .map(([dir, , auth, , ops]) => ({ dir, auth, ops: Number(ops) }))
  : [];

/** The parts of a record that must survive export → import unchanged. */
const payload = (r: ConnectorRecord) => ({
  name: r.name,
  title: r.title,
  version: r.version,
  specFormat: r.specFormat,
  definition: r.definition,
  apiProperties: r.apiProperties,
  settings: r.settings,
  script: r.script,
  icon: r.icon,
});

describe.skipIf(!present)('the 63 real connectors in ../shared/corpus', () => {
  it('lists 63 connectors', () => {
    expect(rows).toHaveLength(63);
  });

  // One test per connector: import, count operations, and round-trip through both export formats.
  it.each(rows)(
    '$dir imports, has $ops operations, and round-trips through yaml and paconn',
    async ({ dir, ops }) => {
      const work = mkdtempSync(join(tmpdir(), 'connector-corpus-'));
      try {
        const { record } = await prepareImport(join(CORPUS_DIR, dir));
        expect(record.specFormat).toBe('swagger2');
        expect(operations(record)).toHaveLength(ops);
        // x-ms-* and everything else verbatim: the stored definition is the file's JSON.
        const file = ['apiDefinition.swagger.json', 'apidefinition.swagger.json'].map((f) => join(CORPUS_DIR, dir, f)).find(existsSync)!;
        expect(record.definition).toEqual(JSON.parse(readFileSync(file, 'utf8').replace(/^\uFEFF/, '')));

        const yamlFile = join(work, 'c.connector.yaml');
        writeFileSync(yamlFile, (await exportYaml(record)).text);
        const fromYaml = await prepareImport(yamlFile);
        expect(payload(fromYaml.record)).toStrictEqual(payload(record));
        expect(fromYaml.record.source.kind).toBe('yaml');

        await exportPaconn(record, join(work, 'paconn'));
        const fromPaconn = await prepareImport(join(work, 'paconn'), { name: record.name });
        expect(payload(fromPaconn.record)).toStrictEqual(payload(record));
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    },
    30_000,
  );

  it('AzureIoTCentral imports with a warning for its empty responses object (a tolerated quirk)', async () => {
    const { warnings } = await prepareImport(join(CORPUS_DIR, 'AzureIoTCentral'));
    expect(warnings.join('\n')).toMatch(/tolerated Swagger 2.0 quirk at #\/paths\/.*\/responses/);
  });
});
