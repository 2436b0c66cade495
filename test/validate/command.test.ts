import { describe, expect, it } from 'vitest';
import { join, relative } from 'node:path';
import { runCli, tempHome } from '../helpers/cli.js';

const DIR = join(import.meta.dirname, '..', 'fixtures', 'validate', 'engine');
const fx = (name: string) => relative(process.cwd(), join(DIR, name));
/** The schema and reading rules (this command's own); the other sections' rules have their tests. */
const MINE = /^(schema-|json-strict$|file-)/;

describe('connector validate', () => {
  it('plain on a pipe: file:line:col severity rule message, exit 1 on errors, a summary on stderr', async () => {
    const r = await runCli(['validate', fx('bad-ref.swagger.json')]);
    expect(r.code).toBe(1);
    const mine = r.stdout.split('\n').filter((l) => / (schema-|json-strict |file-)/.test(l));
    expect(mine).toEqual([
      `${fx('bad-ref.swagger.json')}:39:15 error schema-ref-resolved $ref '#/definitions/Missing' points at nothing in this file: define it, or fix the reference`,
      expect.stringMatching(
        new RegExp(`^${fx('bad-ref.swagger.json')}:61:11 error schema-ref-external \\$ref 'people.json#/definitions/Person' is in another file`),
      ),
    ]);
    expect(r.stderr).toMatch(/^\d+ errors?, \d+ warnings? \(1 file checked\)\.\n$/);
  });

  it('warnings only: exit 0, with --strict exit 1', async () => {
    const args = ['validate', fx('comments.swagger.json')];
    const plain = await runCli([...args, '--json']);
    const doc = JSON.parse(plain.stdout);
    expect(doc.findings.filter((f: { rule: string }) => f.rule === 'json-strict')).toHaveLength(3);
    // the checklist's certification rules find errors in this bare fixture: turned off, only warnings are left
    const off = ['checklist-connector-metadata', 'checklist-contact', 'operation-parameter-description'].flatMap((id) => ['--rule', `${id}=off`]);
    const warned = await runCli([...args, ...off, '--json']);
    expect(JSON.parse(warned.stdout).summary.errors).toBe(0);
    expect(warned.code).toBe(0);
    expect((await runCli([...args, ...off, '--strict'])).code).toBe(1);
  });

  it('--json: one document { files, findings, summary }', async () => {
    const r = await runCli(['validate', fx('paconn'), fx('broken.json'), '--json']);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc.files).toEqual([
      { path: fx('paconn/apiDefinition.swagger.json'), role: 'swagger' },
      { path: fx('paconn/apiProperties.json'), role: 'apiProperties' },
      { path: fx('paconn/settings.json'), role: 'settings' },
    ]);
    const broken = doc.findings.find((f: { file: string }) => f.file === fx('broken.json'));
    expect(broken).toEqual({
      rule: 'file-parse',
      severity: 'error',
      message: expect.stringMatching(/^not valid JSON/),
      file: fx('broken.json'),
      pointer: '',
      line: 4,
      column: 3,
    });
    expect(doc.summary).toEqual({ errors: doc.findings.filter((f: { severity: string }) => f.severity === 'error').length, warnings: expect.any(Number) });
  });

  it('--rule id=off|warning|error overrides a severity; an unknown id is exit 2 with did-you-mean', async () => {
    const r = await runCli(['validate', fx('bad-ref.swagger.json'), '--rule', 'schema-ref-external=off', '--rule', 'schema-ref-resolved=warning', '--json']);
    const mine = JSON.parse(r.stdout).findings.filter((f: { rule: string }) => MINE.test(f.rule));
    expect(mine.map((f: { rule: string; severity: string }) => `${f.severity} ${f.rule}`)).toEqual(['warning schema-ref-resolved']);
    const bad = await runCli(['validate', fx('clean.swagger.json'), '--rule', 'schema-vaild=off']);
    expect([bad.code, bad.stdout]).toEqual([2, '']);
    expect(bad.stderr).toMatch(/^connector: --rule 'schema-vaild': no such rule\nDid you mean schema-valid/);
    const level = await runCli(['validate', fx('clean.swagger.json'), '--rule', 'schema-valid=loud']);
    expect([level.code, level.stderr.split('\n')[0]]).toEqual([2, "connector: --rule 'schema-valid=loud': expected id=off|warning|error"]);
  });

  it('a target that is neither a file, a folder nor an imported connector: exit 2, one line naming it, nothing checked', async () => {
    const r = await runCli(['validate', fx('clean.swagger.json'), 'no-such-connector']);
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr.split('\n')[0]).toBe("connector: 'no-such-connector' is no file, folder or imported connector");
  });

  it('an imported connector by name: findings name "<name> (registry)"', async () => {
    const home = tempHome();
    const imp = await runCli(['import', fx('quirk.swagger.json'), '--name', 'quirky'], { home });
    expect(imp.code, imp.stderr).toBe(0);
    const r = await runCli(['validate', 'quirky', '--json'], { home });
    const doc = JSON.parse(r.stdout);
    expect(doc.files).toEqual([{ path: 'quirky (registry)', role: 'swagger' }]);
    const q = doc.findings.filter((f: { rule: string }) => f.rule === 'schema-quirk');
    expect(q.map((f: { file: string; pointer: string }) => `${f.file} ${f.pointer}`)).toEqual([
      'quirky (registry) /paths/~1notes/get/responses',
      'quirky (registry) /basepath',
    ]);
  });

  it('--format sarif: a SARIF 2.1.0 log GitHub code scanning reads', async () => {
    const r = await runCli(['validate', fx('bad-ref.swagger.json'), fx('comments.swagger.json'), '--format', 'sarif']);
    expect(r.code).toBe(1);
    const log = JSON.parse(r.stdout);
    expect(log.version).toBe('2.1.0');
    expect(log.$schema).toMatch(/sarif-2\.1\.0/);
    expect(log.runs).toHaveLength(1);
    const { driver } = log.runs[0].tool;
    expect(driver.name).toBe('connector validate');
    const ids = driver.rules.map((x: { id: string }) => x.id);
    for (const id of ['schema-valid', 'schema-ref-resolved', 'json-strict', 'file-parse']) expect(ids).toContain(id);
    for (const rule of driver.rules) {
      expect(rule.shortDescription.text).toEqual(expect.any(String));
      expect(['error', 'warning', 'note']).toContain(rule.defaultConfiguration.level);
    }
    const results = log.runs[0].results;
    expect(results.length).toBeGreaterThanOrEqual(5);
    for (const res of results) {
      expect(ids[res.ruleIndex]).toBe(res.ruleId);
      expect(['error', 'warning', 'note']).toContain(res.level);
      expect(res.message.text).toEqual(expect.any(String));
      const loc = res.locations[0].physicalLocation;
      expect(loc.artifactLocation.uri).not.toMatch(/^\/|\\/); // relative to the cwd, '/' separated
      expect(loc.region.startLine).toBeGreaterThanOrEqual(1);
      expect(loc.region.startColumn).toBeGreaterThanOrEqual(1);
    }
    const ref = results.find((x: { ruleId: string }) => x.ruleId === 'schema-ref-resolved');
    expect(ref.locations[0].physicalLocation).toEqual({ artifactLocation: { uri: fx('bad-ref.swagger.json') }, region: { startLine: 39, startColumn: 15 } });
    expect(ref.locations[0].logicalLocations[0].fullyQualifiedName).toBe('/paths/~1notes~1{noteId}/get/responses/200/schema/$ref');
  });

  it('--json with --format sarif is a usage error', async () => {
    const r = await runCli(['validate', fx('clean.swagger.json'), '--format', 'sarif', '--json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^connector: --json and --format sarif/);
  });

  it('a clean definition: no schema or reading finding', async () => {
    const r = await runCli(['validate', fx('clean.swagger.json'), '--json']);
    expect(JSON.parse(r.stdout).findings.filter((f: { rule: string }) => MINE.test(f.rule))).toEqual([]);
  });
});
