import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { prepareImport } from '../../src/spec/import.js';
import { exportPaconn, exportYaml } from '../../src/spec/export.js';
import type { ConnectorRecord } from '../../src/model.js';
import { failure } from '../helpers/cli.js';

const SPECS = join(import.meta.dirname, '..', '..', 'fixtures', 'specs');
let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'connector-export-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const rec = async (f: string) => (await prepareImport(f.startsWith('/') ? f : join(SPECS, f))).record;
const payload = (r: ConnectorRecord) => {
  const { source, importedAt, ...rest } = r;
  return rest;
};

describe('yaml export', () => {
  it('is one document: envelope keys in a fixed order, definition keys in their original order', async () => {
    const r = await rec('paconn-weather');
    const { text } = await exportYaml(r);
    const doc = parse(text);
    expect(Object.keys(doc)).toEqual([
      'apiVersion',
      'kind',
      'name',
      'title',
      'version',
      'specFormat',
      'definition',
      'apiProperties',
      'settings',
      'script',
      'icon',
    ]);
    expect(doc).toMatchObject({ apiVersion: 'connector/v1', kind: 'Connector', name: 'weather-tiny', title: 'Weather Tiny' });
    expect(Object.keys(doc.definition)).toEqual(Object.keys(r.definition));
    expect(Object.keys(doc.definition.paths)).toEqual(['/forecast/{city}', '/alerts']);
    expect(text.split('\n').some((l) => l.startsWith('script: |'))).toBe(true);
  });

  it('writes no YAML anchors/aliases even when the record shares an object (so imports never hit the alias limit)', async () => {
    const r = await rec('petstore.swagger.json');
    const shared = { type: 'string', 'x-ms-summary': 'Shared' };
    (r.definition as any).definitions.A = shared;
    (r.definition as any).definitions.B = shared;
    const { text } = await exportYaml(r);
    expect(text).not.toMatch(/[&*]a\d+\b/);
    expect(parse(text).definition.definitions.B).toEqual(shared);
  });

  it.each(['petstore.swagger.json', 'petstore.swagger.yaml', 'petstore.openapi30.yaml', 'petstore.openapi31.json', 'paconn-weather', 'external/main.yaml'])(
    'round-trips %s',
    async (f) => {
      const r = await rec(f);
      const file = join(work, `${r.name}.connector.yaml`);
      writeFileSync(file, (await exportYaml(r)).text);
      const back = await rec(file);
      expect(payload(back)).toStrictEqual(payload(r));
      expect(back.source).toEqual({ kind: 'yaml', location: file });
    },
  );

  it('never writes a secret: secret-looking values are stripped at import and at export', async () => {
    const dir = join(work, 'secretive');
    cpSync(join(SPECS, 'paconn-weather'), dir, { recursive: true });
    const props = JSON.parse(readFileSync(join(dir, 'apiProperties.json'), 'utf8'));
    props.properties.connectionParameters.token = {
      type: 'oauthSetting',
      oAuthSettings: { identityProvider: 'oauth2', clientId: 'abc', clientSecret: 'hunter2-very-secret', scopes: [] },
    };
    writeFileSync(join(dir, 'apiProperties.json'), JSON.stringify(props));
    const { record, warnings } = await prepareImport(dir);
    expect(JSON.stringify(record)).not.toContain('hunter2');
    expect(warnings.join('\n')).toContain('#/apiProperties/properties/connectionParameters/token/oAuthSettings/clientSecret');
    // A record that somehow holds one still exports without it.
    (record.apiProperties as any).properties.connectionParameters.token.oAuthSettings.clientSecret = 'hunter2-very-secret';
    const { text, stripped } = await exportYaml(record);
    expect(text).not.toContain('hunter2');
    expect(stripped).toHaveLength(1);
  });
});

describe('paconn export', () => {
  it('writes the paconn files, 2-space JSON, icon as bytes', async () => {
    const r = await rec('paconn-weather');
    const out = join(work, 'weather-out');
    const { written } = await exportPaconn(r, out);
    // connector.meta.json: the fixture's stackOwner, which paconn create refuses (restored by the import below).
    expect(readdirSync(out).sort()).toEqual([
      'apiDefinition.swagger.json',
      'apiProperties.json',
      'connector.meta.json',
      'icon.png',
      'script.csx',
      'settings.json',
    ]);
    expect(written).toHaveLength(6);
    const def = readFileSync(join(out, 'apiDefinition.swagger.json'), 'utf8');
    expect(def).toBe(JSON.stringify(r.definition, null, 2) + '\n');
    expect(readFileSync(join(out, 'icon.png'))).toEqual(readFileSync(join(SPECS, 'paconn-weather', 'icon.png')));
    expect(payload(await rec(out))).toStrictEqual(payload(r));
  });

  it('converts OpenAPI 3 to Swagger 2.0 (paconn takes nothing else), with notes on what 2.0 cannot express', async () => {
    const r = await rec('petstore.openapi30.yaml');
    const { notes } = await exportPaconn(r, join(work, 'oas3'));
    const def = JSON.parse(readFileSync(join(work, 'oas3', 'apiDefinition.swagger.json'), 'utf8'));
    expect(def).toMatchObject({ swagger: '2.0', host: 'petstore.example.com', basePath: '/api/v2' });
    expect(def.openapi).toBeUndefined();
    expect(notes.join('\n')).toMatch(/^\/components\/securitySchemes\/bearer: /m);
    expect((await rec(join(work, 'oas3'))).specFormat).toBe('swagger2');
  });

  it('refuses a non-empty folder that is not a previous export, and leaves it alone', async () => {
    const dir = join(work, 'precious');
    mkdirSync(dir);
    writeFileSync(join(dir, 'notes.txt'), 'keep me');
    expect(await failure(exportPaconn(await rec('petstore.swagger.json'), dir))).toMatch(/folder is not empty and is not a previous paconn export/);
    expect(readdirSync(dir)).toEqual(['notes.txt']);
  });

  it('re-exporting over a previous export removes files the connector no longer has', async () => {
    const out = join(work, 'reused');
    await exportPaconn(await rec('paconn-weather'), out);
    const plain = await rec('petstore.swagger.json');
    const { warnings } = await exportPaconn(plain, out);
    expect(readdirSync(out).sort()).toEqual(['apiDefinition.swagger.json', 'apiProperties.json']);
    expect(warnings.join()).toMatch(/wrote a minimal apiProperties\.json/);
    expect((await rec(out)).definition).toEqual(plain.definition);
  });
});
