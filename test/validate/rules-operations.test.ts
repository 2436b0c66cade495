import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Document, type ISpectralDiagnostic, Spectral } from '@stoplight/spectral-core';
import * as ParsersNs from '@stoplight/spectral-parsers';
import { parse as parseJsonc } from 'jsonc-parser';
import { describe, expect, it } from 'vitest';
import { rules } from '../../src/validate/rules/operations.js';
import type { ConnectorFiles, RulesetRule } from '../../src/validate/files.js';

// spectral-parsers is CommonJS with __esModule: Node's ESM interop puts its exports under default.
const Parsers: typeof ParsersNs = (ParsersNs as any).default ?? ParsersNs;
const DIR = join(import.meta.dirname, '../fixtures/validate/operations');

function files(path: string, propsPath?: string): ConnectorFiles {
  const read = (p: string) => {
    const text = readFileSync(p, 'utf8');
    return { path: p, text, doc: parseJsonc(text) };
  };
  return { swagger: read(path), apiProperties: propsPath ? read(propsPath) : undefined, format: 'swagger2' };
}

const pointer = (path: (string | number)[]) => (path.length === 0 ? '' : '/' + path.map((s) => String(s).replace(/~/g, '~0').replace(/\//g, '~1')).join('/'));

/** What the engine does: props-* rules over apiProperties.json, the others over the Swagger file. */
async function lint(f: ConnectorFiles, all: Record<string, RulesetRule>) {
  const run = async (props: boolean, file: { path: string; text: string }) => {
    const spectral = new Spectral();
    spectral.setRuleset({ rules: Object.fromEntries(Object.entries(all).filter(([id]) => id.startsWith('props-') === props)) });
    const out: ISpectralDiagnostic[] = await spectral.run(new Document(file.text, Parsers.Json, file.path));
    return out.map((d) => ({ rule: String(d.code), pointer: pointer(d.path), message: d.message, severity: d.severity }));
  };
  return [...(await run(false, f.swagger)), ...(f.apiProperties ? await run(true, f.apiProperties) : [])];
}

describe('operations rules', () => {
  it('the passing fixture (webhook notification URL, shared path parameter, internal defaults, an internal operation without summary) has no finding', async () => {
    expect(await lint(files(join(DIR, 'good.swagger.json')), rules(files(join(DIR, 'good.swagger.json'))))).toEqual([]);
  });

  it('the checklist passing fixture passes the operation rules too', async () => {
    const f = files(join(DIR, '../checklist/good.swagger.json'));
    expect(await lint(f, rules(f))).toEqual([]);
  });

  // [rule, pointer, message fragment, severity 0 error / 1 warning]: every rule fails on the bad fixture.
  const expected: [string, string, RegExp, number][] = [
    ['operation-id-present', '/paths/~1a/get', /no operationId/, 0],
    ['operation-id-unique', '/paths/~1a/put/operationId', /"getnote" is already used \(as "GetNote"\)/, 0],
    ['operation-id-no-spaces', '/paths/~1a/delete/operationId', /"Delete a" contains whitespace/, 0],
    ['operation-summary', '/paths/~1a/delete', /no summary/, 0],
    ['operation-description', '/paths/~1a/delete', /no description/, 0],
    ['operation-description-punctuation', '/paths/~1a/patch/description', /does not end in punctuation/, 1],
    ['operation-summary-period', '/paths/~1a/patch/summary', /ends with a period/, 1],
    ['operation-parameter-summary', '/paths/~1b~1{id}/get/parameters/0', /'id' has no x-ms-summary/, 0],
    ['operation-parameter-description', '/paths/~1a/post/parameters/2', /'page' has no description/, 0],
    ['operation-property-summary', '/paths/~1a/post/parameters/3/schema/properties/text', /'text' has no x-ms-summary/, 1],
    ['operation-visibility-values', '/paths/~1a/post/parameters/0/x-ms-visibility', /"hidden"/, 0],
    ['operation-internal-required-default', '/paths/~1a/post/parameters/1', /'secret' is internal and required but has no default/, 0],
    ['operation-internal-required-default', '/paths/~1a/post/parameters/3/schema/properties/kind', /'kind' is internal and required/, 0],
    ['operation-path-url-encoding', '/paths/~1b~1{id}/get/parameters/0', /'id' has no x-ms-url-encoding/, 1],
    ['operation-url-encoding-value', '/paths/~1b~1{id}/get/parameters/1/x-ms-url-encoding', /"triple"/, 0],
  ];

  it.each(expected)('%s fails the bad fixture at %s', async (rule, at, message, severity) => {
    const f = files(join(DIR, 'bad.swagger.json'));
    expect(await lint(f, rules(f))).toContainEqual({ rule, pointer: at, message: expect.stringMatching(message), severity });
  });

  it("an internal parameter needs no x-ms-summary (it is never shown), a body parameter no description: 'secret' and 'body' are exempt", async () => {
    const f = files(join(DIR, 'bad.swagger.json'));
    const found = await lint(f, rules(f));
    expect(found.filter((x) => x.rule === 'operation-parameter-summary').map((x) => x.pointer)).toEqual(['/paths/~1b~1{id}/get/parameters/0']);
    expect(found.filter((x) => x.rule === 'operation-parameter-description').map((x) => x.pointer)).toEqual([
      '/paths/~1a/post/parameters/2',
      '/paths/~1b~1{id}/get/parameters/0',
    ]);
  });

  it('each rule has a failing case above', () => {
    const covered = new Set(expected.map((e) => e[0]));
    expect(Object.keys(rules(files(join(DIR, 'good.swagger.json')))).filter((id) => !covered.has(id))).toEqual([]);
  });

  // The corpus run of every rule, this module's included, is test/validate/corpus.test.ts.
});
