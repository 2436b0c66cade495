import { describe, it, expect } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MemoryStore } from '../../src/secrets/store.js';
import { satisfies } from '../../src/doctor/environment.js';
import { lockOwner } from '../../src/doctor/files.js';
import { packagePath } from '../../src/util/package-root.js';
import { doctorJson, homeWith } from './helpers.js';

const overrides = { secrets: async () => new MemoryStore() };
const CERT = packagePath('fixtures', 'oauth', 'client-cert.pem');

describe('doctor: proxy and CA settings', () => {
  it('shows the proxy in effect as host:port only, and NO_PROXY', async () => {
    const home = await homeWith([]);
    const { code, check } = await doctorJson(home, [], {
      overrides,
      env: { HTTPS_PROXY: 'http://bob:hunter2-pw@proxy.corp.invalid:3128', NO_PROXY: '.corp.invalid,localhost' },
    });
    expect(code).toBe(0);
    expect(check('proxy')[0]).toMatchObject({ status: 'ok', message: 'HTTPS_PROXY → proxy.corp.invalid:3128, NO_PROXY=.corp.invalid,localhost' });
  });

  it('a proxy connector cannot use fails, naming the variable (what every request would refuse)', async () => {
    const home = await homeWith([]);
    const { code, check } = await doctorJson(home, [], { overrides, env: { HTTP_PROXY: 'socks5://proxy.invalid:1080' } });
    expect(code).toBe(1);
    expect(check('proxy')[0]).toMatchObject({ status: 'fail', message: expect.stringContaining('HTTP_PROXY') });
  });

  it('NODE_EXTRA_CA_CERTS: a missing file, a file with no PEM, a PEM block that does not parse fail; a good one is ok', async () => {
    const home = await homeWith([]);
    const junk = join(home, 'junk.pem');
    writeFileSync(junk, 'not a certificate\n');
    const broken = join(home, 'broken.pem');
    writeFileSync(broken, '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
    const cases: [string, string, RegExp][] = [
      [join(home, 'nope.pem'), 'fail', /does not exist/],
      [home, 'fail', /is not a file/],
      [junk, 'fail', /holds no PEM certificate/],
      [broken, 'fail', /certificate 1 of 1 does not parse/],
      [CERT, 'ok', /: 1 certificate$/],
    ];
    for (const [path, status, message] of cases) {
      const { code, check } = await doctorJson(home, [], { overrides, env: { NODE_EXTRA_CA_CERTS: path } });
      expect(check('ca-certs')[0], path).toMatchObject({ status, message: expect.stringMatching(message) });
      expect(code).toBe(status === 'fail' ? 1 : 0);
    }
  });
});

describe('doctor: Node version and lock owners', () => {
  it('satisfies() reads the >= ranges of engines.node', () => {
    expect(satisfies('20.20.0', '>=20.19')).toBe(true);
    expect(satisfies('20.19.0', '>=20.19')).toBe(true);
    expect(satisfies('20.18.9', '>=20.19')).toBe(false);
    expect(satisfies('v22.1.0', '>=20.19')).toBe(true);
    expect(satisfies('18.20.4', '>= 20')).toBe(false);
    expect(satisfies('20.0.0', '^20')).toBeUndefined();
  });

  it('lockOwner accepts a bare pid and JSON with a pid beside a token; anything else has no owner', () => {
    expect(lockOwner('1234\n')).toBe(1234);
    expect(lockOwner('{"pid":1234,"token":"9f8e"}')).toBe(1234);
    expect(lockOwner('')).toBeUndefined();
    expect(lockOwner('{"pid":')).toBeUndefined();
    expect(lockOwner('{"pid":"1234"}')).toBeUndefined();
    expect(lockOwner('-1')).toBeUndefined();
  });
});
