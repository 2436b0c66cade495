import http from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { ConnectorRecord, AuthOption, AuthKind } from '../../src/model.js';
import type { ResolvedConnection } from '../../src/connections/types.js';
import type { Context } from '../../src/context.js';
import { HttpClient } from '../../src/http/client.js';
import { systemClock } from '../../src/io/clock.js';
import { memoryIO, testContext } from '../helpers/context.js';

export const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'run');

/** A ConnectorRecord built straight from spec JSON (no import command needed). */
export function recordFrom(name: string, specPath: string, apiPropertiesPath?: string): ConnectorRecord {
  const definition = JSON.parse(readFileSync(specPath, 'utf8'));
  return {
    name,
    title: definition.info?.title ?? name,
    specFormat: definition.openapi ? 'openapi3.0' : 'swagger2',
    source: { kind: 'file', location: specPath },
    importedAt: new Date(0).toISOString(),
    definition,
    ...(apiPropertiesPath ? { apiProperties: JSON.parse(readFileSync(apiPropertiesPath, 'utf8')) } : {}),
  };
}

export function connection(kind: AuthKind, values: Record<string, string>, secretParams: string[], option?: Partial<AuthOption>): ResolvedConnection {
  return {
    record: {
      connector: 'x',
      name: 'default',
      authOption: option?.id ?? kind,
      kind,
      values: Object.fromEntries(Object.entries(values).filter(([k]) => !secretParams.includes(k))),
      secretParams,
      secretStore: 'memory',
      isDefault: true,
      createdAt: '',
      updatedAt: '',
    },
    option: option ? { id: kind, label: kind, kind, parameters: [], ...option } : undefined,
    values,
    secrets: secretParams.map((p) => values[p]).filter(Boolean),
    origins: {},
  };
}

/** A Context over in-memory streams with what an operation call uses: a real HTTP client (the tests' servers are on loopback), the real clock (retries wait) and a signal. */
export function memoryCtx(opts: { verbose?: boolean; env?: NodeJS.ProcessEnv } = {}): { ctx: Context; stdout: () => string; stderr: () => string } {
  const { io, stdout, stderr } = memoryIO({ env: opts.env });
  const signal = new AbortController().signal;
  const ctx = testContext({ io, http: new HttpClient({ env: io.env, signal }), clock: systemClock, signal, verbose: Boolean(opts.verbose) });
  return { ctx, stdout, stderr };
}

export interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/**
 * A loopback server that records every request and answers from `reply`
 * (default 200 `{"ok":true}`). Listens on 127.0.0.1, port 0.
 */
export async function recordingServer(
  reply: (req: Seen, n: number) => { status?: number; headers?: Record<string, string>; body?: string | Buffer; destroy?: boolean } = () => ({}),
): Promise<{ url: string; seen: Seen[]; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const s: Seen = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) };
      seen.push(s);
      const r = reply(s, seen.length);
      if (r.destroy) {
        req.socket.destroy();
        return;
      }
      res.writeHead(r.status ?? 200, { 'content-type': 'application/json', ...(r.headers ?? {}) });
      res.end(r.body ?? '{"ok":true}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
