import { describe, expect, it } from 'vitest';
import { rules } from '../../src/validate/rules/triggers.js';
import { fixture, lint, messages, ruleIds } from './rules-helper2.js';

describe('trigger rules', () => {
  it('the passing fixture is clean: a webhook with an internal, required notification URL reached through $refs, and a polling trigger with a schema', async () => {
    expect(await lint(rules, fixture('triggers', 'pass'))).toEqual([]);
  });

  it('flags bad x-ms-trigger values, notification URLs not internal/required/in the body/a string, incomplete webhooks and missing output schemas', async () => {
    const files = fixture('triggers', 'fail');
    const found = await lint(rules, files);
    expect(found).toEqual([
      'triggers-notification-url-internal paths//hooks/post/parameters/0/schema/properties/callbackUrl',
      'triggers-notification-url-position paths//hooks2/post/parameters/0/x-ms-notification-url',
      'triggers-notification-url-position paths//hooks2/post/parameters/1/schema/properties/hook/type',
      'triggers-notification-url-required paths//hooks/post/parameters/0/schema/properties/callbackUrl',
      'triggers-output-schema paths//hooks/x-ms-notification-content',
      'triggers-output-schema paths//poll/get/responses',
      'triggers-value paths//hooks/post/x-ms-trigger',
      'triggers-webhook-complete paths//hooks2/post',
      'triggers-webhook-complete paths//hooks3/post/x-ms-trigger',
    ]);
    const m = await messages(rules, files);
    expect(m['triggers-value paths//hooks/post/x-ms-trigger'][0]).toContain("write 'single'");
    expect(m['triggers-notification-url-internal paths//hooks/post/parameters/0/schema/properties/callbackUrl'][0]).toContain('"x-ms-visibility": "internal"');
    expect(m['triggers-notification-url-required paths//hooks/post/parameters/0/schema/properties/callbackUrl'][0]).toContain('"required": true');
    expect(m['triggers-webhook-complete paths//hooks2/post'][0]).toContain('x-ms-notification-content');
    expect(ruleIds(found).sort()).toEqual(Object.keys(rules(files)).sort());
  });
});
