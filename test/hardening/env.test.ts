import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { envOverlay, envVarName, legacyEnvVarName } from '../../src/secrets/env.js';

// Issue 15, finding 8: CONNECTOR_<K>_<C>_<P> gave two connections of two connectors one name.
const NAME = fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,12}$/).filter((s) => !s.includes('..'));
const PARAM = fc.stringMatching(/^[A-Za-z0-9_:. -]{1,10}$/);
const long = process.env.CONNECTOR_HARDENING === 'long';

describe('environment variable names', () => {
  it('leak/hdr-ci and leak-hdr/ci no longer share a variable', () => {
    expect(envVarName('leak', 'hdr-ci', 'api_key')).not.toBe(envVarName('leak-hdr', 'ci', 'api_key'));
    const env = { CONNECTOR_LEAK_HDR_CI_API_KEY: 'k' };
    expect(envOverlay(env, 'leak', 'hdr-ci', 'api_key')).toBeUndefined();
    expect(envOverlay(env, 'leak-hdr', 'ci', 'api_key')).toBeUndefined();
    expect(envOverlay({ [envVarName('leak-hdr', 'ci', 'api_key')]: 'k' }, 'leak', 'hdr-ci', 'api_key')).toBeUndefined();
  });

  it('names read well for the common case, and every other name gets a form of its own', () => {
    expect(envVarName('sample-notes', 'default', 'api_key')).toBe('CONNECTOR_SAMPLE_NOTES__DEFAULT__API_KEY');
    expect(envVarName('open-data.network', 'my-conn', 'token:TenantId')).toBe(
      `CONNECTOR__${Buffer.from('open-data.network').toString('hex').toUpperCase()}__MY_CONN__TOKEN_TENANTID`,
    );
    expect(envVarName('a.b', 'c', 'p')).not.toBe(envVarName('a-b', 'c', 'p'));
    expect(envVarName('a_b', 'c', 'p')).not.toBe(envVarName('a-b', 'c', 'p'));
    expect(envVarName('a--b', 'c', 'p')).not.toBe(envVarName('a-b', 'c', 'p'));
    expect(envVarName('a-', 'b', 'p')).not.toBe(envVarName('a', '-b', 'p'));
  });

  it('is injective in (connector, connection) over every valid name (fast-check)', () => {
    fc.assert(
      fc.property(NAME, NAME, NAME, NAME, PARAM, (k1, c1, k2, c2, p) => {
        if (k1 === k2 && c1 === c2) return;
        expect(envVarName(k1, c1, p)).not.toBe(envVarName(k2, c2, p));
        const l1 = legacyEnvVarName(k1, c1, p);
        // An old-style name is read only when no other connection can have it, in either form.
        if (l1) expect([envVarName(k2, c2, p), legacyEnvVarName(k2, c2, p)]).not.toContain(l1);
      }),
      { seed: 15, numRuns: long ? 100_000 : 3_000 },
    );
  });

  it('the old form is still read for letters-and-digits names, and the new one wins', () => {
    expect(envOverlay({ CONNECTOR_KEYCO_PROD_API_KEY: 'old' }, 'keyco', 'prod', 'api_key')).toEqual({ name: 'CONNECTOR_KEYCO_PROD_API_KEY', value: 'old' });
    expect(envOverlay({ CONNECTOR_KEYCO_PROD_API_KEY: 'old', CONNECTOR_KEYCO__PROD__API_KEY: 'new' }, 'keyco', 'prod', 'api_key')).toEqual({
      name: 'CONNECTOR_KEYCO__PROD__API_KEY',
      value: 'new',
    });
    expect(legacyEnvVarName('sample-notes', 'default', 'api_key')).toBeUndefined();
    expect(legacyEnvVarName('k', 'c', 'a__b')).toBeUndefined();
    expect(envOverlay({ CONNECTOR_KEYCO_PROD_API_KEY: '' }, 'keyco', 'prod', 'api_key')).toBeUndefined();
  });
});
