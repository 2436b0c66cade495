import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { readPath, recordFiles, type ConnectorFiles } from '../../src/validate/files.js';
import { parseOverrides, knownRules, validateFiles, toPointer } from '../../src/validate/engine.js';
import type { Finding } from '../../src/validate/findings.js';
import { UsageError } from '../../src/errors.js';
import { runCli } from '../helpers/cli.js';

const DIR = join(import.meta.dirname, '..', 'fixtures', 'validate', 'engine');
const shown = (name: string) => relative(process.cwd(), join(DIR, name));
/** This module's rules only: the other sections' rules have fixtures of their own. */
const MINE = /^(schema-|json-strict$|file-)/;
const brief = (fs: Finding[]) => fs.filter((f) => MINE.test(f.rule)).map((f) => `${f.line}:${f.column} ${f.severity} ${f.rule} ${f.pointer}`);

async function run(name: string, overrides = new Map()): Promise<Finding[]> {
  const [t] = (await readPath(join(DIR, name)))!;
  return [...t.findings, ...(t.files ? await validateFiles(t.files, overrides) : [])];
}

describe('reading a target (files.ts)', () => {
  it('a clean Swagger 2.0 file: no finding of the schema or reading rules', async () => {
    expect(brief(await run('clean.swagger.json'))).toEqual([]);
  });

  it('comments and trailing commas: parsed, each a json-strict warning at its line:column', async () => {
    const fs = await run('comments.swagger.json');
    expect(brief(fs)).toEqual(['2:21 warning json-strict ', '6:21 warning json-strict ', '48:3 warning json-strict ']);
    expect(fs[0].message).toMatch(/platform refuses comments in JSON: remove it/);
    expect(fs.find((f) => f.line === 6)!.message).toMatch(/trailing commas/);
    expect(fs[0].file).toBe(shown('comments.swagger.json'));
    // the document was read all the same: the schema rules ran on it and found nothing
    expect(fs.filter((f) => f.rule.startsWith('schema-'))).toEqual([]);
  });

  it('JSON that does not parse: one file-parse error at the place, no crash, no other rule', async () => {
    expect(brief(await run('broken.json'))).toEqual(['4:3 error file-parse ']);
    const yaml = await run('broken.yaml');
    expect(yaml).toHaveLength(1);
    expect(yaml[0]).toMatchObject({ rule: 'file-parse', severity: 'error', line: 4, column: 1 });
    expect(yaml[0].message).toMatch(/^not valid YAML: /);
  });

  it('a paconn folder: its definition, apiProperties and settings', async () => {
    const [t] = (await readPath(join(DIR, 'paconn')))!;
    expect(t.files!.swagger.path).toBe(shown('paconn/apiDefinition.swagger.json'));
    expect(t.files!.apiProperties!.doc.properties.publisher).toBe('Example');
    expect(t.files!.settings!.path).toBe(shown('paconn/settings.json'));
    expect(brief(await run('paconn'))).toEqual([]);
  });

  it('a folder with a definition and no apiProperties.json: a file-api-properties warning', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'validate-folder-'));
    mkdirSync(join(dir, 'Conn'));
    writeFileSync(join(dir, 'Conn', 'Only.swagger.json'), '{"swagger":"2.0","info":{"title":"T","version":"1"},"paths":{}}');
    const [t] = (await readPath(dir))!;
    expect(t.files!.swagger.path).toMatch(/Only\.swagger\.json$/);
    expect(t.findings.map((f) => `${f.severity} ${f.rule}`)).toEqual(['warning file-api-properties']);
  });

  it('a folder of connectors: each folder and spec file in it, sorted (as import reads it)', async () => {
    const targets = (await readPath(DIR))!;
    expect(targets.some((t) => t.target.endsWith('/paconn') && t.files?.apiProperties)).toBe(true);
    expect(targets.some((t) => /\/clean\.swagger\.json$/.test(t.target))).toBe(true);
    expect(targets.map((t) => t.target)).toEqual([...targets.map((t) => t.target)].sort());
  });

  it('a connector YAML document: findings located in the YAML file, under /definition', async () => {
    const fs = await run('notes.connector.yaml');
    expect(brief(fs)).toEqual(['36:15 error schema-ref-resolved /definition/paths/~1notes~1{noteId}/get/responses/200/schema/$ref']);
    expect(fs[0].file).toBe(shown('notes.connector.yaml'));
  });

  it('an imported connector: its stored definition, serialized with 2 spaces, named "<name> (registry)"', async () => {
    const def = {
      swagger: '2.0',
      info: { title: 'T', version: '1' },
      paths: { '/a': { get: { responses: { 200: { description: 'ok', schema: { $ref: '#/definitions/X' } } } } } },
    };
    const t = recordFiles({ name: 'notes', title: 'T', specFormat: 'swagger2', source: { kind: 'file', location: 'x' }, importedAt: '', definition: def });
    const fs = await validateFiles(t.files!);
    expect(fs.filter((f) => f.rule.startsWith('schema-')).map((f) => [f.file, f.rule, f.line, f.column])).toEqual([
      ['notes (registry)', 'schema-ref-resolved', 14, 15],
    ]);
    expect(fs.every((f) => f.file === 'notes (registry)')).toBe(true);
    expect(JSON.stringify(def, null, 2).split('\n')[13].slice(14)).toMatch(/^"\$ref": "#\/definitions\/X"/);
  });
});

describe('schema rules (rules/schema.ts)', () => {
  it('schema-valid: one finding a mistake, at its place, with what to do (not every oneOf branch)', async () => {
    const fs = (await run('invalid-schema.swagger.json')).filter((f) => f.rule === 'schema-valid');
    expect(fs.map((f) => `${f.line}:${f.column} ${f.pointer} ${f.message}`)).toEqual([
      "3:3 /info 'title' is required here: add it",
      '35:13 /paths/~1notes~1{noteId}/get/parameters/1/in must be one of "body", "header", "formData", "query", "path"',
      "47:11 /paths/~1notes~1{noteId}/get/responses/404 'description' is required here: add it",
    ]);
  });

  it('schema-valid: a semantic mistake (an optional path parameter) with the value it must have', async () => {
    const fs = (await run('semantic.swagger.json')).filter((f) => f.rule === 'schema-valid');
    expect(fs.map((f) => `${f.pointer} ${f.message}`)).toEqual(['/paths/~1notes~1{noteId}/get/parameters/0/required must be true']);
  });

  it('schema-quirk: what the platform runs anyway (import warns) is an error for validate, at the key', async () => {
    const fs = await run('quirk.swagger.json');
    expect(brief(fs)).toEqual(['50:9 error schema-quirk /paths/~1notes/get/responses', '73:3 error schema-quirk /basepath']);
    expect(fs.filter((f) => f.rule === 'schema-valid')).toEqual([]);
  });

  it('schema-ref-resolved and schema-ref-external: each $ref at its own place', async () => {
    const fs = (await run('bad-ref.swagger.json')).filter((f) => f.rule.startsWith('schema-ref'));
    expect(brief(fs)).toEqual([
      '39:15 error schema-ref-resolved /paths/~1notes~1{noteId}/get/responses/200/schema/$ref',
      '61:11 error schema-ref-external /definitions/Note/properties/owner/$ref',
    ]);
    expect(fs[0].message).toMatch(/'#\/definitions\/Missing' points at nothing/);
    expect(fs[1].message).toMatch(/inline it/);
  });

  it('schema-swagger2: OpenAPI 3 is read, with a warning that the platform takes Swagger 2.0 only', async () => {
    const fs = await run('openapi3.yaml');
    expect(brief(fs)).toEqual(['1:1 warning schema-swagger2 /openapi']);
    expect(fs[0].message).toMatch(/export <name> --format paconn/);
    expect(brief(await run('clean.swagger.json')).filter((f) => f.includes('schema-swagger2'))).toEqual([]);
  });
});

describe('the engine', () => {
  it('pointers are RFC 6901 (~0, ~1)', () => {
    expect(toPointer(['paths', '/a/{b}', 'x~y', 0])).toBe('/paths/~1a~1{b}/x~0y/0');
  });

  it('--rule overrides: off drops a rule, a level replaces its severity; an unknown id is a usage error with did-you-mean', async () => {
    const known = knownRules();
    expect(known).toContain('schema-valid');
    expect(known).toContain('json-strict');
    const off = await run('bad-ref.swagger.json', parseOverrides(['schema-ref-external=off', 'schema-ref-resolved=warning'], known));
    expect(brief(off)).toEqual(['39:15 warning schema-ref-resolved /paths/~1notes~1{noteId}/get/responses/200/schema/$ref']);
    let err: unknown;
    try {
      parseOverrides(['schema-vald=off'], known);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).hint).toMatch(/Did you mean schema-valid/);
    expect(() => parseOverrides(['schema-valid=loud'], known)).toThrow(/expected id=off\|warning\|error/);
  });

  it('findings are sorted by file, line, column (reading and rule findings together, as the command prints them)', async () => {
    const r = await runCli(['validate', join(DIR, 'comments.swagger.json'), '--json']);
    const fs = JSON.parse(r.stdout).findings as { file: string; line: number; column: number }[];
    expect(new Set(fs.map((f: any) => f.rule.split('-')[0])).size).toBeGreaterThan(1);
    const keys = fs.map((f) => [f.file, f.line, f.column] as const);
    expect(keys).toEqual([...keys].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1] || a[2] - b[2])));
  });

  it('a rule module that throws is a finding of that rule, not a crash', async () => {
    const files: ConnectorFiles = { swagger: { path: 'x.json', text: '{"swagger":"2.0"}', doc: { swagger: '2.0' } }, format: 'swagger2' };
    const boom = () => {
      throw new Error('boom');
    };
    const rules = new Map<string, any>([
      ['test-throws', { given: '$', severity: 'error', then: { function: boom } }],
      ['test-rejects', { given: '$', severity: 'error', then: { function: async () => boom() } }],
    ]);
    const fs = await validateFiles(files, new Map(), rules);
    expect(fs.length).toBeGreaterThan(0);
    expect(fs.map((f) => f.rule).sort()).toEqual(['test-rejects', 'test-throws']);
    expect(fs.every((f) => /failed here \(a bug in connector.*boom/.test(f.message))).toBe(true);
  });
});
