import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createServer, type Server } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempHome } from '../helpers/cli.js';
import { MemoryStore } from '../../src/secrets/store.js';
import { makeRecord, register } from '../connections/helpers.js';

let server: Server;
let host: string;
const seen: { url?: string; key?: string }[] = [];
beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ url: req.url, key: req.headers['x-key'] as string | undefined });
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  host = `127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const record = () =>
  makeRecord('findco', {
    definition: {
      host,
      schemes: ['http'],
      securityDefinitions: { key: { type: 'apiKey', in: 'header', name: 'X-Key' } },
      paths: {
        '/search': {
          get: { operationId: 'Search', parameters: [{ name: 'q', in: 'query', required: true, type: 'string' }], responses: { 200: { description: 'ok' } } },
        },
      },
    },
    apiProperties: {
      properties: { connectionParameters: { api_key: { type: 'securestring', uiDefinition: { displayName: 'Key', constraints: { required: 'true' } } } } },
    },
  });

async function setup() {
  const home = tempHome();
  const store = new MemoryStore();
  await register(home, record());
  const run = (args: string[]) => runCli(args, { home, env: { K: 'stored-key' }, overrides: { secrets: async () => store } });
  expect((await run(['connection', 'create', 'findco', '--no-verify', '--param-env', 'api_key=K'])).code).toBe(0);
  return { home, run };
}

describe('run -H and the connection’s credentials', () => {
  it('a -H header the auth also sets: the user’s wins (as in curl), with one warning naming it', async () => {
    const { run } = await setup();
    const r = await run(['run', 'findco', 'Search', '-p', 'q=x', '-H', 'x-key: mine']);
    expect(r.code).toBe(0);
    expect(seen.at(-1)?.key).toBe('mine');
    expect(r.stderr.match(/-H x-key: your header replaces the one the credentials of connection findco\/default set/g)).toHaveLength(1);
    const dry = await run(['run', 'findco', 'Search', '-p', 'q=x', '-H', 'X-Key: mine-too', '--dry-run']);
    expect(dry.stdout).not.toContain('mine-too'); // still a credential: redacted
    const plain = await run(['run', 'findco', 'Search', '-p', 'q=x', '-H', 'X-Other: 1']);
    expect(plain.stderr).not.toContain('replaces');
    expect(seen.at(-1)?.key).toBe('stored-key');
  });
});

describe('run -p name=@file', () => {
  it('drops one trailing newline; @raw: keeps the bytes', async () => {
    const { home, run } = await setup();
    const file = join(home, 'q.txt');
    writeFileSync(file, 'hello world\n');
    expect((await run(['run', 'findco', 'Search', '-p', `q=@${file}`])).code).toBe(0);
    expect(seen.at(-1)?.url).toBe('/search?q=hello%20world');
    writeFileSync(file, 'two\r\n\r\n');
    await run(['run', 'findco', 'Search', '-p', `q=@${file}`]);
    expect(seen.at(-1)?.url).toBe('/search?q=two%0D%0A');
    writeFileSync(file, 'raw\n');
    await run(['run', 'findco', 'Search', '-p', `q=@raw:${file}`]);
    expect(seen.at(-1)?.url).toBe('/search?q=raw%0A');
    await run(['run', 'findco', 'Search', '-p', 'q=@@literal']);
    expect(seen.at(-1)?.url).toBe('/search?q=%40literal');
  });
});
