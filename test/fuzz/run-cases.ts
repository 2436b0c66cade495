/**
 * Runners for `connector run` input: `-p name=value` params and `--body`. One connector (every
 * parameter location and type, patterns, a JSON and a form body) is imported once into a fuzz home;
 * every case is a `--dry-run` (nothing sent) or, for a share, a real call to a loopback server.
 */
import { writeFileSync } from 'node:fs';
import { runCli, tempHome } from '../helpers/cli.js';
import { recordingServer } from '../run/helpers.js';
import { serialize } from './arbitraries.js';
import { scratch } from './cases.js';
import { expectDocumented } from './harness.js';

export const FUZZ_SPEC = {
  swagger: '2.0',
  info: { title: 'Fuzz run', version: '1' },
  host: '127.0.0.1:9',
  schemes: ['http'],
  paths: {
    '/items/{id}/{twice}': {
      post: {
        operationId: 'all',
        consumes: ['application/json'],
        parameters: [
          { name: 'id', in: 'path', required: true, type: 'string', pattern: '^[a-z0-9]+$' },
          { name: 'n', in: 'query', type: 'integer', minimum: 0, maximum: 10 },
          { name: 'tags', in: 'query', type: 'array', items: { type: 'string' }, collectionFormat: 'multi' },
          { name: 'pipes', in: 'query', type: 'array', items: { type: 'integer' }, collectionFormat: 'pipes' },
          { name: 'mode', in: 'query', type: 'string', enum: ['a', 'b'] },
          { name: 'evil', in: 'query', type: 'string', pattern: '^(a+)+$' },
          { name: 'look', in: 'query', type: 'string', pattern: '^(?=a).*' },
          { name: 'flag', in: 'query', type: 'boolean' },
          { name: 'X-Trace', in: 'header', type: 'string' },
          { name: 'twice', in: 'path', required: true, type: 'string', default: 'x/y', 'x-ms-url-encoding': 'double' },
          { name: 'body', in: 'body', schema: { type: 'object', properties: { name: { type: 'string', pattern: '^(a|aa)+$' } } } },
        ],
        responses: { 200: { description: 'ok', schema: { type: 'object', properties: { name: { type: 'string', pattern: '^(a+)+$' } } } } },
      },
    },
    '/form': {
      post: {
        operationId: 'form',
        consumes: ['multipart/form-data'],
        parameters: [
          { name: 'f', in: 'formData', type: 'file' },
          { name: 's', in: 'formData', type: 'string' },
        ],
        responses: { 200: { description: 'ok' } },
      },
    },
  },
};

let home: string | undefined;
let server: Awaited<ReturnType<typeof recordingServer>> | undefined;

/** Import the fuzz connector and start the loopback API (idempotent). */
export async function startRunTarget(): Promise<void> {
  if (home) return;
  server = await recordingServer((req) => ({ body: req.url.includes('evil') ? JSON.stringify({ name: `${'a'.repeat(40)}!` }) : '{"name":"aa"}' }));
  home = tempHome('connector-fuzz-run-');
  const spec = `${scratch('run')}.swagger.json`;
  writeFileSync(spec, JSON.stringify(FUZZ_SPEC));
  const r = await runCli(['import', spec, '--name', 'fz'], { home });
  if (r.code !== 0) throw new Error(`fuzz connector did not import: ${r.stderr}`);
}

export async function stopRunTarget(): Promise<void> {
  await server?.close();
  server = undefined;
  home = undefined;
}

export interface RunInput {
  op: string;
  params: [string, string][];
  /** Send it to the loopback server (with --validate) instead of --dry-run. */
  send: boolean;
}

function run(args: string[], send: boolean) {
  const tail = send ? ['--base-url', server!.url, '--validate', '--retries', '0', '--timeout', '5'] : ['--dry-run'];
  return runCli(['run', 'fz', ...args, ...tail], { home });
}

/** `-p name=value`… : a documented exit code and one line, whatever the names and values. */
export async function paramsCase(input: RunInput): Promise<void> {
  await startRunTarget();
  expectDocumented(await run([input.op, ...input.params.flatMap(([k, v]) => ['-p', `${k}=${v}`])], input.send));
}

export interface BodyInput {
  /** Body text, or a value ({ $deep } expanded) given as its JSON. */
  body: string | { json: unknown };
  viaFile: boolean;
  send: boolean;
}

/** `--body` text or `@file`: the same property. */
export async function bodyCase(input: BodyInput): Promise<void> {
  await startRunTarget();
  let body = typeof input.body === 'string' ? input.body : serialize(input.body.json, 'json');
  if (input.viaFile) {
    const f = scratch('body.json');
    writeFileSync(f, body);
    body = `@${f}`;
  }
  expectDocumented(await run(['all', '-p', 'id=a1', '--body', body], input.send));
}
