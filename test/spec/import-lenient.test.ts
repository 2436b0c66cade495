import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { runCli, tempHome } from '../helpers/cli.js';
import { prepareImport } from '../../src/spec/import.js';
import { buildRequest } from '../../src/http/build.js';
import { findOperation } from '../../src/operation/find.js';

// Certified connectors the platform serves broke a JSON-Schema rule of Swagger 2.0 (a `basepath` key,
// a host with a placeholder, a malformed parameter) and were refused outright; folders whose definition
// has another name (CQC-Connector.swagger.json) were "no apiDefinition.swagger.json". Each imports now,
// with one warning line per deviation naming its file, line:column and JSON pointer.
const F = (name: string) => join(import.meta.dirname, '..', 'fixtures', 'import-lenient', name);
const DEF = (name: string) => join(F(name), 'apiDefinition.swagger.json');

describe('import is as lenient as the platform', () => {
  it('a top-level basepath (wrong case) is read as basePath, with a warning', async () => {
    const { record, warnings } = await prepareImport(F('basepath'));
    expect(warnings).toContain(
      `${DEF('basepath')}:5:3: tolerated Swagger 2.0 deviation at #/basepath: 'basepath' is not a Swagger 2.0 key ('basePath' is): read as basePath, as the platform does`,
    );
    expect(record.definition.basepath).toBe('/v2'); // stored as given
    const req = buildRequest(record.definition, findOperation(record, 'ListItems'), { params: {} });
    expect(req.base).toBe('https://api.example.invalid/v2');
  });

  it('a host with a placeholder imports, and its dynamichosturl policy fills it', async () => {
    const { warnings } = await prepareImport(F('host-placeholder'));
    expect(warnings).toEqual([
      `${DEF('host-placeholder')}:4:3: tolerated Swagger 2.0 deviation at #/host: host '{instance}.example.invalid' has a placeholder, which Swagger 2.0 does not allow: a dynamichosturl policy or --base-url gives the real host`,
    ]);
    const home = tempHome('connector-lenient-');
    expect((await runCli(['import', F('host-placeholder'), '--name', 'hp'], { home })).code).toBe(0);
    const r = await runCli(['run', 'hp', 'ListItems', '--dry-run'], { home, env: { CONNECTOR_HP__DEFAULT__INSTANCE: 'acme' } });
    expect(r.stdout.trim()).toBe("curl 'https://acme.example.invalid/api/items'");
  });

  it('malformed parameters (no type; a body parameter with a type): one warning each, and they run', async () => {
    const { record, warnings } = await prepareImport(F('malformed-params'));
    const def = DEF('malformed-params');
    expect(warnings.filter((w) => w.includes('deviation'))).toEqual([
      `${def}:11:24: tolerated Swagger 2.0 deviation at #/paths/~1items/get/parameters/0: parameter 'filter' has no 'type' (taken as a string)`,
      `${def}:17:11: tolerated Swagger 2.0 deviation at #/paths/~1items/post/parameters/0: parameter 'body' is a body parameter with a 'type' (ignored: its schema describes the body)`,
    ]);
    const get = buildRequest(record.definition, findOperation(record, 'ListItems'), { params: { filter: 'x' } });
    expect(get.query).toEqual([['filter', 'x']]);
    const post = buildRequest(record.definition, findOperation(record, 'CreateItem'), { params: {}, body: '{"name":"a"}' });
    expect(post.json).toEqual({ name: 'a' });
  });

  it('a folder whose only *.swagger.json has another name uses it, and says so', async () => {
    const { record, warnings } = await prepareImport(F('other-name'));
    expect(warnings).toContain(`${F('other-name')} has no apiDefinition.swagger.json; using CQC-Connector.swagger.json, its only *.swagger.json`);
    expect(record.title).toBe('Other Name');
    expect(record.apiProperties).toEqual({ properties: { publisher: 'connector tests' } });
    const home = tempHome('connector-lenient-');
    const r = await runCli(['import', F('other-name')], { home });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('using CQC-Connector.swagger.json');
  });

  it('two *.swagger.json and no apiDefinition.swagger.json: an error naming both', async () => {
    const r = await runCli(['import', F('two-swaggers')], { home: tempHome('connector-lenient-') });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `connector: ${F('two-swaggers')}: no apiDefinition.swagger.json in this folder, but 2 *.swagger.json files (a.swagger.json, b.swagger.json)\n` +
        'Import the one you mean by its path, or name it apiDefinition.swagger.json (or in settings.json: "apiDefinition").\n',
    );
  });

  it('still refused: a parameter in no location, and a file that is not Swagger at all', async () => {
    const specs = join(import.meta.dirname, '..', '..', 'fixtures', 'specs', 'bad');
    const home = tempHome('connector-lenient-');
    const bad = await runCli(['import', join(specs, 'invalid-spec.json')], { home });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(':8:43: invalid Swagger 2.0 at #/paths/~1pets/get/parameters/0/in: must be one of');
    const not = await runCli(['import', join(specs, 'not-a-spec.json')], { home });
    expect(not.code).toBe(1);
    expect(not.stderr).toMatch(/not a Swagger 2\.0 or OpenAPI 3\.x document/);
  });
});
