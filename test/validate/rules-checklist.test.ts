import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Document, type ISpectralDiagnostic, Spectral } from '@stoplight/spectral-core';
import * as ParsersNs from '@stoplight/spectral-parsers';
import { describe, expect, it } from 'vitest';
import { rules } from '../../src/validate/rules/checklist.js';
import type { ConnectorFiles } from '../../src/validate/files.js';

// spectral-parsers is CommonJS with __esModule: Node's ESM interop puts its exports under default.
const Parsers: typeof ParsersNs = (ParsersNs as any).default ?? ParsersNs;
const DIR = join(import.meta.dirname, '../fixtures/validate/checklist');

function files(swaggerName: string, propsName?: string, swaggerText?: string): ConnectorFiles {
  const read = (name: string) => {
    const path = join(DIR, name);
    const text = readFileSync(path, 'utf8');
    return { path, text, doc: JSON.parse(text) };
  };
  const swagger = read(swaggerName);
  const text = swaggerText ?? swagger.text;
  return { swagger: { ...swagger, text, doc: JSON.parse(text) }, apiProperties: propsName ? read(propsName) : undefined, format: 'swagger2' };
}

/** What the engine does: props-* rules over apiProperties.json, the others over the Swagger file. */
async function lint(f: ConnectorFiles): Promise<{ rule: string; file: 'swagger' | 'props'; pointer: string; message: string; severity: number }[]> {
  const all = rules(f);
  const pick = (props: boolean) => Object.fromEntries(Object.entries(all).filter(([id]) => id.startsWith('props-') === props));
  const run = async (props: boolean, file: { path: string; text: string }) => {
    const spectral = new Spectral();
    spectral.setRuleset({ rules: pick(props) });
    const out: ISpectralDiagnostic[] = await spectral.run(new Document(file.text, Parsers.Json, file.path));
    return out.map((d) => ({
      rule: String(d.code),
      file: (props ? 'props' : 'swagger') as 'swagger' | 'props',
      pointer: d.path.length === 0 ? '' : '/' + d.path.map((s) => String(s).replace(/~/g, '~0').replace(/\//g, '~1')).join('/'),
      message: d.message,
      severity: d.severity,
    }));
  };
  return [...(await run(false, f.swagger)), ...(f.apiProperties ? await run(true, f.apiProperties) : [])];
}

const ids = Object.keys(rules(files('good.swagger.json')));

describe('checklist rules', () => {
  it('the passing fixture has no finding of any checklist rule', async () => {
    expect(await lint(files('good.swagger.json', 'good.apiProperties.json'))).toEqual([]);
  });

  it('every rule id is section-prefixed and cites its source', () => {
    const all = rules(files('good.swagger.json'));
    for (const [id, r] of Object.entries(all)) {
      expect(id).toMatch(/^(checklist|props)-/);
      expect(r.description).toMatch(/checklist|validator|platform/i);
      expect(['error', 'warn']).toContain(r.severity);
    }
  });

  // [rule, file, pointer, message fragment]: every rule fails on a fixture of its own.
  const expected: [string, 'swagger' | 'props', string, RegExp][] = [
    ['checklist-title-length', 'swagger', '/info/title', /34 characters: shorten it to 30/],
    ['checklist-title-words', 'swagger', '/info/title', /restricted word "API"/],
    ['checklist-title-ending', 'swagger', '/info/title', /end it with a letter or a digit/],
    ['checklist-description-length', 'swagger', '/info/description', /21 characters: lengthen it to at least 30/],
    ['checklist-description-words', 'swagger', '/info/description', /"Power Apps"/],
    ['checklist-summary-length', 'swagger', '/paths/~1notes/get/summary', /87 characters/],
    ['checklist-summary-length', 'swagger', '/paths/~1notes/get/parameters/0/x-ms-summary', /86 characters/],
    ['checklist-summary-characters', 'swagger', '/paths/~1notes/post/summary', /restricted characters/],
    ['checklist-response-schema', 'swagger', '/paths/~1notes/get/responses/200', /The 200 response has no schema/],
    ['checklist-response-schema-exact', 'swagger', '/paths/~1notes/post/responses/200/schema', /empty object/],
    ['checklist-default-response-schema', 'swagger', '/paths/~1notes/get/responses/default/schema', /'default' response has a schema/],
    ['checklist-host-not-local', 'swagger', '/host', /"localhost:8080" is a loopback address/],
    ['checklist-https-only', 'swagger', '/schemes/0', /"http" is not allowed/],
    ['checklist-contact', 'swagger', '/info', /no 'contact'/],
    ['checklist-connector-metadata', 'swagger', '', /No 'x-ms-connector-metadata'/],
    ['props-brand-color', 'props', '/properties/iconBrandColor', /#007EE5 is not accepted/],
    ['props-publisher', 'props', '/properties', /no 'stackOwner'/],
  ];

  it.each(expected)('%s fails the bad fixture at %s %s', async (rule, file, pointer, message) => {
    const found = await lint(files('bad.swagger.json', 'bad.apiProperties.json'));
    expect(found).toContainEqual(expect.objectContaining({ rule, file, pointer, message: expect.stringMatching(message) }));
  });

  it('contact fields, metadata entries and categories fail the metadata fixture; the Independent Publisher suffix is not counted', async () => {
    const found = await lint(files('bad-metadata.swagger.json'));
    const mine = found.map((f) => [f.rule, f.pointer, f.message]);
    expect(mine).toContainEqual(['checklist-contact-fields', '/info/contact', expect.stringContaining("no 'url'")]);
    expect(mine).toContainEqual(['checklist-contact-fields', '/info/contact', expect.stringContaining("no 'email'")]);
    expect(mine).toContainEqual(['checklist-connector-metadata', '/x-ms-connector-metadata', expect.stringContaining("no 'Privacy policy' entry")]);
    expect(mine).toContainEqual([
      'checklist-categories',
      '/x-ms-connector-metadata/1/propertyValue',
      expect.stringContaining('"Gaming" is not a connector category'),
    ]);
    expect(mine).toContainEqual(['checklist-categories', '/x-ms-connector-metadata/1/propertyValue', expect.stringContaining('3 categories')]);
    expect(found.filter((f) => f.rule.startsWith('checklist-title'))).toEqual([]);
  });

  it('checklist-swagger-size fails a definition over 1 MB and passes the small one', async () => {
    const good = readFileSync(join(DIR, 'good.swagger.json'), 'utf8');
    const big = good.trimEnd().slice(0, -1) + ' '.repeat(1024 * 1024) + '}';
    const found = await lint(files('good.swagger.json', undefined, big));
    expect(found).toEqual([
      expect.objectContaining({ rule: 'checklist-swagger-size', pointer: '', message: expect.stringMatching(/1\.00 MB: keep it under 1 MB/) }),
    ]);
  });

  it('a missing brand colour and a missing title or description are findings too', async () => {
    const f = files('good.swagger.json', 'good.apiProperties.json');
    const swaggerText = JSON.stringify({ ...f.swagger.doc, info: { version: '1' } });
    const propsText = JSON.stringify({ properties: { publisher: 'Contoso', stackOwner: 'Contoso' } });
    const found = await lint({
      ...f,
      swagger: { ...f.swagger, text: swaggerText, doc: JSON.parse(swaggerText) },
      apiProperties: { path: 'p.json', text: propsText, doc: JSON.parse(propsText) },
    });
    const mine = found.map((x) => [x.rule, x.pointer]);
    expect(mine).toContainEqual(['checklist-title-length', '/info']);
    expect(mine).toContainEqual(['checklist-description-length', '/info']);
    expect(mine).toContainEqual(['props-brand-color', '/properties']);
  });

  it('an OpenAPI 3 document is not told its responses lack a (Swagger 2.0) schema', async () => {
    const text = JSON.stringify({
      openapi: '3.0.3',
      info: { title: 'Contoso Notes', version: '1' },
      paths: { '/n': { get: { responses: { '200': { description: 'OK', content: { 'application/json': { schema: { type: 'string' } } } } } } } },
    });
    const f: ConnectorFiles = { swagger: { path: 'o.json', text, doc: JSON.parse(text) }, format: 'openapi3.0' };
    expect((await lint(f)).filter((x) => x.rule === 'checklist-response-schema')).toEqual([]);
  });

  it('each rule has a failing case above', () => {
    const covered = new Set([...expected.map((e) => e[0]), 'checklist-contact-fields', 'checklist-categories', 'checklist-swagger-size']);
    expect(ids.filter((id) => !covered.has(id))).toEqual([]);
  });
});
