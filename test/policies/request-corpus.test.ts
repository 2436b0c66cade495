import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CORPUS_DIR } from '../helpers/cli.js';
import { connection, memoryCtx, recordFrom, recordingServer } from '../run/helpers.js';
import type { ConnectorRecord } from '../../src/model.js';
import { allOperations } from '../../src/operation/find.js';
import { exampleParams } from '../../src/operation/example.js';
import { callOperation } from '../../src/http/call.js';
import { policyInstances, policyOperations, policySection, policyStatus } from '../../src/policies/index.js';

/**
 * Every policy instance of the published connectors in ../shared/corpus: each is applied by
 * connector run or named with why (the figure is printed), and every operation a request-side
 * instance targets gets through them on --dry-run with example parameters.
 */
const present = existsSync(CORPUS_DIR);
if (!present) console.warn(`skipping policy corpus tests: ${CORPUS_DIR} is absent`);

const folders = present ? readdirSync(CORPUS_DIR).filter((d) => existsSync(join(CORPUS_DIR, d, 'apiProperties.json'))) : [];
const records = () =>
  folders.flatMap((d) => {
    try {
      return [
        recordFrom(d.toLowerCase().replace(/[^a-z0-9]+/g, '-'), join(CORPUS_DIR, d, 'apiDefinition.swagger.json'), join(CORPUS_DIR, d, 'apiProperties.json')),
      ];
    } catch {
      return []; // a folder whose files are not JSON: import reports it, not this test
    }
  });

describe.skipIf(!present)('the corpus’s policy instances', () => {
  it('each one is applied or named with a reason; the count per template', () => {
    const count: Record<string, { request: number; response: number; named: number }> = {};
    const requestNamed = new Set<string>();
    for (const d of folders) {
      let apiProperties: Record<string, unknown>;
      try {
        apiProperties = JSON.parse(readFileSync(join(CORPUS_DIR, d, 'apiProperties.json'), 'utf8').replace(/^\uFEFF/, ''));
      } catch {
        continue;
      }
      for (const t of policyInstances({ apiProperties } as unknown as ConnectorRecord)) {
        const s = policyStatus(t);
        const c = (count[t.templateId.toLowerCase()] ??= { request: 0, response: 0, named: 0 });
        if (s.applied) c[s.side]++;
        else {
          c.named++;
          if (policySection(t).toLowerCase() === 'request') requestNamed.add(t.templateId.toLowerCase());
          expect(s.reason.length).toBeGreaterThan(20);
        }
      }
    }
    const line = Object.entries(count)
      .sort()
      .map(
        ([id, c]) =>
          `${id} ${[c.request && `${c.request} applied`, c.response && `${c.response} on the answer`, c.named && `${c.named} named`].filter(Boolean).join(', ')}`,
      );
    console.info(`policy instances: ${line.join('; ')}`);
    // Request-side instances not applied: only the polling triggers (their effect is the platform's schedule, no change to the request).
    expect([...requestNamed]).toEqual(['pollingtrigger']);
  });

  it('every operation a request-side instance targets goes through them on --dry-run', async () => {
    const failures: string[] = [];
    let ops = 0;
    for (const r of records()) {
      const targeted = policyInstances(r).filter((t) => policyStatus(t).applied && policySection(t).toLowerCase() === 'request');
      if (!targeted.length) continue;
      const names = new Set(targeted.flatMap((t) => policyOperations(t) ?? ['*']).map((o) => o.toLowerCase()));
      for (const op of allOperations(r)) {
        if (!names.has('*') && !names.has(op.operationId.toLowerCase())) continue;
        ops++;
        try {
          await callOperation(memoryCtx().ctx, r, op.operationId, {
            ...exampleParams(op),
            baseUrl: 'https://api.example.test',
            connection: connection('custom', {}, []),
            dryRun: true,
          });
        } catch (e) {
          failures.push(`${r.name} ${op.operationId}: ${(e as Error).message}`);
        }
      }
    }
    console.info(`${ops} operations targeted by request-side policies went through them on --dry-run`);
    expect(failures).toEqual([]);
  }, 60_000);
});

/** Microsoft Planner's own apiProperties (18 request-side instances) against a loopback server: the bodies Graph documents. */
describe.skipIf(!present || !existsSync(join(CORPUS_DIR, 'Planner')))('Planner, as published', () => {
  let server: Awaited<ReturnType<typeof recordingServer>>;
  beforeAll(async () => {
    server = await recordingServer((req) => (req.method === 'GET' ? { body: JSON.stringify({ '@odata.etag': 'W/"JzEtVGFzayAg"' }) } : {}));
  });
  afterAll(() => server?.close());
  const planner = () => recordFrom('planner', join(CORPUS_DIR, 'Planner', 'apiDefinition.swagger.json'), join(CORPUS_DIR, 'Planner', 'apiProperties.json'));
  const call = (op: string, params: Record<string, string>, body: unknown) =>
    callOperation(memoryCtx().ctx, planner(), op, {
      params,
      body: JSON.stringify(body),
      baseUrl: server.url,
      connection: connection('oauth2', { access_token: 'token-12345' }, ['access_token']),
      retries: 0,
    });

  it('CreateTask_V3: "a;b.c" assignees become plannerAssignments keyed by encoded user id', async () => {
    await call('CreateTask_V3', {}, { groupId: 'g', planId: 'p', title: 'T', assignments: 'u1;first.last@example.org' });
    const seen = server.seen.at(-1)!;
    expect([seen.method, seen.url]).toEqual(['POST', '/v1.0/planner/tasks']);
    const a = { orderHint: ' !', '@odata.type': 'microsoft.graph.plannerAssignment' };
    expect(JSON.parse(seen.body.toString()).assignments).toEqual({ u1: a, 'first%2Elast%40example%2Eorg': a });
  });

  it('UpdateTaskDetails_V2: If-Match from the task details, references and checklist as Graph objects', async () => {
    const before = server.seen.length;
    await call(
      'UpdateTaskDetails_V2',
      { id: 't1' },
      { references: [{ alias: 'Spec', resourceLink: 'https://contoso.com/a b.docx', type: 'Word' }], checklist: [{ id: '7', title: 'x', isChecked: false }] },
    );
    const [get, patch] = server.seen.slice(before);
    expect([get.method, get.url, get.headers.authorization]).toEqual(['GET', '/v1.0/planner/tasks/t1/details', 'Bearer token-12345']);
    expect([patch.method, patch.url, patch.headers['if-match']]).toEqual(['PATCH', '/v1.0/planner/tasks/t1/details', 'W/"JzEtVGFzayAg"']);
    expect(JSON.parse(patch.body.toString())).toMatchObject({
      references: {
        'https%3A//contoso%2Ecom/a b%2Edocx': { alias: 'Spec', type: 'Word', previewPriority: ' !', '@odata.type': 'microsoft.graph.plannerExternalReference' },
      },
      checklist: { 7: { title: 'x', isChecked: false, '@odata.type': 'microsoft.graph.plannerChecklistItem' } },
    });
  });
});
