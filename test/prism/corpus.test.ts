import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CORPUS_DIR } from '../helpers/cli.js';
import { connection, memoryCtx, recordFrom } from '../run/helpers.js';
import { allOperations } from '../../src/operation/find.js';
import { exampleParams } from '../../src/operation/example.js';
import { callOperation } from '../../src/http/call.js';
import type { ResolvedConnection } from '../../src/connections/types.js';
import { startPrism } from './prism.js';

/**
 * Every operation of these corpus connectors, called with generated example
 * parameters and a credential of the right kind against `prism mock` of the
 * connector's own spec (--base-url points at Prism). Prism answers 422 to a
 * request that breaks the spec and 401 to a missing credential, so a 2xx means
 * the request we built is valid for that spec.
 */
const CONNECTORS: { dir: string; kind: 'none' | 'basic' | 'apiKey-header' | 'apiKey-query' | 'oauth2' }[] = [
  { dir: 'xkcd', kind: 'none' },
  { dir: 'NHTSA vPIC', kind: 'none' },
  { dir: 'GitHub Utils', kind: 'none' },
  { dir: 'IBM Watson Text to Speech', kind: 'basic' },
  { dir: 'airSlate', kind: 'basic' },
  { dir: 'JIRA', kind: 'basic' },
  { dir: 'Clockify', kind: 'apiKey-header' },
  { dir: 'DeepL', kind: 'apiKey-header' },
  { dir: 'CO2 Signal', kind: 'apiKey-header' },
  { dir: 'Rijksmuseum', kind: 'apiKey-query' },
  { dir: 'Google Books', kind: 'apiKey-query' },
  { dir: 'Kanban Tool', kind: 'apiKey-query' },
  { dir: 'Spotify', kind: 'oauth2' },
  { dir: 'GitHub Gists', kind: 'oauth2' },
  { dir: 'Miro', kind: 'oauth2' },
];

/** Operations we cannot get a 2xx for from Prism, and why. Each must exist in the spec. */
const SKIP: Record<string, Record<string, string>> = {
  // The connector's policies route these to Jira REST v2 paths (/2/...) that its own spec
  // does not declare (it lists /3/...): Prism has no such route and answers 404.
  JIRA: Object.fromEntries(
    [
      'CreateIssue',
      'CreateIssueV2',
      'GetIssue',
      'UpdateIssue',
      'AddComment',
      'ListIssueTypes',
      'ListIssueTypesFields',
      'ListProjects',
      'CreateProject',
      'ListProjects_V2',
      'ListStatuses',
      'ListProjectUsers',
      'ListAssignableUsers',
      'ListPriorityTypes',
      'OnNewIssue',
      'OnCloseIssue',
      'OnUpdateIssue',
      'OnNewIssueJQL',
    ].map((id) => [id, 'routerequesttoendpoint targets a path absent from the spec']),
  ),
  // No `consumes` at all: Prism answers 415 to any request body.
  airSlate: { CreateSlateTrigger: 'spec declares no consumes; Prism rejects every body with 415' },
  'CO2 Signal': {
    // An unfiltered routerequesttoendpoint sends every operation to /latest, whose spec requires countryCode.
    GetLatestbyLatLon: 'policy routes it to /latest, which requires countryCode (Prism 422)',
    GetZones: 'policy routes it to /v3/zones on another host, absent from the spec (Prism 404)',
  },
  // Prism 5.14 does not parse arrays in application/x-www-form-urlencoded bodies (csv or multi): always 400.
  DeepL: {
    TranslateText: 'Prism cannot validate an array formData field',
    // Its Accept header parameter only allows text/tab-separated-values, which no response declares: Prism 406.
    GetGlossaryEntries: 'Accept enum contradicts the declared produces (Prism 406)',
  },
  // Its required Content-Type header parameter (text/plain | text/x-markdown) contradicts the spec's
  // only consumes (application/json): Prism 415 whichever we send.
  'GitHub Utils': { PostMarkdownRaw: 'Content-Type parameter contradicts consumes (Prism 415)' },
  // The TeamId in its routed path comes from a setvaluefromurl policy calling /oauth-token, which the spec does not declare (Prism 404).
  Miro: { GetBoards: 'its setvaluefromurl policy calls /oauth-token, absent from the spec' },
};

function credential(kind: string, def: Record<string, any>): ResolvedConnection | undefined {
  const sd = Object.values<any>(def.securityDefinitions ?? {})[0];
  switch (kind) {
    case 'basic':
      return connection('basic', { username: 'user', password: 'pass-word' }, ['password'], { basic: { username: 'username', password: 'password' } });
    case 'apiKey-header':
    case 'apiKey-query':
      return connection('apiKey', { api_key: 'key-12345' }, ['api_key'], { apiKey: { name: sd.name, in: sd.in, parameter: 'api_key' } });
    case 'oauth2':
      return connection('oauth2', { access_token: 'token-12345' }, ['access_token']);
    default:
      return undefined;
  }
}

const present = existsSync(CORPUS_DIR);
if (!present) console.warn(`skipping Prism corpus tests: ${CORPUS_DIR} is absent`);

describe.skipIf(!present)('every operation against prism mock', () => {
  for (const { dir, kind } of present ? CONNECTORS : []) {
    // the body below reads the corpus while collecting
    describe(`${dir} (${kind})`, () => {
      const folder = join(CORPUS_DIR, dir);
      const spec = join(folder, 'apiDefinition.swagger.json');
      const props = join(folder, 'apiProperties.json');
      const record = recordFrom(dir.toLowerCase().replace(/[^a-z0-9]+/g, '-'), spec, existsSync(props) ? props : undefined);
      const skip = SKIP[dir] ?? {};
      let prism: Awaited<ReturnType<typeof startPrism>>;
      beforeAll(async () => {
        prism = await startPrism(spec);
      }, 40_000);
      afterAll(() => prism?.stop());

      it('gets a 2xx for every operation not on the skip list', async () => {
        const ops = allOperations(record);
        const ids = ops.map((o) => o.operationId);
        for (const id of Object.keys(skip)) expect(ids, `skip-list entry ${id} is stale`).toContain(id);
        const conn = credential(kind, record.definition);
        const failures: string[] = [];
        for (const op of ops) {
          if (skip[op.operationId]) continue;
          const { ctx } = memoryCtx();
          try {
            const res = await callOperation(ctx, record, op.operationId, {
              ...exampleParams(op),
              baseUrl: prism.url,
              connection: conn,
              retries: 0,
              timeoutMs: 10_000,
            });
            if (res.status < 200 || res.status > 299)
              failures.push(`${op.operationId}: HTTP ${res.status} ${res.headers['sl-violations'] ?? res.body.toString().slice(0, 200)}`);
          } catch (e) {
            failures.push(`${op.operationId}: ${(e as Error).message}`);
          }
        }
        expect(failures).toEqual([]);
      }, 60_000);

      // DeepL's setheader policy always writes `Authorization: DeepL-Auth-Key <key>`, so a request
      // without a connection still carries an (empty) credential and Prism accepts it.
      if (kind !== 'none' && dir !== 'DeepL') {
        it('gets 401 without the credential (so the credential is really applied)', async () => {
          const op = allOperations(record).find((o) => !skip[o.operationId] && o.security.length > 0);
          if (!op) return; // every op is anonymous in this spec
          const res = await callOperation(memoryCtx().ctx, record, op.operationId, { ...exampleParams(op), baseUrl: prism.url, retries: 0 });
          expect(res.status).toBe(401);
        });
      }
    });
  }
});
