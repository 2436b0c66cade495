import { describe, it, expect, afterAll } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';

// A source's fixed input that breaks the source's own schema (Azure Machine Learning passes
// x-ms-api-version 2016-06-01 to a parameter whose enum is 2022-05-01): the platform sends what
// the connector declares, so `values` does too, with one warning; a -p value outside it is still refused.
const work = mkdtempSync(join(tmpdir(), 'connector-declared-'));
const seen: string[] = [];
const server = http.createServer((req, res) => {
  seen.push(req.url ?? '');
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ value: [{ id: 'ws1', name: 'Workspace one' }] }));
});
afterAll(() => {
  server.close();
  rmSync(work, { recursive: true, force: true });
});

describe('a dynamic-values source with a fixed input outside its own enum', () => {
  it('is called with the declared value and one warning; -p with that value is still exit 2', async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const version = { name: 'api-version', in: 'query', type: 'string', required: true, enum: ['2022-05-01'] };
    const spec = {
      swagger: '2.0',
      info: { title: 'Declared', version: '1' },
      host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
      schemes: ['http'],
      paths: {
        '/workspaces': { get: { operationId: 'ListWorkspaces', parameters: [version], responses: { 200: { description: 'ok' } } } },
        '/runs/{runId}/logs': {
          get: {
            operationId: 'ListLogs',
            parameters: [{ name: 'runId', in: 'path', type: 'integer', required: true }],
            responses: { 200: { description: 'ok' } },
          },
        },
        '/logs': {
          get: {
            operationId: 'GetLog',
            parameters: [
              { name: 'run', in: 'query', type: 'string', required: true },
              {
                name: 'log',
                in: 'query',
                type: 'string',
                required: true,
                'x-ms-dynamic-values': {
                  operationId: 'ListLogs',
                  parameters: { runId: { parameter: 'run' } },
                  'value-collection': 'value',
                  'value-path': 'id',
                },
              },
            ],
            responses: { 200: { description: 'ok' } },
          },
        },
        '/run': {
          post: {
            operationId: 'Run',
            parameters: [
              {
                name: 'workspace',
                in: 'query',
                type: 'string',
                required: true,
                'x-ms-dynamic-values': {
                  operationId: 'ListWorkspaces',
                  parameters: { 'api-version': { value: '2016-06-01' } },
                  'value-collection': 'value',
                  'value-path': 'id',
                  'value-title': 'name',
                },
              },
            ],
            responses: { 200: { description: 'ok' } },
          },
        },
      },
    };
    const file = join(work, 'declared.swagger.json');
    writeFileSync(file, JSON.stringify(spec));
    expect((await runCli(['import', file, '--name', 'declared'], { home: work })).code).toBe(0);
    const r = await runCli(['values', 'declared', 'Run', 'workspace', '--json'], { home: work });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([{ value: 'ws1', title: 'Workspace one' }]);
    expect(seen).toEqual(['/workspaces?api-version=2016-06-01']);
    expect(r.stderr).toMatch(/parameter 'api-version' \(query\): the connector's own value "2016-06-01" .*; sent as declared/);
    const p = await runCli(['run', 'declared', 'ListWorkspaces', '-p', 'api-version=2016-06-01', '--dry-run'], { home: work });
    expect(p.code).toBe(2);
    expect(seen).toHaveLength(1);
    // a -p value the source's own parameter refuses: the error says it is the source's, and which -p it came from
    const e = await runCli(['values', 'declared', 'GetLog', 'log', '-p', 'run=abc'], { home: work });
    expect(e.code).toBe(2);
    expect(e.stderr.split('\n')[0]).toBe(`connector: the values' source ListLogs: parameter 'runId' (path) must be an integer, got "abc" (given as -p run)`);
    expect(seen).toHaveLength(1);
  });
});
