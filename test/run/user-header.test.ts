import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { prepareCall, sendPrepared } from '../../src/http/call.js';
import type { AuthScheme } from '../../src/auth/plugin.js';
import { runCli, tempHome } from '../helpers/cli.js';
import { MemoryStore } from '../../src/secrets/store.js';
import { makeRecord, register } from '../connections/helpers.js';
import { connection, FIXTURES, memoryCtx, recordFrom, recordingServer } from './helpers.js';

// A -H header that replaces the one the connection's auth sets is the user's own credential.
const swagger = recordFrom('wire', join(FIXTURES, 'wire.swagger.json'));
let server: Awaited<ReturnType<typeof recordingServer>>;
beforeAll(async () => {
  // Always 401, echoing the request headers back (as httpbin's /headers does).
  server = await recordingServer((req) => ({
    status: req.url.includes('/items/') ? 401 : 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ headers: req.headers }),
  }));
});
afterAll(() => server.close());

/** The real apiKey scheme sets the header, then a strict stand-in answers the 401 (an OAuth refresh grant would go here). */
async function call(headers: Record<string, string> | undefined) {
  const { ctx } = memoryCtx();
  const conn = connection('apiKey', { api_key: 'k-stored' }, ['api_key'], { apiKey: { name: 'X-Api-Key', in: 'header', parameter: 'api_key' } });
  const opts = { params: { itemId: '1' }, headers, connection: conn, baseUrl: `${server.url}/base`, retries: 0 };
  const prepared = await prepareCall(ctx, swagger, 'GetItem', opts);
  let renewals = 0;
  const strict: AuthScheme = {
    kind: 'apiKey',
    authorize: async () => {},
    onUnauthorized: async () => {
      renewals++;
      return true;
    },
  };
  const before = server.seen.length;
  const res = await sendPrepared(ctx, { ...prepared, scheme: strict }, opts);
  return { res, renewals, sent: server.seen.length - before, last: server.seen.at(-1)! };
}

describe('a -H header that replaces the auth header', () => {
  it('a 401 to it renews nothing and is not sent again; without -H the scheme is asked once', async () => {
    const mine = await call({ 'X-Api-Key': 'mine-123' });
    expect([mine.res.status, mine.renewals, mine.sent]).toEqual([401, 0, 1]);
    expect(mine.last.headers['x-api-key']).toBe('mine-123');
    const control = await call(undefined);
    expect([control.res.status, control.renewals, control.sent]).toEqual([401, 1, 2]);
  });

  it('its value is a secret value: masked in an echoed body like the connection’s own', async () => {
    const { res } = await call({ 'X-Api-Key': 'mine-123' });
    expect(res.body.toString()).toContain('mine-123');
    expect(res.redactor!.mask(res.body.toString())).not.toContain('mine-123');
  });

  it('connector run -H … --query: masked in the output, shown with --show-secrets', async () => {
    const home = tempHome();
    const store = new MemoryStore();
    const host = server.url.replace(/^http:\/\//, '');
    await register(
      home,
      makeRecord('echoco', {
        definition: {
          host,
          schemes: ['http'],
          securityDefinitions: { key: { type: 'apiKey', in: 'header', name: 'X-Api-Key' } },
          paths: { '/headers': { get: { operationId: 'Headers', responses: { 200: { description: 'ok' } } } } },
        },
        apiProperties: {
          properties: { connectionParameters: { api_key: { type: 'securestring', uiDefinition: { displayName: 'Key', constraints: { required: 'true' } } } } },
        },
      }),
    );
    const run = (args: string[]) => runCli(args, { home, env: { K: 'stored-key' }, overrides: { secrets: async () => store } });
    expect((await run(['connection', 'create', 'echoco', '--no-verify', '--param-env', 'api_key=K'])).code).toBe(0);
    for (const extra of [[], ['--query', '$.headers']]) {
      const r = await run(['run', 'echoco', 'Headers', '-H', 'X-Api-Key: mine-123', ...extra]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('x-api-key');
      expect(r.stdout + r.stderr).not.toContain('mine-123');
    }
    const shown = await run(['run', 'echoco', 'Headers', '-H', 'X-Api-Key: mine-123', '--query', '$.headers', '--show-secrets']);
    expect(shown.stdout).toContain('mine-123');
  });
});
