import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MemoryStore } from '../../src/secrets/store.js';
import { runCli, tempHome } from '../helpers/cli.js';
import { strictPrompter } from '../helpers/context.js';
import { runOnTerminal } from '../helpers/terminal-run.js';

// Interactive run (a terminal, no --no-input): a `format: password` parameter is asked without
// echo and masked like a secret; Ctrl-C while a value list loads ends the run (exit 3), not a warning.
let home: string;
const requests: string[] = [];
let onSlow: (() => void) | undefined;
const server = http.createServer((req, res) => {
  requests.push(req.url ?? '');
  if (req.url?.startsWith('/slow')) return void onSlow?.(); // never answers
  res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
});

beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  home = tempHome('connector-prompt-secure-');
  const spec = {
    swagger: '2.0',
    info: { title: 'Secure', version: '1' },
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    schemes: ['http'],
    paths: {
      '/login': {
        get: {
          operationId: 'Login',
          parameters: [{ name: 'pin', in: 'query', type: 'string', format: 'password', required: true }],
          responses: { 200: { description: 'ok' } },
        },
      },
      '/slow': { get: { operationId: 'SlowList', responses: { 200: { description: 'ok' } } } },
      '/pick': {
        get: {
          operationId: 'Pick',
          parameters: [{ name: 'item', in: 'query', type: 'string', required: true, 'x-ms-dynamic-values': { operationId: 'SlowList', 'value-path': 'id' } }],
          responses: { 200: { description: 'ok' } },
        },
      },
    },
  };
  const file = join(home, 'secure.swagger.json');
  writeFileSync(file, JSON.stringify(spec));
  expect((await runCli(['import', file, '--name', 'secure'], { home })).code).toBe(0);
});

afterAll(() => {
  server.close();
  rmSync(home, { recursive: true, force: true });
});

async function runTty(prompter: ReturnType<typeof strictPrompter>, args: string[], signal?: AbortSignal) {
  const overrides = { secrets: async () => new MemoryStore(), prompter: async () => prompter, ...(signal ? { signal } : {}) };
  return runOnTerminal(['run', 'secure', ...args], { env: { CONNECTOR_HOME: home }, overrides });
}

describe('interactive run', () => {
  it('asks a password parameter without echo, and masks it in --verbose', async () => {
    const p = strictPrompter({ pin: '4711-secret-pin' });
    const r = await runTty(p, ['Login', '--verbose']);
    expect(r.code, r.stderr).toBe(0);
    expect(p.asked.map((a) => a.kind)).toEqual(['password']);
    expect(requests.at(-1)).toBe('/login?pin=4711-secret-pin');
    expect(r.stderr).toContain('> GET http://127.0.0.1');
    expect(r.stderr).not.toContain('4711-secret-pin');
  });

  it('Ctrl-C while the values are listed: exit 3, no warning, nothing more asked', async () => {
    const abort = new AbortController();
    onSlow = () => abort.abort();
    const p = strictPrompter({});
    const r = await runTty(p, ['Pick'], abort.signal);
    expect(r.code).toBe(3);
    expect(r.stderr).not.toContain('cannot list');
    expect(p.asked).toEqual([]);
    expect(requests.filter((u) => u.startsWith('/pick'))).toEqual([]);
  });
});
