import { describe, expect, it } from 'vitest';
import { rules } from '../../src/validate/rules/security.js';
import { fixture, lint, messages, ruleIds } from './rules-helper2.js';

describe('security rules', () => {
  it('the passing fixture is clean: oauth2 ↔ oauthSetting, apiKey ↔ securestring named as the definition, basic ↔ username/password, a Windows gateway', async () => {
    expect(await lint(rules, fixture('security', 'pass'))).toEqual([]);
  });

  it('flags missing or misnamed connection parameters, an unknown identity provider and an incomplete Windows gateway', async () => {
    const files = fixture('security', 'fail');
    const found = await lint(rules, files);
    expect(found).toEqual([
      'props-security-gateway properties/connectionParameters/authType',
      'props-security-gateway properties/connectionParameters/authType',
      'props-security-identity-provider properties/connectionParameters/token/oAuthSettings/identityProvider',
      'security-apikey-parameter-name securityDefinitions/key',
      'security-connection-parameters securityDefinitions/basicAuth',
    ]);
    const m = await messages(rules, files);
    expect(m['props-security-identity-provider properties/connectionParameters/token/oAuthSettings/identityProvider'][0]).toContain("did you mean 'aad'?");
    expect(m['security-connection-parameters securityDefinitions/basicAuth'][0]).toMatch(/password \(securestring\)/);
    expect(m['security-apikey-parameter-name securityDefinitions/key'][0]).toMatch(/api_key/);
    expect(m['props-security-gateway properties/connectionParameters/authType'].join(' ')).toMatch(/gatewaySetting/);
    expect(m['props-security-gateway properties/connectionParameters/authType'].join(' ')).toMatch(/password must be securestring/);
    expect(ruleIds(found).sort()).toEqual(Object.keys(rules(files)).sort());
  });

  it('an oauth2 definition with no oauthSetting parameter, and a gateway with no authType', async () => {
    expect(await lint(rules, fixture('security', 'noauth'))).toEqual([
      'props-security-gateway properties/connectionParameters/gw',
      'security-connection-parameters securityDefinitions/oauth',
    ]);
  });

  it('a swagger alone (no apiProperties) is not checked against connection parameters', async () => {
    const { swagger, format } = fixture('security', 'fail');
    expect(await lint(rules, { swagger, format })).toEqual([]);
  });
});
