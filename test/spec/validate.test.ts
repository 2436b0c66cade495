import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateDefinition } from '../../src/spec/validate.js';
import { loadSource } from '../../src/spec/load.js';
import { failure } from '../helpers/cli.js';

const SPECS = join(import.meta.dirname, '..', '..', 'fixtures', 'specs');
const petstore = () => JSON.parse(readFileSync(join(SPECS, 'petstore.swagger.json'), 'utf8'));

describe('validateDefinition', () => {
  it('keeps a valid definition exactly as given (internal $refs and x-ms-* untouched)', async () => {
    const def = petstore();
    const v = await validateDefinition(def, { file: 'petstore.swagger.json' });
    expect(v.specFormat).toBe('swagger2');
    expect(v.definition).toEqual(petstore());
    expect(v.definition).not.toBe(def);
    expect(v.warnings).toEqual([]);
    expect(def).toEqual(petstore()); // the input is not mutated either
  });

  it('detects OpenAPI 3.0 and 3.1', async () => {
    for (const [f, fmt] of [
      ['petstore.openapi30.yaml', 'openapi3.0'],
      ['petstore.openapi31.json', 'openapi3.1'],
    ]) {
      const s = await loadSource(join(SPECS, f));
      expect((await validateDefinition(s.definition, { file: f, refBase: s.refBase })).specFormat).toBe(fmt);
    }
  });

  it('bundles external $refs into the stored definition, extensions included', async () => {
    const s = await loadSource(join(SPECS, 'external', 'main.yaml'));
    const v = await validateDefinition(s.definition, { file: s.definitionFile, refBase: s.refBase });
    const text = JSON.stringify(v.definition);
    expect(text).not.toContain('thing.yaml');
    expect(text).toContain('"x-ms-summary":"A thing"');
  });

  it('a definition fetched from a URL cannot pull a local file in through a $ref', async () => {
    const secret = join(SPECS, 'external', 'schemas', 'thing.yaml');
    const def = { ...petstore(), 'x-data': { $ref: `file://${secret}` } };
    expect(await failure(validateDefinition(def, { file: 'u', refBase: 'http://127.0.0.1:9/spec.json' }))).toBe(
      `u: external $ref 'file://${secret}' at #/x-data is not followed here`,
    );
  });

  it('a connector document (no refBase) follows no external $ref at all', async () => {
    const def = { ...petstore(), 'x-data': { $ref: join(SPECS, 'external', 'schemas', 'thing.yaml') } };
    expect(await failure(validateDefinition(def, { file: 'doc.yaml#/definition' }))).toMatch(
      /^doc\.yaml#\/definition: external \$ref '.*thing\.yaml' at #\/x-data is not followed here$/,
    );
  });

  it('a schema violation is one line with the JSON pointer', async () => {
    const def = JSON.parse(readFileSync(join(SPECS, 'bad', 'invalid-spec.json'), 'utf8'));
    expect(await failure(validateDefinition(def, { file: 'invalid-spec.json' }))).toBe(
      'invalid-spec.json: invalid Swagger 2.0 at #/paths/~1pets/get/parameters/0/in: must be one of "body", "header", "formData", "query", "path"',
    );
  });

  it('an unresolvable $ref names the ref and where it is', async () => {
    const def = JSON.parse(readFileSync(join(SPECS, 'bad', 'missing-ref.json'), 'utf8'));
    expect(await failure(validateDefinition(def, { file: 'missing-ref.json' }))).toBe(
      "missing-ref.json: cannot resolve $ref '#/definitions/Nope' at #/paths/~1pets/get/responses/200/schema ('definitions' does not exist)",
    );
  });

  it('a semantic error (duplicate operationId) fails with a pointer-style location', async () => {
    const def = petstore();
    def.paths['/pets'].post.operationId = 'listPets';
    expect(await failure(validateDefinition(def, { file: 'dup.json' }))).toBe("dup.json: invalid Swagger 2.0: Duplicate operation id 'listPets'");
    const def2 = petstore();
    def2.paths['/pets/{petId}'].parameters = [];
    expect(await failure(validateDefinition(def2, { file: 'p.json' }))).toMatch(
      /^p\.json: invalid Swagger 2\.0: #\/paths\/~1pets~1\{petId\}\/get is missing path parameter/,
    );
  });

  it('unsupported versions are refused', async () => {
    expect(await failure(validateDefinition({ swagger: '1.2', info: {}, paths: {} }, { file: 'old.json' }))).toMatch(/unsupported swagger version '1.2'/);
    expect(await failure(validateDefinition({ openapi: '4.0.0', info: {}, paths: {} }, { file: 'new.json' }))).toMatch(/unsupported openapi version '4.0.0'/);
  });

  describe('real-world quirks are tolerated with a warning', () => {
    it('an empty responses object', async () => {
      const def = petstore();
      def.paths['/pets/{petId}'].delete.responses = {};
      const v = await validateDefinition(def, { file: 'q.json' });
      expect(v.warnings).toEqual([expect.stringMatching(/^q\.json: tolerated Swagger 2\.0 quirk at #\/paths\/~1pets~1\{petId\}\/delete\/responses: /)]);
      expect(v.definition.paths).toHaveProperty(['/pets/{petId}', 'delete', 'responses'], {});
    });

    it('an empty required array and a required property that is not defined', async () => {
      const def = petstore();
      def.definitions.Empty = { type: 'object', required: [], properties: {} };
      def.definitions.Pet.required.push('ghost');
      const v = await validateDefinition(def, { file: 'q.json' });
      expect(v.warnings.join('\n')).toMatch(/quirk at #\/definitions\/Empty\/required/);
      expect(v.warnings.join('\n')).toMatch(/quirk: Property 'ghost' listed as required/);
    });

    it('but a quirk does not hide a real error elsewhere', async () => {
      const def = petstore();
      def.paths['/pets/{petId}'].delete.responses = {};
      def.paths['/pets'].get.parameters[0].in = 'nowhere';
      expect(await failure(validateDefinition(def, { file: 'q.json' }))).toMatch(/at #\/paths\/~1pets\/get\/parameters\/0\/in: must be one of/);
    });
  });
});

describe('validateDefinition: http $refs through the one HTTP client', () => {
  const serve = async (handler: import('node:http').RequestListener) => {
    const { createServer } = await import('node:http');
    const s = createServer(handler);
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    return {
      url: `http://127.0.0.1:${(s.address() as { port: number }).port}`,
      close: () => (s.closeAllConnections(), new Promise<void>((r) => s.close(() => r()))),
    };
  };
  const withRef = (ref: string) => ({ ...petstore(), 'x-data': { $ref: ref } });

  it('an HTTP error on a $ref keeps its words (the status), in one line', async () => {
    const { HttpClient } = await import('../../src/http/client.js');
    const api = await serve((_q, res) => res.writeHead(404, 'Not Found').end());
    const http = new HttpClient({ env: {} });
    try {
      const msg = await failure(
        validateDefinition(withRef(`${api.url}/gone.json`), { file: 'spec.json', refBase: `${api.url}/spec.json`, http, allowRemoteRefs: true }),
      );
      expect(msg).toBe(`spec.json: cannot resolve external $ref ${api.url}/gone.json: HTTP 404 Not Found`);
    } finally {
      await http.close();
      await api.close();
    }
  });

  it('Ctrl-C while a $ref is being fetched is a CancelError (exit 3), not a resolver error', async () => {
    const { HttpClient } = await import('../../src/http/client.js');
    const { CancelError } = await import('../../src/errors.js');
    let asked!: () => void;
    const requested = new Promise<void>((r) => (asked = r));
    const api = await serve(() => asked());
    const ac = new AbortController();
    const http = new HttpClient({ env: {}, signal: ac.signal });
    try {
      const p = validateDefinition(withRef(`${api.url}/slow.json`), { file: 'spec.json', refBase: `${api.url}/spec.json`, http, allowRemoteRefs: true });
      await requested;
      ac.abort();
      await expect(p).rejects.toBeInstanceOf(CancelError);
    } finally {
      await http.close();
      await api.close();
    }
  });
});
