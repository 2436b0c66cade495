import { describe, expect, it } from 'vitest';
import { rules } from '../../src/validate/rules/dynamic.js';
import { fixture, lint, messages, ruleIds } from './rules-helper2.js';

describe('dynamic rules', () => {
  it('the passing fixture is clean: values/list/schema/tree calls, body property references, file picker, @odata.nextLink', async () => {
    expect(await lint(rules, fixture('dynamic', 'pass'))).toEqual([]);
  });

  it('flags a missing operation, parameters the target or the caller lacks, and an unsupported nextLinkName', async () => {
    const files = fixture('dynamic', 'fail');
    const found = await lint(rules, files);
    expect(found).toEqual([
      'dynamic-operation paths//things/{id}/post/parameters/0/x-ms-dynamic-values/operationId',
      'dynamic-pageable-next-link paths//things/get/x-ms-pageable/nextLinkName',
      'dynamic-source-parameter paths//things/{id}/post/parameters/1/x-ms-dynamic-values/parameters/kind/parameter',
      'dynamic-target-parameter paths//things/{id}/post/parameters/1/x-ms-dynamic-values/parameters/knd',
    ]);
    const m = await messages(rules, files);
    expect(m['dynamic-operation paths//things/{id}/post/parameters/0/x-ms-dynamic-values/operationId'][0]).toContain("did you mean 'ListThings'?");
    expect(m['dynamic-target-parameter paths//things/{id}/post/parameters/1/x-ms-dynamic-values/parameters/knd'][0]).toContain("did you mean 'kind'?");
    expect(m['dynamic-source-parameter paths//things/{id}/post/parameters/1/x-ms-dynamic-values/parameters/kind/parameter'][0]).toContain(
      "did you mean 'category'?",
    );
    expect(m['dynamic-pageable-next-link paths//things/get/x-ms-pageable/nextLinkName'][0]).toContain("use 'nextLink'");
    expect(ruleIds(found).sort()).toEqual(Object.keys(rules(files)).sort());
    expect(rules(files)['dynamic-pageable-next-link'].severity).toBe('warn');
  });
});
