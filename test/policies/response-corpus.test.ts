import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConnectorRecord, PolicyTemplateInstance } from '../../src/model.js';
import { policyInstances } from '../../src/policies/index.js';
import { handlesResponse, isResponseSide, responseLimitations } from '../../src/policies/response.js';
import { rootedPath } from '../../src/policies/body/paths.js';
import { CORPUS_DIR } from '../helpers/cli.js';

const t = (templateId: string, parameters: Record<string, unknown> = {}): PolicyTemplateInstance => ({ templateId, parameters });
const response = { 'x-ms-apimTemplate-policySection': 'Response' };

describe('which instances the response pipeline applies', () => {
  it('by id in any case and by section; request-side ones are not its business', () => {
    expect(handlesResponse(t('StringReplace', response))).toBe(true);
    expect(handlesResponse(t('stringreplace', { 'x-ms-apimTemplate-policySection': 'Request' }))).toBe(false);
    expect(handlesResponse(t('SetHeader'))).toBe(false); // no section: Request
    expect(handlesResponse(t('UpdateNextLink'))).toBe(true); // about the answer, whatever the section
    expect(handlesResponse(t('setConnectionStatusToUnauthenticated'))).toBe(true);
    expect(handlesResponse(t('constructor', response))).toBe(false);
    expect(responseLimitations(t('setproperty', response))).toBeUndefined();
    expect(responseLimitations(t('setheader'))).toBeUndefined();
  });

  it('names what it cannot reproduce', () => {
    expect(responseLimitations(t('updatenextlink'))).toMatch(/gateway/);
    expect(responseLimitations(t('SetConnectionStatusToUnauthenticated'))).toMatch(/exits 4/);
    const odd = t('setqueryparameter', response);
    expect([isResponseSide(odd), handlesResponse(odd)]).toEqual([true, false]);
    expect(responseLimitations(odd)).toMatch(/^not applied to responses locally: setqueryparameter/);
  });
});

const hasCorpus = existsSync(CORPUS_DIR);
if (!hasCorpus) console.warn(`corpus not found at ${CORPUS_DIR}: skipping the response-side policy count`);

/** Each response-side instance of the published connectors: applied as the platform does, or named (show / --verbose say why). */
describe.skipIf(!hasCorpus)('the corpus response-side instances', () => {
  it('every one is applied or named, and its body paths parse', () => {
    const counts: Record<string, { applied: number; named: number }> = {};
    const unparsed: string[] = [];
    for (const dir of readdirSync(CORPUS_DIR)) {
      const file = join(CORPUS_DIR, dir, 'apiProperties.json');
      if (!existsSync(file)) continue;
      let apiProperties: unknown;
      try {
        apiProperties = JSON.parse(readFileSync(file, 'utf8').replace(/^\uFEFF/, ''));
      } catch {
        continue; // a folder whose JSON is broken: import's business
      }
      for (const inst of policyInstances({ apiProperties } as ConnectorRecord)) {
        if (!isResponseSide(inst)) continue;
        const c = (counts[inst.templateId.toLowerCase()] ??= { applied: 0, named: 0 });
        expect(handlesResponse(inst) || responseLimitations(inst) !== undefined, `${dir}: ${inst.templateId}`).toBe(true);
        if (responseLimitations(inst)) c.named++;
        else c.applied++;
        for (const [k, v] of Object.entries(inst.parameters))
          if (/Path(Template)?$/.test(k) && /ParentPath|newPropertyPath/.test(k) && typeof v === 'string' && !rootedPath(v)) unparsed.push(`${dir}: ${k}=${v}`);
      }
    }
    console.info(`response-side policy instances in ${CORPUS_DIR}: ${JSON.stringify(counts)}`);
    expect(unparsed).toEqual([]);
    expect(Object.keys(counts).length).toBeGreaterThan(0);
  });
});
