import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { markSecret } from '../../src/auth/plugin.js';
import { makeRedactor } from '../../src/http/call.js';
import { Redactor } from '../../src/http/redact.js';
import type { PreparedRequest } from '../../src/http/types.js';
import { runCli, tempHome } from '../helpers/cli.js';

// Issue 15, findings 5 and 6 (the redactor's part); the end-to-end scan is leak.test.ts.
const long = process.env.CONNECTOR_HARDENING === 'long';

describe('the redactor', () => {
  it('masks a secret marked after it was made (an OAuth token renewed after a 401)', () => {
    const req: PreparedRequest = {
      operationId: 'X',
      method: 'GET',
      base: 'http://h',
      path: '/x',
      pathValues: {},
      query: [],
      headers: {},
      secretHeaders: new Set(),
      secretQuery: new Set(),
      secretValues: new Set(),
      carriesCredentials: false,
    };
    markSecret(req, { header: 'authorization' }, 'first-token-1111');
    const redactor = makeRedactor(req);
    expect(redactor.text('echo first-token-1111')).toBe('echo ***');
    markSecret(req, { header: 'authorization' }, 'renewed-token-2222');
    expect(redactor.text('echo renewed-token-2222')).toBe('echo ***');
    redactor.add('rotated-refresh-3333');
    expect(redactor.responseHeaders({ 'x-echo': 'rotated-refresh-3333' })).toEqual({ 'x-echo': ['***'] });
  });

  it('masks the encoded forms of a secret: percent, form, JSON-escaped and base64', () => {
    const s = 'pa ss/"wörd"+1';
    const r = new Redactor([s]);
    for (const form of [
      s,
      encodeURIComponent(s),
      encodeURIComponent(s).replace(/%20/g, '+'),
      JSON.stringify(s).slice(1, -1),
      Buffer.from(s).toString('base64'),
    ])
      expect(r.mask(`<${form}>`)).toBe('<***>');
  });

  it('response headers: cookies and credential-named headers masked, a redirect has its key masked, --show-secrets shows them', () => {
    const r = new Redactor(['the-api-key-77'], new Set(), new Set(['code']));
    const h = {
      'set-cookie': ['sid=abc; HttpOnly', 'b=c'],
      'x-auth-token': 'tok',
      'x-session-id': 'sess',
      'www-authenticate': 'Bearer realm="x"',
      location: '/next?code=12&api_key=the-api-key-77&x=1',
      'x-plain': 'the-api-key-77 ok',
      'content-type': 'application/json',
      // CORS headers name headers and flags, never a credential (a newcomer saw *** on every response).
      'access-control-allow-credentials': 'true',
      'access-control-expose-headers': 'X-Auth-Token, the-api-key-77',
    };
    expect(r.responseHeaders(h)).toEqual({
      'set-cookie': ['***', '***'],
      'x-auth-token': ['***'],
      'x-session-id': ['***'],
      'www-authenticate': ['Bearer realm="x"'],
      location: ['/next?code=***&api_key=***&x=1'],
      'x-plain': ['*** ok'],
      'content-type': ['application/json'],
      'access-control-allow-credentials': ['true'],
      'access-control-expose-headers': ['X-Auth-Token, ***'],
    });
    expect(r.responseHeaders(h, true)['set-cookie']).toEqual(['sid=abc; HttpOnly', 'b=c']);
  });

  it("never throws, whatever it is given (a lone '%', lone surrogates, controls) — fast-check", () => {
    expect(new Redactor(['k'], new Set(), new Set(['x%'])).url('http://h/api?x%=1')).toBe('http://h/api?x%=***');
    const r = new Redactor(['secret-1', '%E0%A4%A', '\ud800'], new Set(['x-key']), new Set(['a%', 'key']));
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (a, b) => {
        r.url(`http://h/${a}?${b}`);
        r.url(a);
        r.text(a);
        r.headerValue(a, b);
        r.responseHeaders({ [a]: b, location: `${a}?${b}` });
        r.json({ [a]: [b, { b: a }] });
      }),
      { seed: 6, numRuns: long ? 50_000 : 500 },
    );
  });
});

describe("a '%' that is not an escape in --base-url or a basePath", () => {
  it('run --dry-run and --verbose print the request instead of "unexpected error"', async () => {
    const home = tempHome();
    const dir = join(home, 'src');
    mkdirSync(dir);
    const spec = {
      swagger: '2.0',
      info: { title: 'pct', version: '1' },
      host: '127.0.0.1:9',
      basePath: '/api?y%=2',
      schemes: ['http'],
      securityDefinitions: { api_key: { type: 'apiKey', in: 'query', name: 'key' } },
      security: [{ api_key: [] }],
      paths: { '/x': { get: { operationId: 'X', responses: { 200: { description: 'ok' } } } } },
    };
    writeFileSync(join(dir, 'apiDefinition.swagger.json'), JSON.stringify(spec));
    expect((await runCli(['import', dir, '--name', 'pct'], { home })).code).toBe(0);
    const env = { CONNECTOR_PCT__DEFAULT__API_KEY: 'pct-key-4321' };
    for (const args of [
      ['run', 'pct', 'X', '--dry-run', '--base-url', 'http://h/api?x%=1'],
      ['run', 'pct', 'X', '--dry-run'],
      ['--json', 'run', 'pct', 'X', '--dry-run'],
    ]) {
      const r = await runCli(args, { home, env });
      expect(r.stderr).not.toContain('bug');
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('key=***');
      expect(r.stdout).not.toContain('pct-key-4321');
    }
  });
});
