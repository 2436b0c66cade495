import { createServer, type Server } from 'node:http';
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import type { Context } from '../../src/context.js';
import type { Browser } from '../../src/io/browser.js';
import { CLIENTS } from '../oauth/helpers/provider.js';

export interface LiveResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A browser seam that opens nothing and remembers what it was asked to open. */
export function stubBrowser(): Browser & { opened: string[] } {
  const opened: string[] = [];
  return { opened, available: () => true, open: async (url) => void opened.push(url) };
}

/** runCli with a stub browser: a test never launches a real one, even with a DISPLAY. */
export function runLive(
  args: string[],
  o: { home: string; env?: NodeJS.ProcessEnv; stdin?: string; overrides?: Partial<Context>; onStderr?: (all: string) => void },
): Promise<LiveResult> {
  return runCli(args, { ...o, overrides: { browser: stubBrowser(), ...o.overrides } });
}

/** Write the fixture connector with the live ports into `dir` (optionally edited) and return the folder. */
export function writeConnector(dir: string, issuer: string, apiHost: string, edit?: (props: any) => void): string {
  const src = join(import.meta.dirname, '..', '..', 'fixtures', 'oauth', 'cli-connector');
  mkdirSync(dir, { recursive: true });
  const fill = (f: string) => readFileSync(join(src, f), 'utf8').replaceAll('__ISSUER__', issuer).replaceAll('__API_HOST__', apiHost);
  writeFileSync(join(dir, 'apiDefinition.swagger.json'), fill('apiDefinition.swagger.json'));
  const props = JSON.parse(fill('apiProperties.json'));
  edit?.(props);
  writeFileSync(join(dir, 'apiProperties.json'), JSON.stringify(props, null, 1));
  return dir;
}

export interface ResourceApi {
  host: string;
  /** Authorization headers' tokens, in order, and what the API answered. */
  calls: { token?: string; status: number }[];
  close(): Promise<void>;
}

/**
 * A loopback API with one operation, GET /me, that accepts a bearer token only when
 * the authorization server's introspection endpoint says it is active.
 */
export async function startResourceApi(issuer: string): Promise<ResourceApi> {
  const meta = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as { introspection_endpoint: string };
  const calls: ResourceApi['calls'] = [];
  const basic = `Basic ${Buffer.from(`${CLIENTS.secretBasic}:${CLIENTS.secret}`).toString('base64')}`;
  const server: Server = createServer(async (req, res) => {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    let info: { active?: boolean; sub?: string; client_id?: string; scope?: string } = {};
    if (token) {
      const r = await fetch(meta.introspection_endpoint, {
        method: 'POST',
        headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token }).toString(),
      });
      info = (await r.json()) as typeof info;
    }
    const status = req.url === '/me' && info.active ? 200 : 401;
    calls.push({ token, status });
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(status === 200 ? { sub: info.sub ?? null, client_id: info.client_id, scope: info.scope } : { error: 'invalid_token' }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    host: `127.0.0.1:${(server.address() as { port: number }).port}`,
    calls,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

export function allFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? allFiles(p) : [p];
  });
}
