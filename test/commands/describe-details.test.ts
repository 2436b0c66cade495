import { describe, it, expect, beforeAll } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempHome } from '../helpers/cli.js';

// Small things a newcomer met: describe offering -f for a multipart body (run refuses -f there),
// describe reading convertobjecttoarray's "null" sub path as a property, and --base-url ftp://.
let home: string;
beforeAll(async () => {
  home = tempHome('connector-describe-details-');
  const dir = join(home, 'src', 'files');
  mkdirSync(dir, { recursive: true });
  const spec = {
    swagger: '2.0',
    info: { title: 'Files', version: '1' },
    host: 'files.example.com',
    paths: {
      '/upload': {
        post: {
          operationId: 'Upload',
          consumes: ['application/octet-stream'],
          parameters: [{ name: 'file', in: 'body', required: true, schema: { type: 'string', format: 'binary' } }],
          responses: { 200: { description: 'ok' } },
        },
      },
      '/notes': {
        post: {
          operationId: 'AddNote',
          parameters: [{ name: 'body', in: 'body', schema: { type: 'object', properties: { text: { type: 'string' } } } }],
          responses: { 200: { description: 'ok' } },
        },
      },
      '/zones': { get: { operationId: 'Zones', responses: { 200: { description: 'ok' } } } },
    },
  };
  const props = {
    properties: {
      connectionParameters: {},
      policyTemplateInstances: [
        {
          templateId: 'convertobjecttoarray',
          title: 'zones',
          parameters: {
            'x-ms-apimTemplateParameter.propertyParentPath': '@body()',
            'x-ms-apimTemplateParameter.propertySubPath': 'null',
            'x-ms-apimTemplateParameter.newPropertyParentPath': '@body()',
            'x-ms-apimTemplateParameter.newPropertySubPath': 'zones',
            'x-ms-apimTemplate-policySection': 'Response',
            'x-ms-apimTemplate-operationName': ['Zones'],
          },
        },
      ],
    },
  };
  writeFileSync(join(dir, 'apiDefinition.swagger.json'), JSON.stringify(spec));
  writeFileSync(join(dir, 'apiProperties.json'), JSON.stringify(props));
  expect((await runCli(['import', dir, '--name', 'files'], { home })).code).toBe(0);
});

describe('describe and run details', () => {
  it('-f is offered for a JSON body only', async () => {
    const up = await runCli(['operations', 'files', 'Upload'], { home });
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).not.toContain('-f name=value');
    const note = await runCli(['operations', 'files', 'AddNote'], { home });
    expect(note.stdout).toMatch(/-f text=|Body fields can also be flags/);
  });

  it('a "null" sub path is the parent itself, as run reads it', async () => {
    const r = await runCli(['operations', 'files', 'Zones'], { home });
    expect(r.stdout).toContain('turns the object @body() into an array');
    expect(r.stdout).not.toContain('@body().null');
  });

  it('--base-url must be http or https: exit 2, one line', async () => {
    const r = await runCli(['run', 'files', 'Zones', '--base-url', 'ftp://127.0.0.1:21', '--dry-run'], { home });
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe("connector: --base-url 'ftp://127.0.0.1:21' is not an http or https URL");
  });
});
