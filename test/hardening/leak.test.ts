import { spawn, spawnSync } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempHome } from '../helpers/cli.js';
import { CLIENTS, clientCredentialsFlags, startProvider, type TestProvider } from '../oauth/helpers/provider.js';
import { writeConnector } from '../oauth-cli/helpers.js';
import { ntowfv2 } from '../../src/auth/windows/messages.js';
import { challengeMessage } from '../ntlm/challenge.js';

/**
 * Issue 15, the leak scan: for every auth kind, the commands a user runs (create, show, list,
 * run -i / --verbose / --dry-run / --json, export, connection export, test with json and junit
 * reports, a failing request, an API that echoes every credential back in its body, in its
 * headers, in a cookie and in a redirect) and then a scan of stdout, stderr, every file under
 * HOME (registry, vault, locks, cache, exports, reports) and `ps -o args` of a running
 * process for each secret raw, base64 and URL-encoded: no hit.
 */
const REPO = join(import.meta.dirname, '..', '..');
const BIN = join(REPO, 'bin', 'connector.js');
const PASSPHRASE = 'leak-vault-passphrase-Vq81';

interface Kind {
  name: string;
  /** The connector, imported from `dir`. */
  dir: string;
  /** `connection create` arguments after the connector name, and the environment they read. */
  create: string[];
  createEnv: NodeJS.ProcessEnv;
  /** Credentials whose every form must stay out of everything. */
  secrets: () => string[];
  /** Extra needles (the Basic user:pass form). */
  forms?: () => string[];
}

// ---- the echoing API --------------------------------------------------------------------
const seen: { authorization?: string; key?: string; url: string }[] = [];
/** OAuth tokens the API answers 401 to (as to an expired one): the next call must renew. */
const rejected = new Set<string>();

/** Echo everything the request carried: body, headers (plain and credential-named), a cookie, a redirect. */
function answer(req: http.IncomingMessage, res: http.ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://x');
  const authorization = req.headers.authorization;
  const key = (req.headers['x-key'] as string | undefined) ?? url.searchParams.get('api_key') ?? undefined;
  seen.push({ authorization, key, url: req.url ?? '' });
  const bearer = /^Bearer (.+)$/.exec(authorization ?? '')?.[1];
  if (bearer && rejected.has(bearer)) {
    res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer error="invalid_token"' });
    res.end(JSON.stringify({ error: 'invalid_token', got: authorization }));
    return;
  }
  const echoed = [authorization, key].filter(Boolean).join(' ');
  const headers: http.OutgoingHttpHeaders = {
    'content-type': 'application/json',
    'set-cookie': [`sid=${echoed || 'none'}; HttpOnly`, `other=${key ?? 'x'}`],
    'x-echo': echoed || 'none',
    'x-echo-authorization': authorization ?? 'none',
    'x-auth-token': key ?? 'none',
  };
  const body = JSON.stringify({ url: req.url, headers: req.headers, echoed });
  const delay = url.pathname.endsWith('/slow') ? 500 : 0;
  setTimeout(() => {
    if (url.pathname.endsWith('/missing')) res.writeHead(404, headers);
    else if (url.pathname.endsWith('/redirect')) res.writeHead(302, { ...headers, location: `/next?api_key=${encodeURIComponent(key ?? '')}&x=1` });
    else res.writeHead(200, headers);
    res.end(body);
  }, delay);
}

/** NTLM/Negotiate in front of `answer`: Type 1 → challenge; Type 3 checked against the one user, on the same socket. */
function ntlmHandler(user: { domain: string; name: string; password: string }): http.RequestListener {
  const challenges = new WeakMap<Socket, Buffer>();
  return (req, res) => {
    const m = /^(NTLM|Negotiate) (\S+)$/.exec(req.headers.authorization ?? '');
    const deny = (header = 'NTLM') => {
      res.writeHead(401, { 'WWW-Authenticate': header, 'content-type': 'text/plain' });
      res.end('denied');
    };
    if (!m) return deny();
    const msg = Buffer.from(m[2], 'base64');
    const type = msg.readUInt32LE(8);
    if (type === 1) {
      const challenge = randomBytes(8);
      challenges.set(req.socket, challenge);
      const c = challengeMessage(user.domain, challenge);
      return deny(`${m[1]} ${c.toString('base64')}`);
    }
    const challenge = challenges.get(req.socket);
    if (type !== 3 || !challenge) return deny();
    const field = (at: number) => msg.subarray(msg.readUInt32LE(at + 4), msg.readUInt32LE(at + 4) + msg.readUInt16LE(at));
    const nt = field(20);
    const proof = createHmac('md5', ntowfv2(user.password, field(36).toString('utf16le'), field(28).toString('utf16le')))
      .update(challenge)
      .update(nt.subarray(16))
      .digest();
    if (!proof.equals(nt.subarray(0, 16))) return deny();
    answer(req, res);
  };
}

async function listen(handler: http.RequestListener): Promise<{ host: string; close(): Promise<void> }> {
  const server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    host: `127.0.0.1:${(server.address() as { port: number }).port}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

// ---- connectors -------------------------------------------------------------------------
const PATHS = {
  '/echo': { get: { operationId: 'Echo', responses: { 200: { description: 'ok' } } } },
  '/missing': { get: { operationId: 'Missing', responses: { 404: { description: 'no' } } } },
  '/redirect': { get: { operationId: 'Redirect', responses: { 302: { description: 'moved' } } } },
  '/slow': { get: { operationId: 'Slow', responses: { 200: { description: 'ok' } } } },
};

function writeSpec(dir: string, host: string, securityDefinitions: Record<string, unknown>, apiProperties?: unknown): string {
  mkdirSync(dir, { recursive: true });
  const security = Object.keys(securityDefinitions).map((k) => ({ [k]: [] }));
  const spec = {
    swagger: '2.0',
    info: { title: 'Leak API', version: '1' },
    host,
    basePath: '/',
    schemes: ['http'],
    securityDefinitions,
    security,
    paths: PATHS,
  };
  writeFileSync(join(dir, 'apiDefinition.swagger.json'), JSON.stringify(spec));
  if (apiProperties) writeFileSync(join(dir, 'apiProperties.json'), JSON.stringify(apiProperties));
  return dir;
}

// ---- the scan ---------------------------------------------------------------------------
/** Every form a secret can be written in: raw, base64 (and base64url), percent-encoded. */
function forms(secret: string): string[] {
  const b = Buffer.from(secret, 'utf8');
  const enc = encodeURIComponent(secret);
  return [
    ...new Set([
      secret,
      b.toString('base64'),
      b.toString('base64url'),
      enc,
      enc.replace(/%20/g, '+'),
      enc.replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`),
    ]),
  ];
}

function allFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    const s = statSync(p);
    return s.isDirectory() ? allFiles(p) : s.isFile() ? [p] : [];
  });
}

/** Where each needle was found: `<where>: <needle's secret>` lines (empty: nothing leaked). */
function hits(places: [where: string, text: string][], needles: [secret: string, form: string][]): string[] {
  const out: string[] = [];
  for (const [where, text] of places)
    for (const [secret, form] of needles) if (text.includes(form)) out.push(`${where}: ${JSON.stringify(secret)} as ${JSON.stringify(form)}`);
  return out;
}

let op: TestProvider;
let api: Awaited<ReturnType<typeof listen>>;
let ntlm: Awaited<ReturnType<typeof listen>>;
let root: string;
/** Every access and refresh token the authorization server issued, read off its token responses. */
const issued = new Set<string>();
const NTLM_USER = { domain: 'CORP', name: 'leakuser', password: 'Leak-NTLM-pw/9+Zq' };

beforeAll(async () => {
  api = await listen(answer);
  ntlm = await listen(ntlmHandler(NTLM_USER));
  op = await startProvider({
    mount: async (handler) => {
      const server = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        const write = res.write.bind(res);
        const end = res.end.bind(res);
        res.write = ((c: unknown, ...rest: never[]) => (
          Buffer.isBuffer(c) || typeof c === 'string' ? chunks.push(Buffer.from(c)) : 0, write(c as never, ...rest)
        )) as never;
        res.end = ((c: unknown, ...rest: never[]) => {
          if (Buffer.isBuffer(c) || typeof c === 'string') chunks.push(Buffer.from(c));
          const text = Buffer.concat(chunks).toString('utf8');
          for (const m of text.matchAll(/"(?:access_token|refresh_token|id_token)":"([^"]+)"/g)) issued.add(m[1]);
          return end(c as never, ...rest);
        }) as never;
        handler(req, res);
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      afterAllClose.push(() => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))));
      return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    },
  });
  root = tempHome('connector-leak-');
}, 30_000);
const afterAllClose: (() => Promise<void>)[] = [];
afterAll(async () => {
  await api?.close();
  await ntlm?.close();
  await op?.close();
  for (const c of afterAllClose) await c();
});

function kinds(): Kind[] {
  const src = join(root, 'src');
  const BASIC = { user: 'leak-user', pass: 'Leak pa/ss+wörd:9Z' };
  const KEY_HEADER = 'leak-hdr-key/+ Q7f3x9';
  const KEY_QUERY = 'leak-qry-key/+ &=Zp41';
  return [
    { name: 'leak-none', dir: writeSpec(join(src, 'none'), api.host, {}), create: [], createEnv: {}, secrets: () => [] },
    {
      name: 'leak-basic',
      dir: writeSpec(join(src, 'basic'), api.host, { basic: { type: 'basic' } }),
      create: ['--param-env', 'username=L_USER', '--param-env', 'password=L_PASS', '--test-operation', 'Echo'],
      createEnv: { L_USER: BASIC.user, L_PASS: BASIC.pass },
      secrets: () => [BASIC.pass],
      forms: () => [Buffer.from(`${BASIC.user}:${BASIC.pass}`).toString('base64')],
    },
    {
      name: 'leak-hdr',
      dir: writeSpec(join(src, 'hdr'), api.host, { api_key: { type: 'apiKey', in: 'header', name: 'X-Key' } }),
      create: ['--param-env', 'api_key=L_KEY', '--test-operation', 'Echo'],
      createEnv: { L_KEY: KEY_HEADER },
      secrets: () => [KEY_HEADER],
    },
    {
      name: 'leak-qry',
      dir: writeSpec(join(src, 'qry'), api.host, { api_key: { type: 'apiKey', in: 'query', name: 'api_key' } }),
      create: ['--param-env', 'api_key=L_KEY', '--test-operation', 'Echo'],
      createEnv: { L_KEY: KEY_QUERY },
      secrets: () => [KEY_QUERY],
    },
    {
      name: 'leak-oauth',
      dir: (() => {
        const dir = writeConnector(join(src, 'oauth'), op.issuer, api.host);
        const file = join(dir, 'apiDefinition.swagger.json');
        const spec = JSON.parse(readFileSync(file, 'utf8'));
        writeFileSync(file, JSON.stringify({ ...spec, paths: { ...spec.paths, ...PATHS } }));
        return dir;
      })(),
      create: [...clientCredentialsFlags(op.issuer), '--test-operation', 'Echo'],
      createEnv: { CC_SECRET: CLIENTS.secret },
      secrets: () => [CLIENTS.secret, ...issued],
    },
    {
      name: 'leak-ntlm',
      dir: (() => {
        const props = JSON.parse(readFileSync(join(REPO, 'fixtures', 'ntlm', 'onprem-api', 'apiProperties.json'), 'utf8'));
        return writeSpec(join(src, 'ntlm'), ntlm.host, {}, props);
      })(),
      create: ['--param-env', 'username=L_USER', '--param-env', 'password=L_PASS', '--test-operation', 'Echo'],
      createEnv: { L_USER: `${NTLM_USER.domain}\\${NTLM_USER.name}`, L_PASS: NTLM_USER.password },
      secrets: () => [NTLM_USER.password],
    },
  ];
}

describe('leak scan: no secret in any output, file or argv, for every auth kind', () => {
  it('runs every command of every kind and finds nothing', async () => {
    const home = join(root, 'home');
    const connectorHome = join(home, '.local', 'share', 'connector');
    const cache = join(home, '.cache', 'connector');
    mkdirSync(connectorHome, { recursive: true });
    const out: [string, string][] = [];
    const env = { HOME: home, CONNECTOR_SECRET_STORE: 'vault', CONNECTOR_VAULT_PASSPHRASE: PASSPHRASE, CONNECTOR_CACHE_DIR: cache };
    const cli = async (label: string, args: string[], extra: NodeJS.ProcessEnv = {}, expectCode: number | null = 0) => {
      const r = await runCli(args, { home: connectorHome, env: { ...env, ...extra } });
      if (expectCode !== null) expect(r.code, `${label}: ${r.stderr}`).toBe(expectCode);
      out.push([`${label} stdout`, r.stdout], [`${label} stderr`, r.stderr]);
      return r;
    };
    const all = kinds();
    const controls: string[] = [];
    for (const k of all) {
      const c = (s: string) => `${k.name} ${s}`;
      await cli(c('import'), ['import', k.dir, '--name', k.name]);
      if (k.create.length) await cli(c('create'), ['connection', 'create', k.name, '--name', 'main', '--default', '--no-input', ...k.create], k.createEnv);
      await cli(c('show'), ['show', k.name]);
      if (k.create.length) {
        await cli(c('connection show'), ['connection', 'show', `${k.name}/main`]);
        await cli(c('connection show --json'), ['--json', 'connection', 'show', `${k.name}/main`]);
      }
      await cli(c('run -i'), ['run', k.name, 'Echo', '-i']);
      if (k.name === 'leak-oauth') {
        // A renewal mid-command: the API now rejects every token it has seen, as if they expired.
        for (const s of seen) {
          const t = /^Bearer (.+)$/.exec(s.authorization ?? '')?.[1];
          if (t) rejected.add(t);
        }
        const before = op.grants.length;
        const r = await cli(c('run --verbose (renewal)'), ['--verbose', 'run', k.name, 'Echo', '-i']);
        expect(op.grants.slice(before)).toEqual([{ type: 'client_credentials', ok: true }]);
        expect(r.stderr.match(/^> GET /gm)).toHaveLength(2); // 401, renewal, then the retry
        expect(r.stderr).toContain('< HTTP 200');
      }
      await cli(c('run --verbose'), ['--verbose', 'run', k.name, 'Echo']);
      await cli(c('run --dry-run'), ['--verbose', 'run', k.name, 'Echo', '--dry-run']);
      await cli(c('--json run --dry-run'), ['--json', 'run', k.name, 'Echo', '--dry-run']);
      await cli(c('--json run'), ['--json', 'run', k.name, 'Echo']);
      await cli(c('--json --verbose run -i'), ['--json', '--verbose', 'run', k.name, 'Echo', '-i']);
      await cli(c('failing run'), ['--verbose', 'run', k.name, 'Missing', '-i'], {}, 1);
      await cli(c('redirect'), ['--verbose', 'run', k.name, 'Redirect', '-i'], {}, null);
      await cli(c('export'), ['export', k.name]);
      await cli(c('export paconn'), ['export', k.name, '--format', 'paconn', '-o', join(home, `${k.name}-paconn`)]);
      if (k.create.length) {
        await cli(c('connection export'), ['connection', 'export', `${k.name}/main`]);
        await cli(c('connection export -o'), ['connection', 'export', `${k.name}/main`, '-o', join(home, `${k.name}.connection.yaml`)]);
      }
      const suite = join(home, `${k.name}.suite.yaml`);
      writeFileSync(
        suite,
        `connector: ${k.name}\nsteps:\n  - operation: Echo\n    id: echo\n    expect: { status: 200 }\n  - operation: Missing\n    id: missing\n    expect: { status: 200, json: [{ path: $.echoed, equals: nothing }] }\n`,
      );
      await cli(
        c('test'),
        ['test', suite, '--reporter', 'pretty', '--reporter', `json=${join(home, `${k.name}.json`)}`, '--reporter', `junit=${join(home, `${k.name}.xml`)}`],
        {},
        1,
      );
      await cli(c('test json'), ['test', suite, '--reporter', 'json'], {}, 1);
      // The scan can see a secret: --show-secrets prints the echo as received.
      if (k.secrets().length && k.name !== 'leak-ntlm')
        controls.push((await runCli(['run', k.name, 'Echo', '--show-secrets', '-i'], { home: connectorHome, env })).stdout);
    }

    await cli('list', ['list']);
    await cli('connection list', ['connection', 'list']);
    await cli('--json connection list', ['--json', 'connection', 'list']);

    // A running process's argv (ps), for each kind's slow request.
    const args: [string, string][] = [];
    for (const k of all.filter((x) => x.create.length)) {
      const child = spawn(process.execPath, [BIN, 'run', k.name, 'Slow'], {
        env: { NO_COLOR: '1', CONNECTOR_HOME: connectorHome, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      const done = new Promise<number | null>((r) => child.on('exit', r));
      let sampled = 0;
      while (child.exitCode === null && sampled < 40) {
        const ps = spawnSync('ps', ['-o', 'args=', '-p', String(child.pid)], { encoding: 'utf8' });
        if (ps.stdout.trim()) args.push([`${k.name} ps`, ps.stdout]);
        sampled++;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(await done, stderr).toBe(0);
      out.push([`${k.name} spawned stdout`, stdout], [`${k.name} spawned stderr`, stderr]);
    }
    expect(args.length).toBeGreaterThan(all.length); // sampled while running

    const files: [string, string][] = allFiles(root)
      .filter((f) => !f.startsWith(join(root, 'src')))
      .map((f) => [f.slice(root.length + 1), readFileSync(f).toString('latin1') + readFileSync(f).toString('utf8')]);
    expect(files.some(([f]) => f.includes('vault'))).toBe(true);
    expect(files.some(([f]) => f.endsWith('leak-oauth.xml'))).toBe(true);

    const secrets = [...new Set([PASSPHRASE, ...all.flatMap((k) => k.secrets())])];
    expect(issued.size).toBeGreaterThanOrEqual(2); // the first token and the renewed one
    const needles: [string, string][] = [
      ...secrets.flatMap((s) => forms(s).map((f): [string, string] => [s, f])),
      ...all.flatMap((k) => (k.forms?.() ?? []).map((f): [string, string] => [f, f])),
    ];
    // Every echo the API sent carried a credential (the scan has something to find).
    expect(seen.filter((s) => s.authorization || s.key).length).toBeGreaterThan(40);
    expect(hits([...out, ...files, ...args], needles)).toEqual([]);
    for (const text of controls) expect(hits([['control', text]], needles).length).toBeGreaterThan(0);
  }, 120_000);
});
