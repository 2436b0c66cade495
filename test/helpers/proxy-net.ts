import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect as netConnect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { Agent, fetch as undiciFetch } from 'undici';

/**
 * A network only a proxy can reach. Names under `.invalid` never resolve (RFC 6761), so a
 * request to `https://api.example.invalid` succeeds only when it went through this CONNECT
 * proxy, which maps `<name>.example.invalid:443` to a local https server. The servers'
 * certificate (`*.example.invalid`) is signed by a throw-away CA: give a child process
 * `NODE_EXTRA_CA_CERTS=<caFile>` and `HTTPS_PROXY=<proxyUrl>` (see `env()`).
 */
export interface ProxyNet {
  /** The throw-away CA, PEM (for NODE_EXTRA_CA_CERTS). */
  caFile: string;
  /** http://127.0.0.1:<port> */
  proxyUrl: string;
  /** Every CONNECT the proxy received, `host:port`, in order (refused ones too). */
  connects: string[];
  /** Plain-http proxy requests (absolute URIs) it received and refused. */
  plain: string[];
  /** Serve `https://<name>.example.invalid` with `handler`; returns that origin. */
  host(name: string, handler: RequestListener): Promise<string>;
  /**
   * The test's own fetch: `*.example.invalid` straight to the local servers (as if a resolver
   * knew them, trusting the CA), anything else direct. It never uses the proxy, so `connects`
   * holds only what the CLI sent.
   */
  fetch: typeof fetch;
  /** The environment for a CLI behind the proxy. */
  env(): NodeJS.ProcessEnv;
  close(): Promise<void>;
}

export const DOMAIN = 'example.invalid';

/** A CA and a `*.example.invalid` server certificate made with openssl (about 0.2 s). */
export function makeCertificates(dir: string): { ca: string; caFile: string; key: string; cert: string } {
  const f = (n: string) => join(dir, n);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  ssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    f('ca.key'),
    '-out',
    f('ca.pem'),
    '-days',
    '2',
    '-subj',
    '/CN=connector test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('server.key'), '-out', f('server.csr'), '-subj', `/CN=*.${DOMAIN}`);
  writeFileSync(
    f('ext.cnf'),
    `subjectAltName=DNS:*.${DOMAIN},DNS:${DOMAIN}\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n`,
  );
  ssl(
    'x509',
    '-req',
    '-in',
    f('server.csr'),
    '-CA',
    f('ca.pem'),
    '-CAkey',
    f('ca.key'),
    '-CAcreateserial',
    '-out',
    f('server.pem'),
    '-days',
    '2',
    '-extfile',
    f('ext.cnf'),
  );
  return {
    ca: readFileSync(f('ca.pem'), 'utf8'),
    caFile: f('ca.pem'),
    key: readFileSync(f('server.key'), 'utf8'),
    cert: readFileSync(f('server.pem'), 'utf8'),
  };
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
  });
}

export async function startProxyNet(): Promise<ProxyNet> {
  const dir = mkdtempSync(join(tmpdir(), 'connector-proxynet-'));
  const certs = makeCertificates(dir);
  const ports = new Map<string, number>();
  const servers: Server[] = [];
  const sockets = new Set<Socket>();
  const connects: string[] = [];
  const plain: string[] = [];
  const track = (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  };

  const proxy = createHttpServer((req, res) => {
    plain.push(`${req.method} ${req.url}`);
    res.writeHead(502, { 'content-type': 'text/plain' }).end('this test proxy only tunnels CONNECT\n');
  });
  proxy.on('connection', track);
  proxy.on('connect', (req, client: Socket, head: Buffer) => {
    const target = req.url ?? '';
    connects.push(target);
    const m = /^([^:]+):(\d+)$/.exec(target);
    const port = m && m[2] === '443' ? ports.get(m[1].toLowerCase()) : undefined;
    if (port === undefined) {
      client.end('HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    const upstream = netConnect(port, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    track(upstream);
    const end = () => {
      upstream.destroy();
      client.destroy();
    };
    upstream.on('error', end);
    client.on('error', end);
    client.on('close', end);
    upstream.on('close', end);
  });
  const proxyPort = await listen(proxy);
  servers.push(proxy);

  const direct = new Agent({
    connect: (opts, cb) => {
      const port = ports.get(opts.hostname.toLowerCase());
      if (port === undefined || opts.protocol !== 'https:') {
        cb(new Error(`proxy-net fetch: no local server for ${opts.protocol}//${opts.hostname}`), null);
        return;
      }
      const s = tlsConnect({ host: '127.0.0.1', port, servername: opts.hostname, ca: certs.ca, ALPNProtocols: ['http/1.1'] });
      s.once('secureConnect', () => cb(null, s));
      s.once('error', (e) => cb(e, null));
    },
  });
  const plainAgent = new Agent();

  const testFetch = ((input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : input.toString());
    const dispatcher = url.hostname.endsWith(`.${DOMAIN}`) ? direct : plainAgent;
    return undiciFetch(input as never, { ...(init as object), dispatcher } as never);
  }) as unknown as typeof fetch;

  return {
    caFile: certs.caFile,
    proxyUrl: `http://127.0.0.1:${proxyPort}`,
    connects,
    plain,
    async host(name, handler) {
      const full = name.includes('.') ? name.toLowerCase() : `${name}.${DOMAIN}`;
      const server = createHttpsServer({ key: certs.key, cert: certs.cert }, handler);
      server.on('connection', track);
      ports.set(full, await listen(server));
      servers.push(server);
      return `https://${full}`;
    },
    fetch: testFetch,
    env: () => ({ HTTPS_PROXY: `http://127.0.0.1:${proxyPort}`, NODE_EXTRA_CA_CERTS: certs.caFile }),
    async close() {
      for (const s of sockets) s.destroy();
      await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
      await Promise.all([direct.close(), plainAgent.close()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
