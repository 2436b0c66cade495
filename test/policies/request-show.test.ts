import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { callOperation } from '../../src/http/call.js';
import { handlesResponse } from '../../src/policies/response.js';
import { runCli, tempHome } from '../helpers/cli.js';
import { connection, memoryCtx, recordFrom } from '../run/helpers.js';

const DIR = join(import.meta.dirname, '..', 'fixtures', 'policies', 'tasks');

/**
 * Issue 12, defect 1: one response-side setheader made `show` mark every request-side
 * setheader "not supported locally" (the set was keyed by template id). Per instance now.
 */
describe('connector show: policies marked per instance', () => {
  it('the request-side setheaders are applied although a response-side setheader exists; --json says so per instance', async () => {
    const home = tempHome();
    expect((await runCli(['import', DIR, '--name', 'tasks'], { home })).code).toBe(0);
    const r = await runCli(['show', 'tasks'], { home });
    expect(r.code).toBe(0);
    const line = (title: string) => r.stdout.split('\n').find((l) => l.startsWith(`  setheader — ${title}`));
    expect(line('token')).toBe('  setheader — token');
    expect(line('client')).toBe('  setheader — client');
    const responseSide = handlesResponse({ templateId: 'setheader', parameters: { 'x-ms-apimTemplate-policySection': 'Response' } });
    expect(line('cache')).toBe(responseSide ? '  setheader — cache' : '  setheader — cache  (not applied by connector run)');
    // the ones connector run cannot reproduce say which and why
    expect(r.stdout).toContain(
      '  PollingTrigger — new items  (not applied by connector run)\n      applies to polling triggers only (the platform re-runs the operation on a schedule and keeps the trigger state); connector run sends the request without it',
    );

    const j = JSON.parse((await runCli(['show', 'tasks', '--json'], { home })).stdout);
    const byTitle = Object.fromEntries(j.policies.map((p: { title: string; supported: boolean }) => [p.title, p.supported]));
    expect([byTitle.token, byTitle.client, byTitle.cache]).toEqual([true, true, responseSide]);
    // applied by the response pipeline, with what differs locally
    expect(j.policies.find((p: { title: string }) => p.title === 'sign in again')).toMatchObject({
      supported: true,
      limitation: expect.stringContaining('the stored connection is left as it is'),
    });
  });

  it('control: --dry-run shows the request-side setheaders applied', async () => {
    const record = recordFrom('tasks', join(DIR, 'apiDefinition.swagger.json'), join(DIR, 'apiProperties.json'));
    const res = await callOperation(memoryCtx().ctx, record, 'GetItem', {
      params: { id: '7' },
      connection: connection('custom', { host: 'https://api.tasks.example', token: 'tok-123456' }, ['token']),
      dryRun: true,
    });
    expect(res.request.headers).toMatchObject({ 'X-Api-Token': '***', 'X-Client': 'connector-cli' });
    expect(res.request.url).toBe('https://api.tasks.example/v1/v2/items/7?api-version=2024-01');
  });
});
