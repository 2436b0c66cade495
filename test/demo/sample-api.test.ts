import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
// @ts-expect-error plain JS fixture without type declarations
import { start } from '../../fixtures/sample-api/server.mjs';

const DIR = join(import.meta.dirname, '..', '..', 'fixtures', 'sample-api');
const KEY = 'test-key-123';

type Server = { port: number; url: string; close(): Promise<void> };

describe('fixtures/sample-api server', () => {
  let s: Server;
  const call = (path: string, init: RequestInit & { key?: string | null } = {}) => {
    const headers = new Headers(init.headers);
    if (init.key !== null) headers.set('X-Api-Key', init.key ?? KEY);
    return fetch(`${s.url}${path}`, { ...init, headers });
  };
  beforeAll(async () => {
    s = await start({ apiKey: KEY });
  });
  afterAll(() => s.close());

  it('listens on loopback with a random port', () => {
    expect(s.port).toBeGreaterThan(0);
    expect(s.url).toBe(`http://127.0.0.1:${s.port}/api`);
  });

  it('answers 401 without the key or with a wrong one', async () => {
    expect((await call('/notes', { key: null })).status).toBe(401);
    const r = await call('/notes', { key: 'wrong' });
    expect(r.status).toBe(401);
    expect(await r.json()).toEqual({ error: 'missing or invalid X-Api-Key header' });
  });

  it('lists notes, honouring limit', async () => {
    const all = await (await call('/notes')).json();
    expect(all.map((n: { id: number }) => n.id)).toEqual([1, 2, 3]);
    expect(await (await call('/notes?limit=2')).json()).toHaveLength(2);
    expect((await call('/notes?limit=zero')).status).toBe(400);
  });

  it('gets a note by id, 404 for a missing one', async () => {
    const r = await call('/notes/2');
    expect(r.status).toBe(200);
    expect((await r.json()).title).toBe('Groceries');
    const missing = await call('/notes/999');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: 'note 999 not found' });
  });

  it('searches with a query parameter and requires it', async () => {
    const hits = await (await call('/notes/search?q=TODO')).json();
    expect(hits.map((n: { id: number }) => n.id)).toEqual([2, 3]);
    expect((await call('/notes/search')).status).toBe(400);
  });

  it('creates a note from a JSON body, rejects a body without title', async () => {
    const r = await call('/notes', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title: 'New', tags: ['x'] }) });
    expect(r.status).toBe(201);
    expect(await r.json()).toEqual({ id: 4, title: 'New', text: '', tags: ['x'] });
    expect((await call('/notes/4')).status).toBe(200);
    expect((await call('/notes', { method: 'POST', body: '{"text":"no title"}' })).status).toBe(400);
    expect((await call('/notes', { method: 'POST', body: '{not json' })).status).toBe(400);
  });

  it('close() stops listening', async () => {
    const other: Server = await start({ apiKey: 'k' });
    await other.close();
    await expect(fetch(`${other.url}/notes`)).rejects.toThrow();
  });

  it('as a script prints {"port":N} first and serves with SAMPLE_API_KEY', async () => {
    const child = spawn(process.execPath, [join(DIR, 'server.mjs')], {
      env: { ...process.env, SAMPLE_API_KEY: 'script-key' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const first = await new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once('line', resolve));
      const { port } = JSON.parse(first);
      const r = await fetch(`http://127.0.0.1:${port}/api/notes/1`, { headers: { 'X-Api-Key': 'script-key' } });
      expect(r.status).toBe(200);
    } finally {
      child.kill('SIGTERM');
    }
  });
});

describe('fixtures/sample-api connector files', () => {
  it('is a valid Swagger 2.0 paconn folder with an apiKey header and a securestring api_key', async () => {
    const SwaggerParser = (await import('@apidevtools/swagger-parser')).default;
    const api = (await SwaggerParser.validate(join(DIR, 'apiDefinition.swagger.json'))) as any;
    expect(api.securityDefinitions.api_key).toEqual({ type: 'apiKey', in: 'header', name: 'X-Api-Key' });
    const ids = Object.values(api.paths).flatMap((p: any) => Object.values(p).map((o: any) => o.operationId));
    expect(ids.sort()).toEqual(['createNote', 'getNote', 'listNotes', 'searchNotes']);
    const props = JSON.parse(readFileSync(join(DIR, 'apiProperties.json'), 'utf8'));
    expect(props.properties.connectionParameters.api_key.type).toBe('securestring');
    expect(props.properties.connectionParameters.api_key.uiDefinition.displayName).toBe('API key');
  });
});
