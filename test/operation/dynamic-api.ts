import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A loopback API whose operations have dynamic values (x-ms-dynamic-values, x-ms-dynamic-list),
 * for the resolver and completion tests. Every request needs `X-Key: KEY` (an API-key connection).
 * `requests` records what was asked (path and query), so tests see the parameters sent.
 */
export const KEY = 'dyn-key-1';

export interface DynamicApi {
  url: string;
  requests: string[];
  /** Write the Swagger 2 definition (host = this server) into `dir`; returns its path. */
  writeSpec(dir: string): string;
  close(): Promise<void>;
}

const dv = (operationId: string, more: Record<string, unknown> = {}) => ({ 'x-ms-dynamic-values': { operationId, ...more } });
const get = (operationId: string, parameters: unknown[] = []) => ({
  get: { operationId, summary: operationId, parameters, responses: { 200: { description: 'ok' } } },
});

export function definition(host: string) {
  return {
    swagger: '2.0',
    info: { title: 'Dynamic Values API', version: '1.0' },
    host,
    basePath: '/',
    schemes: ['http'],
    securityDefinitions: { api_key: { type: 'apiKey', in: 'header', name: 'X-Key' } },
    security: [{ api_key: [] }],
    paths: {
      '/sites': get('ListSites'),
      '/sites/{site}/lists': get('ListLists', [{ name: 'site', in: 'path', required: true, type: 'string' }]),
      '/tags': get('ListTags', [
        { name: 'site', in: 'query', type: 'string' },
        { name: 'kind', in: 'query', type: 'string' },
      ]),
      '/slow': get('Slow'),
      '/hostile': get('Hostile'),
      '/broken': get('Broken'),
      '/echo': get('Echo', [{ name: 'v', in: 'query', type: 'string' }]),
      '/items': get('GetItems', [
        {
          name: 'site',
          in: 'query',
          type: 'string',
          'x-ms-summary': 'Site',
          ...dv('ListSites', { 'value-collection': 'value', 'value-path': 'id', 'value-title': 'name' }),
        },
        {
          name: 'list',
          in: 'query',
          type: 'string',
          ...dv('ListLists', { parameters: { site: { parameter: 'site' } }, 'value-collection': 'd/results', 'value-path': 'Id', 'value-title': 'Title' }),
        },
        {
          name: 'tag',
          in: 'query',
          type: 'string',
          'x-ms-dynamic-list': {
            operationId: 'ListTags',
            itemsPath: 'items',
            itemValuePath: 'key',
            itemTitlePath: 'label',
            parameters: { site: { parameterReference: 'site', required: true }, kind: { value: 'all' } },
          },
        },
        { name: 'status', in: 'query', type: 'string', enum: ['open', 'closed'] },
        { name: 'flag', in: 'query', type: 'boolean' },
        { name: 'mood', in: 'query', type: 'string', enum: ['calm', 'loud\u001b[2J'], 'x-ms-summary': 'Mood\u001b]0;owned\u0007' },
        { name: 'slow', in: 'query', type: 'string', ...dv('Slow', { 'value-path': 'id' }) },
        { name: 'hostile', in: 'query', type: 'string', ...dv('Hostile', { 'value-path': 'id', 'value-title': 't' }) },
        { name: 'broken', in: 'query', type: 'string', ...dv('Broken', { 'value-path': 'id' }) },
      ]),
    },
  };
}

const ANSWERS: Record<string, (q: URLSearchParams) => unknown> = {
  '/sites': () => ({ value: [{ id: 'hr', name: 'Human resources' }, { id: 'it', name: 'IT' }, { id: 'hr', name: 'again' }, { name: 'no id' }] }),
  '/sites/hr/lists': () => ({
    d: {
      results: [
        { Id: 'l1', Title: 'Holidays' },
        { Id: 2, Title: 'Payroll' },
      ],
    },
  }),
  '/sites/it/lists': () => ({ d: { results: [{ Id: 'l9', Title: 'Tickets' }] } }),
  '/tags': (q) => ({ items: [{ key: `${q.get('site')}-${q.get('kind')}`, label: 'Tag' }] }),
  // An API that echoes what it is sent (the key too, when a source sends it).
  '/echo': (q) => ({
    value: [
      { id: q.get('v'), name: 'echoed' },
      { id: 'plain', name: `named ${q.get('v')}` },
    ],
  }),
  '/hostile': () => [
    { id: 'red\u001b[31m', t: 'x' },
    { id: 'safe', t: 'title\u001b]0;pwned\u0007' },
    { id: '$(touch PWNED)', t: 'subst' },
  ],
};

export async function startDynamicApi(): Promise<DynamicApi> {
  const requests: string[] = [];
  const sockets = new Set<import('node:net').Socket>();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push(`${url.pathname}${url.search}`);
    if (req.headers['x-key'] !== KEY) {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"no key"}');
      return;
    }
    if (url.pathname === '/slow') {
      setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('[{"id":"late"}]'), 5000).unref();
      return;
    }
    if (url.pathname === '/broken') {
      res.writeHead(500).end('oops');
      return;
    }
    const answer = ANSWERS[url.pathname];
    if (!answer) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer(url.searchParams)));
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    writeSpec(dir) {
      const file = join(dir, 'dynamic.swagger.json');
      writeFileSync(file, JSON.stringify(definition(`127.0.0.1:${port}`), null, 1));
      return file;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
