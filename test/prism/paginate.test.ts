import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CORPUS_DIR, runCli, tempHome } from '../helpers/cli.js';
import { connection, memoryCtx, recordFrom } from '../run/helpers.js';
import { allOperations } from '../../src/operation/find.js';
import { exampleParams } from '../../src/operation/example.js';
import { prepareCall, sendPrepared } from '../../src/http/call.js';
import { pages, pagingFor, type PagesEnd } from '../../src/operation/paginate.js';
import type { ResolvedConnection } from '../../src/connections/types.js';
import type { ConnectorRecord } from '../../src/model.js';
import { startPrism } from './prism.js';

// Prism serves a response's example as is, so a paginated API is mocked by giving each page an
// example whose next link is RELATIVE (an absolute one would have to know Prism's port): it
// resolves against the page's own URL, which is Prism's. Here three operations chain
// /gadgets → /gadgets/more?token=p2 → (relative "last") /gadgets/last.

const SPEC = join(import.meta.dirname, '..', 'fixtures', 'paginate', 'prism.swagger.json');
const KEY = 'prism-page-key-1';

describe('run --paginate against prism mock', () => {
  let prism: Awaited<ReturnType<typeof startPrism>>;
  let home: string;
  beforeAll(async () => {
    prism = await startPrism(SPEC);
    home = tempHome();
    const r = await runCli(['import', SPEC, '--name', 'gadgets'], { home });
    expect(r.code, r.stderr).toBe(0);
  }, 40_000);
  afterAll(() => prism?.stop());

  const run = (args: string[], env: NodeJS.ProcessEnv = { CONNECTOR_GADGETS_DEFAULT_API_KEY: KEY }) =>
    runCli(['run', 'gadgets', 'ListGadgets', '--base-url', prism.url, ...args], { home, env });

  it('pages through the three examples, with the credential on every page (Prism answers 401 without it)', async () => {
    const r = await run(['--paginate', '--format', 'ndjson']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(
      r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).id),
    ).toEqual([1, 2, 3, 4]);
    const none = await run(['--paginate'], { CONNECTOR_GADGETS_DEFAULT_API_KEY: '' });
    expect(none.code).not.toBe(0);
  });

  it('without --paginate: the first page and the hint', async () => {
    const r = await run([]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).nextLink).toBe('/gadgets/more?token=p2');
    expect(r.stderr).toBe('more pages exist: add --paginate (x-ms-pageable nextLink)\n');
  });
});

/**
 * Every x-ms-pageable operation of the corpus, paged against Prism of its own spec (example
 * parameters, a credential of the spec's kind, at most 3 pages). What Prism invents for a next
 * link decides how far it goes: "string" (a relative link to a path of the spec's, or not), a
 * `format: uri` example (another origin: refused, as it must be), or nothing. The test pins that
 * every operation whose first page is 2xx is paged without an unexpected error, and prints the
 * tally (the report's numbers).
 */
const present = existsSync(CORPUS_DIR);
if (!present) console.warn(`skipping the corpus pagination measure: ${CORPUS_DIR} is absent`);

function credentialFor(record: ConnectorRecord): ResolvedConnection | undefined {
  const sd = Object.values<any>((record.definition as any).securityDefinitions ?? {})[0];
  if (!sd) return undefined;
  if (sd.type === 'basic')
    return connection('basic', { username: 'user', password: 'pass-word' }, ['password'], { basic: { username: 'username', password: 'password' } });
  if (sd.type === 'apiKey') return connection('apiKey', { api_key: 'key-12345' }, ['api_key'], { apiKey: { name: sd.name, in: sd.in, parameter: 'api_key' } });
  return connection('oauth2', { access_token: 'token-12345' }, ['access_token']);
}

/** Short mode: two connectors (one of each way a next link goes); CONNECTOR_HARDENING=long: all of them (about a minute). */
const SHORT = ['Almabase', 'AzureIoTCentral'];

function pageableConnectors(): string[] {
  const long = process.env.CONNECTOR_HARDENING === 'long';
  return readdirSync(CORPUS_DIR).filter((d) => {
    if (!long && !SHORT.includes(d)) return false;
    const f = join(CORPUS_DIR, d, 'apiDefinition.swagger.json');
    return existsSync(f) && /"x-ms-pageable"/.test(readFileSync(f, 'utf8'));
  });
}

describe.skipIf(!present)('corpus x-ms-pageable operations against prism mock', () => {
  const tally: Record<string, string[]> = {};
  const note = (what: string, id: string) => (tally[what] ??= []).push(id);
  afterAll(() => {
    const total = Object.values(tally).reduce((n, l) => n + l.length, 0);
    console.log(
      `pageable operations: ${total}\n${Object.entries(tally)
        .map(([k, v]) => `  ${v.length}  ${k}: ${v.join(', ')}`)
        .join('\n')}`,
    );
  });

  for (const dir of present ? pageableConnectors() : []) {
    it(`${dir}: every pageable operation whose first page is 2xx pages without an unexpected error`, async () => {
      const folder = join(CORPUS_DIR, dir);
      const spec = join(folder, 'apiDefinition.swagger.json');
      const props = join(folder, 'apiProperties.json');
      const record = recordFrom(dir.toLowerCase().replace(/[^a-z0-9]+/g, '-'), spec, existsSync(props) ? props : undefined);
      const prism = await startPrism(spec);
      try {
        for (const op of allOperations(record).filter((o) => o.raw['x-ms-pageable'] !== undefined)) {
          const id = `${dir}/${op.operationId}`;
          const { ctx } = memoryCtx();
          const call = { ...exampleParams(op), baseUrl: prism.url, connection: credentialFor(record), retries: 0, timeoutMs: 10_000 };
          let prepared: Awaited<ReturnType<typeof prepareCall>>;
          try {
            prepared = await prepareCall(ctx, record, op.operationId, call);
          } catch (e) {
            note(`not built: ${(e as Error).message.slice(0, 60)}`, id);
            continue;
          }
          const first = await sendPrepared(ctx, prepared, call);
          if (first.status < 200 || first.status > 299) {
            note(`first page HTTP ${first.status}`, id);
            continue;
          }
          const walk = pages(ctx, prepared, first, { call, paging: pagingFor(op), maxPages: 3, allowCrossOrigin: false });
          let step = await walk.next();
          while (!step.done) step = await walk.next();
          note(outcome(step.value), id);
        }
      } finally {
        await prism.stop();
      }
    }, 60_000);
  }
});

function outcome(end: PagesEnd): string {
  switch (end.kind) {
    case 'last':
      return end.pages === 1 ? 'paged: one page (no next link in the example)' : `paged: ${end.pages} pages to the last`;
    case 'max':
      return 'paged: 3 pages and more (--max-pages)';
    case 'loop':
      return `paged: ${end.pages} pages, then the same link again (loop stop)`;
    case 'failed':
      return `paged: followed the next link Prism invented ("string", relative) to page ${end.pages + 1}, which is HTTP ${end.res.status}`;
    case 'error':
      return /another origin/.test(end.error.message)
        ? 'paged: the next link Prism invented (format: uri, another origin) refused'
        : `not paged: page 1 ${end.error.message.replace(/^page \d+ of \S+ /, '')}`;
  }
}
