import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHmac, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { runCli, tempHome } from '../helpers/cli.js';
import { MemoryStore } from '../../src/secrets/store.js';
import type { Context } from '../../src/context.js';
import { deriveConnectionModel } from '../../src/spec/connection-model.js';
import { valueParameters } from '../../src/connections/store.js';
import { ntowfv2 } from '../../src/auth/windows/messages.js';
import { challengeMessage } from './challenge.js';

const FIXTURE = join(import.meta.dirname, '..', '..', 'fixtures', 'ntlm', 'onprem-api');

/**
 * A tiny NTLM acceptor offering only `Negotiate` (like an IIS site with the NTLM
 * provider removed). It checks that all three legs share one socket and verifies
 * the NTProofStr of the AUTHENTICATE message against its one user.
 */
function negotiateOnlyServer(user: { domain: string; name: string; password: string }) {
  const challenges = new WeakMap<Socket, Buffer>();
  const seen: { auth?: string; socket: number }[] = [];
  const ids = new WeakMap<Socket, number>();
  let nextId = 0;
  const server = http.createServer((req, res) => {
    const sock = req.socket;
    if (!ids.has(sock)) ids.set(sock, ++nextId);
    const auth = req.headers.authorization;
    seen.push({ auth: auth?.split(' ')[0], socket: ids.get(sock)! });
    const deny = (header = 'Negotiate') => {
      res.writeHead(401, { 'WWW-Authenticate': header, 'Content-Type': 'text/plain' });
      res.end('denied');
    };
    const m = /^Negotiate (\S+)$/.exec(auth ?? '');
    if (!m) return deny();
    const msg = Buffer.from(m[1], 'base64');
    const type = msg.readUInt32LE(8);
    if (type === 1) {
      const serverChallenge = randomBytes(8);
      challenges.set(sock, serverChallenge);
      const c = challengeMessage(user.domain, serverChallenge);
      return deny(`Negotiate ${c.toString('base64')}`);
    }
    const serverChallenge = challenges.get(sock);
    if (type !== 3 || !serverChallenge) return deny(); // a fresh socket has no challenge: the handshake is connection-bound
    const field = (at: number) => msg.subarray(msg.readUInt32LE(at + 4), msg.readUInt32LE(at + 4) + msg.readUInt16LE(at));
    const nt = field(20);
    const key = ntowfv2(user.password, field(36).toString('utf16le'), field(28).toString('utf16le'));
    const proof = createHmac('md5', key).update(serverChallenge).update(nt.subarray(16)).digest();
    if (
      field(28).toString('utf16le') !== user.domain ||
      field(36).toString('utf16le').toUpperCase() !== user.name.toUpperCase() ||
      !proof.equals(nt.subarray(0, 16))
    )
      return deny();
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end('{"ok":true}');
  });
  return new Promise<{ url: string; seen: typeof seen; close(): void }>((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      resolve({ url: `http://127.0.0.1:${port}`, seen, close: () => server.close() });
    });
  });
}

describe('the Windows connection option', () => {
  it('a gateway connector whose authType allows windows becomes kind windows with username + password', async () => {
    const fs = await import('node:fs/promises');
    const record = {
      name: 'onprem',
      title: 'On-Prem Inventory',
      specFormat: 'swagger2' as const,
      source: { kind: 'paconn' as const, location: FIXTURE },
      importedAt: '',
      definition: JSON.parse(await fs.readFile(join(FIXTURE, 'apiDefinition.swagger.json'), 'utf8')),
      apiProperties: JSON.parse(await fs.readFile(join(FIXTURE, 'apiProperties.json'), 'utf8')),
    };
    const [opt, ...rest] = deriveConnectionModel(record).options;
    expect(rest).toEqual([]);
    expect(opt.kind).toBe('windows');
    expect(opt.label).toBe('Windows authentication');
    const asked = valueParameters(opt);
    expect(asked.map((p) => [p.name, p.required, p.secret])).toEqual([
      ['authType', false, false],
      ['username', true, true],
      ['password', true, true],
    ]);
    expect(asked[0]).toMatchObject({ hidden: true, default: 'windows' });
  });
});

describe('NTLM through the CLI against a local acceptor', () => {
  let home: string;
  let server: Awaited<ReturnType<typeof negotiateOnlyServer>>;
  let basicOnly: http.Server;
  let basicUrl: string;
  const overrides: Partial<Context> = { secrets: async () => new MemoryStore() };
  const env = { CONNECTOR_ONPREM_DEFAULT_USERNAME: 'corp\\alice', CONNECTOR_ONPREM_DEFAULT_PASSWORD: 'pa55' };
  const cli = (args: string[], extraEnv: NodeJS.ProcessEnv = {}) => runCli(args, { home, env: { ...env, ...extraEnv }, overrides });

  beforeAll(async () => {
    server = await negotiateOnlyServer({ domain: 'CORP', name: 'alice', password: 'pa55' });
    basicOnly = http.createServer((_req, res) => {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="x"' });
      res.end();
    });
    await new Promise<void>((r) => basicOnly.listen(0, '127.0.0.1', r));
    basicUrl = `http://127.0.0.1:${(basicOnly.address() as { port: number }).port}`;
    home = tempHome();
    const imp = await cli(['import', FIXTURE, '--name', 'onprem']);
    expect(imp.code, imp.stderr).toBe(0);
  });
  afterAll(() => {
    server.close();
    basicOnly.close();
  });

  it('falls back to Negotiate-wrapped NTLM when only Negotiate is offered, all legs on one socket', async () => {
    server.seen.length = 0;
    const r = await cli(['run', 'onprem', 'GetStatus', '--base-url', server.url]);
    expect([r.code, r.stdout], r.stderr).toEqual([0, '{"ok":true}']);
    expect(server.seen.map((s) => s.auth)).toEqual(['NTLM', 'Negotiate', 'Negotiate']);
    expect(new Set(server.seen.map((s) => s.socket)).size).toBe(1);
  });

  it('a wrong password → exit 4 with a hint', async () => {
    const r = await cli(['run', 'onprem', 'GetStatus', '--base-url', server.url], { CONNECTOR_ONPREM_DEFAULT_PASSWORD: 'nope' });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/refused Windows authentication as CORP\\alice/);
  });

  it('a server that does not offer NTLM or Negotiate → exit 4 naming what it offers', async () => {
    const r = await cli(['run', 'onprem', 'GetStatus', '--base-url', basicUrl]);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/does not offer Windows \(NTLM\) authentication \(it offers: Basic\)/);
  });

  it('refuses plain http off loopback before connecting', async () => {
    const r = await cli(['run', 'onprem', 'GetStatus', '--base-url', 'http://inventory.corp.example/ntlm']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/refusing to send credentials over plain http to inventory\.corp\.example/);
    expect(r.stderr).not.toContain('pa55');
  });

  it('connection create without a password and no terminal → exit 5 naming it', async () => {
    const r = await runCli(['connection', 'create', 'onprem', '--name', 'nopw', '--no-input', '--no-verify', '--param', 'username=CORP\\alice'], {
      home,
      overrides,
    });
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/password/);
  });
});
