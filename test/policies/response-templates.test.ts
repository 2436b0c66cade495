import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempHome } from '../helpers/cli.js';
import { recordingServer } from '../run/helpers.js';

/**
 * One fixture folder per response-side template (test/fixtures/policies/response-<id>): a paconn
 * connector and cases.json, each case the API's answer ("before") and what `connector run`
 * must print ("after": the body, and the headers named) — the platform's documented examples
 * where its documentation has them. `{base}` stands for the test server's URL.
 */
interface Case {
  name: string;
  operation: string;
  params?: string[];
  env?: Record<string, string>;
  before: { status?: number; headers?: Record<string, string>; body: unknown };
  after: { body: unknown; headers?: Record<string, string | string[]> };
  exit?: number;
  stderr?: string;
  notStderr?: string;
  trace?: string;
}

const ROOT = join(import.meta.dirname, '..', 'fixtures', 'policies');
const folders = readdirSync(ROOT).filter((f) => f.startsWith('response-'));

let server: Awaited<ReturnType<typeof recordingServer>>;
let current: Case['before'] = { body: {} };
const home = tempHome();
beforeAll(async () => {
  server = await recordingServer(() => ({
    status: current.status ?? 200,
    headers: current.headers,
    body: typeof current.body === 'string' ? current.body : JSON.stringify(current.body),
  }));
  for (const f of folders) {
    const r = await runCli(['import', join(ROOT, f), '--name', f], { home });
    expect(r.code, r.stderr).toBe(0);
  }
});
afterAll(() => server.close());

const fill = <T>(v: T): T => JSON.parse(JSON.stringify(v).replaceAll('{base}', server.url));

describe.each(folders)('%s', (folder) => {
  const cases: Case[] = JSON.parse(readFileSync(join(ROOT, folder, 'cases.json'), 'utf8'));
  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    current = fill(c.before);
    const args = ['run', folder, c.operation, ...(c.params ?? []), '--base-url', server.url];
    const env = c.env ?? {};
    const r = await runCli(['--json', ...args], { home, env });
    expect(r.code, r.stderr).toBe(c.exit ?? 0);
    const doc = JSON.parse(r.stdout);
    expect(doc.body).toEqual(fill(c.after.body));
    for (const [k, v] of Object.entries(fill(c.after.headers ?? {}))) expect(doc.headers[k] ?? null, k).toEqual(v);
    if (c.stderr) expect(r.stderr).toContain(fill(c.stderr));
    if (c.notStderr) expect(r.stderr).not.toContain(c.notStderr);
    const secrets = Object.values(env);
    for (const s of secrets) expect(r.stdout + r.stderr).not.toContain(s);
    if (c.trace) {
      const v = await runCli(['--verbose', ...args], { home, env });
      expect(v.stderr).toContain(fill(c.trace));
      for (const s of secrets) expect(v.stdout + v.stderr).not.toContain(s);
    }
  });
});
