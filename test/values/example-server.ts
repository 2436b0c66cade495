import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The fixture every dynamic-values test uses: its responses carry the examples the servers answer. */
export const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'dynamic', 'dynamic.swagger.json');
export const KEY = 'values-key-1';

export interface ExampleServer {
  url: string;
  /** Each request as `METHOD path?query`. */
  requests: string[];
  close(): Promise<void>;
}

/**
 * A loopback server answering each operation of a Swagger 2 file with its first response's
 * example (status and content type as declared), as `prism mock` does, but recording what was
 * asked; a request without `X-Key: KEY` is 401.
 */
export async function startExampleServer(file = FIXTURE): Promise<ExampleServer> {
  const spec = JSON.parse(readFileSync(file, 'utf8'));
  const routes: { method: string; pattern: RegExp; status: number; type: string; body: string }[] = [];
  for (const [path, item] of Object.entries<any>(spec.paths)) {
    for (const [method, op] of Object.entries<any>(item)) {
      const [code, res] = Object.entries<any>(op.responses)[0];
      const [type, example] = Object.entries<any>(res.examples ?? { 'application/json': {} })[0];
      const pattern = new RegExp(`^${path.replace(/\{[^}]+\}/g, '[^/]+')}$`);
      routes.push({ method: method.toUpperCase(), pattern, status: Number(code), type, body: typeof example === 'string' ? example : JSON.stringify(example) });
    }
  }
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push(`${req.method} ${url.pathname}${url.search}`);
    req.resume();
    if (req.headers['x-key'] !== KEY) return void res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"no key"}');
    const route = routes.find((r) => r.method === req.method && r.pattern.test(decodeURIComponent(url.pathname)));
    if (!route) return void res.writeHead(404).end();
    res.writeHead(route.status, { 'content-type': route.type }).end(route.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
