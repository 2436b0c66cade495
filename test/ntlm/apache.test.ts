import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { runCli, tempHome } from '../helpers/cli.js';
import { MemoryStore } from '../../src/secrets/store.js';
import type { Context } from '../../src/context.js';
import { missingApache, startNtlmServer, type NtlmServer } from './apache.js';

const FIXTURE = join(import.meta.dirname, '..', '..', 'fixtures', 'ntlm', 'onprem-api');
const missing = missingApache();
if (missing) console.warn(`test/ntlm/apache.test.ts skipped: ${missing} (apt-get install -y apache2 libapache2-mod-auth-gssapi gss-ntlmssp)`);

const STATUS = '{"ok":true,"service":"inventory"}';
const PASSWORD = 'S3cret-pass!';

describe.skipIf(missing)('Windows authentication against a real Apache + mod_auth_gssapi + gss-ntlmssp', () => {
  let server: NtlmServer;
  let home: string;
  const secrets = new MemoryStore();
  const overrides: Partial<Context> = { secrets: async () => secrets };
  const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli(args, { home, env, overrides });
  /** `connector run` with the connection's user/password from the environment overlay. */
  const runAs = (username: string, password: string, extra: string[] = []) =>
    cli(['run', 'onprem', 'GetStatus', '--base-url', `${server.url}/ntlm`, ...extra], {
      CONNECTOR_ONPREM_ENVONLY_USERNAME: username,
      CONNECTOR_ONPREM_ENVONLY_PASSWORD: password,
    }).then((r) => r);

  beforeAll(async () => {
    server = await startNtlmServer([`CORP:alice:${PASSWORD}`, 'OTHER:bob:hunter2'], { 'ntlm/status.json': STATUS, 'status.json': '{"open":true}' });
    home = tempHome();
    const imp = await cli(['import', FIXTURE, '--name', 'onprem']);
    expect(imp.code, imp.stderr).toBe(0);
    const c = await cli(['connection', 'create', 'onprem', '--no-verify', '--param', 'username=CORP\\alice', '--param-env', 'password=PW'], { PW: PASSWORD });
    expect(c.code, c.stderr).toBe(0);
  }, 30_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('the stored connection (password in the secret store) gets 200 and the body', async () => {
    const r = await cli(['run', 'onprem', 'GetStatus', '--base-url', `${server.url}/ntlm`]);
    expect([r.code, r.stdout, r.stderr], server.errorLog()).toEqual([0, STATUS, '']);
  });

  it('Apache really requires it: the same URL without credentials is a 401', async () => {
    const res = await fetch(`${server.url}/ntlm/status.json`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/NTLM/);
  });

  it('--verbose traces the handshake without the password or any NTLM token', async () => {
    const r = await cli(['--verbose', 'run', 'onprem', 'GetStatus', '--base-url', `${server.url}/ntlm`]);
    expect(r.code).toBe(0);
    // gss-ntlmssp sends a timestamp, so the AUTHENTICATE message carries a MIC it checks.
    expect(r.stderr).toMatch(/ntlm: NTLM challenge .* answering as CORP\\alice with a MIC/);
    expect(r.stderr).not.toContain(PASSWORD);
    expect(r.stderr).not.toMatch(/TlRMTVNTUA/); // base64 of "NTLMSSP"
  });

  it.each([
    ['DOMAIN\\user', 'CORP\\alice'],
    ['user@domain', 'alice@CORP'],
    ['a lower-case domain', 'corp\\alice'],
  ])('username as %s → 200', async (_what, username) => {
    const r = await runAs(username, PASSWORD, ['-c', 'envonly']);
    expect([r.code, r.stdout], r.stderr).toEqual([0, STATUS]);
  });

  it('a wrong password → exit 4, the password never echoed', async () => {
    const r = await runAs('CORP\\alice', 'not-the-password', ['-c', 'envonly']);
    expect(r.code).toBe(4);
    expect(r.stdout).not.toContain('inventory'); // run prints the error body, never the resource
    expect(r.stderr).toMatch(/HTTP 401/);
    expect(r.stderr).toMatch(/refused Windows authentication as CORP\\alice/);
    expect(r.stderr).not.toContain('not-the-password');
  });

  it('a wrong domain → exit 4', async () => {
    const r = await runAs('OTHER\\alice', PASSWORD, ['-c', 'envonly']);
    expect(r.code).toBe(4);
    expect(r.stdout).not.toContain('inventory'); // run prints the error body, never the resource
  });

  it('another user of the file authenticates with their own password only', async () => {
    expect((await runAs('OTHER\\bob', 'hunter2', ['-c', 'envonly'])).code).toBe(0);
    expect((await runAs('CORP\\bob', 'hunter2', ['-c', 'envonly'])).code).toBe(4);
  });

  it('a resource outside /ntlm answers without a handshake', async () => {
    const r = await cli(['run', 'onprem', 'GetStatus', '--base-url', server.url]);
    expect([r.code, r.stdout]).toEqual([0, '{"open":true}']);
  });
});
