import { describe, expect, it } from 'vitest';
import { rules } from '../../src/validate/rules/extensions.js';
import { fixture, lint, messages, ruleIds } from './rules-helper2.js';

describe('extensions rules', () => {
  it('the passing fixture is clean: known extensions, x-ms- names of properties/headers and x-ms- keys inside data are not extensions', async () => {
    expect(await lint(rules, fixture('extensions', 'pass'))).toEqual([]);
  });

  it('flags misspelled extensions with did-you-mean, and unknown ones as a warning', async () => {
    const files = fixture('extensions', 'fail');
    expect(await lint(rules, files)).toEqual([
      'extensions-misspelled definitions/Thing/properties/name/x-ms-summmary',
      'extensions-misspelled paths//things/{id}/get/parameters/0/x-ms-Summary',
      'extensions-misspelled paths//things/{id}/get/parameters/0/x-ms-visibilty',
      'extensions-misspelled paths//things/{id}/get/parameters/1/x-ms-dynamic-value',
      'extensions-unknown paths//things/{id}/get/x-ms-frobnicate-widgets',
    ]);
    const m = await messages(rules, files);
    expect(m['extensions-misspelled paths//things/{id}/get/parameters/0/x-ms-visibilty'][0]).toContain("did you mean 'x-ms-visibility'?");
    expect(m['extensions-misspelled definitions/Thing/properties/name/x-ms-summmary'][0]).toContain("'x-ms-summary'");
    expect(m['extensions-misspelled paths//things/{id}/get/parameters/1/x-ms-dynamic-value'][0]).toContain("'x-ms-dynamic-values'");
    expect(m['extensions-unknown paths//things/{id}/get/x-ms-frobnicate-widgets'][0]).toMatch(/Remove it/);
    expect(ruleIds(await lint(rules, files)).sort()).toEqual(Object.keys(rules(files)).sort());
  });

  it('severities: a misspelling is an error, an unknown extension a warning', () => {
    const r = rules(fixture('extensions', 'pass'));
    expect(r['extensions-misspelled'].severity).toBe('error');
    expect(r['extensions-unknown'].severity).toBe('warn');
  });
});
