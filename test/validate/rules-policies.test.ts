import { describe, expect, it } from 'vitest';
import { POLICY_TEMPLATES, rules } from '../../src/validate/rules/policies.js';
import { fixture, lint, messages, ruleIds } from './rules-helper2.js';

describe('policy template rules (props-, on apiProperties.json)', () => {
  it('knows the sixteen templates', () => {
    expect(Object.keys(POLICY_TEMPLATES)).toHaveLength(16);
  });

  it('the passing fixture is clean: ids in any case, complete parameters, existing connection parameters and operations', async () => {
    expect(await lint(rules, fixture('policies', 'pass'))).toEqual([]);
  });

  it('flags an unknown template id, a missing parameter, an unknown connection parameter and operation', async () => {
    const files = fixture('policies', 'fail');
    const found = await lint(rules, files);
    expect(found).toEqual([
      'props-policy-connection-parameter properties/policyTemplateInstances/2/parameters/x-ms-apimTemplateParameter.value',
      'props-policy-operation properties/policyTemplateInstances/3/parameters/x-ms-apimTemplate-operationName/1',
      'props-policy-parameters properties/policyTemplateInstances/1/parameters',
      'props-policy-template-id properties/policyTemplateInstances/0/templateId',
    ]);
    const m = await messages(rules, files);
    expect(m['props-policy-template-id properties/policyTemplateInstances/0/templateId'][0]).toContain("did you mean 'setheader'?");
    expect(m['props-policy-parameters properties/policyTemplateInstances/1/parameters'][0]).toContain("'x-ms-apimTemplateParameter.newPath'");
    expect(m['props-policy-connection-parameter properties/policyTemplateInstances/2/parameters/x-ms-apimTemplateParameter.value'][0]).toContain(
      "did you mean 'host'?",
    );
    expect(m['props-policy-operation properties/policyTemplateInstances/3/parameters/x-ms-apimTemplate-operationName/1'][0]).toContain(
      "did you mean 'GetThing'?",
    );
    expect(ruleIds(found).sort()).toEqual(Object.keys(rules(files)).sort());
  });
});
