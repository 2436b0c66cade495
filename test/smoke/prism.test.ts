import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { CORPUS_DIR, runCli, tempHome } from '../helpers/cli.js';
import { startPrism } from '../prism/prism.js';

/**
 * `connector test` against `prism mock`, which plays both sides a real API cannot be made to:
 * it answers with the spec's own examples (test/fixtures/prism/gadgets.swagger.json declares one that
 * breaks its schema on purpose), and it checks every request against the spec (422 with the
 * violations when a parameter or body is wrong, 401 without the API key). Prism's own
 * `sl-violations` header is the second opinion on the JSON pointers `schema: response` reports.
 */
type Prism = Awaited<ReturnType<typeof startPrism>>;
const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'prism', 'gadgets.swagger.json');
const KEY = 'prism-key-5678';
const env = { CONNECTOR_GADGETS__DEFAULT__API_KEY: KEY, CI: 'true' };

const CORPUS = ['rSpaceX', 'NHTSA vPIC'];
const present = existsSync(CORPUS_DIR);
if (!present) console.warn(`skipping the Prism corpus suites: ${CORPUS_DIR} is absent`);

let prism: Prism;
const mocks = new Map<string, Prism>();
let dir: string;
beforeAll(async () => {
  // Prism takes seconds to start: every mock starts at once.
  const corpus = present ? CORPUS.map(async (c) => mocks.set(c, await startPrism(join(CORPUS_DIR, c, 'apiDefinition.swagger.json')))) : [];
  [prism] = await Promise.all([startPrism(FIXTURE), ...corpus]);
  dir = mkdtempSync(join(tmpdir(), 'connector-prism-'));
  // The connector is the same spec with Prism's address as its host; Prism ignores the host.
  writeFileSync(join(dir, 'gadgets.swagger.json'), readFileSync(FIXTURE, 'utf8').replace('__HOST__', new URL(prism.url).host));
}, 60_000);
afterAll(() => Promise.all([prism?.stop(), ...[...mocks.values()].map((m) => m.stop())]));

const suite = (name: string, steps: string) => {
  const f = join(dir, name);
  writeFileSync(f, `connector: ./gadgets.swagger.json\nsteps:\n${steps}`);
  return f;
};
interface JsonReport {
  suites: { steps: { id: string; status: string; failures: string[]; response?: { status: number; excerpt: string } }[] }[];
}
const stepsOf = (stdout: string) => Object.fromEntries((JSON.parse(stdout) as JsonReport).suites[0].steps.map((s) => [s.id, s]));

describe('connector test against prism mock: schema: response', () => {
  it('fails a response that breaks its schema with the JSON pointer of each mismatch, and passes one that matches', async () => {
    const f = suite(
      'schema.suite.yaml',
      `  - operation: GetBrokenGadget
    params: { id: 1 }
    expect: { status: 200, schema: response }
  - operation: GetGadget
    params: { id: 1 }
    expect: { status: 200, schema: response }
  - operation: ListGadgets
    params: { limit: 5 }
    expect: { schema: response }
`,
    );
    const junit = join(dir, 'schema.junit.xml');
    const r = await runCli(['test', f, '--reporter', 'json', '--reporter', `junit=${junit}`], { env });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr.trim().split('\n').at(-1)).toBe('2 passed, 1 failed');
    const steps = stepsOf(r.stdout);
    expect(steps.GetGadget.status).toBe('passed');
    expect(steps.ListGadgets.status).toBe('passed');
    const broken = steps.GetBrokenGadget;
    expect(broken.status).toBe('failed');
    expect(broken.response?.status).toBe(200); // the status held: only the body is wrong
    expect([...broken.failures].sort()).toEqual(['schema: /id: must be integer', 'schema: /owner/name: must be string', 'schema: /tags: must be array']);

    // Prism, validating its own mock against the same schema, finds the same places.
    const res = await fetch(`${prism.url}/broken/1`, { headers: { 'x-api-key': KEY } });
    const violations = JSON.parse(res.headers.get('sl-violations') ?? '[]') as { location: string[] }[];
    const pointers = violations.map((v) => `/${v.location.slice(2).join('/')}`).sort();
    expect(pointers).toEqual(broken.failures.map((m) => /^schema: (\S+):/.exec(m)?.[1]).sort());

    // The JUnit a CI server reads carries the pointers too.
    const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(readFileSync(junit, 'utf8'));
    const cases = xml.testsuites.testsuite.testcase as { name: string; failure?: { message: string; '#text'?: string } }[];
    const failed = cases.filter((c) => c.failure);
    expect(failed).toHaveLength(1);
    expect(`${failed[0].failure?.message}\n${failed[0].failure?.['#text'] ?? ''}`).toContain('/owner/name: must be string');
    expect(readFileSync(junit, 'utf8')).not.toContain(KEY);
  }, 30_000);
});

describe('connector test against prism mock: the requests it sends', () => {
  it('sends requests Prism accepts (parameters, JSON body, API key); Prism answers 422 naming the violation to an invalid body', async () => {
    const f = suite(
      'requests.suite.yaml',
      `  - operation: ListGadgets
    id: valid-query
    params: { limit: 50, color: green }
    expect: { status: 200, schema: response }
  - operation: CreateGadget
    id: valid-body
    body: { name: Gizmo, tags: [new] }
    expect: { status: 201, schema: response }
  - operation: ListGadgets
    id: limit-too-small
    params: { limit: 0 }
  - operation: CreateGadget
    id: empty-name
    body: { name: '' }
    expect: { status: 201 }
  - operation: CreateGadget
    id: expects-422
    body: { tags: [no-name] }
    expect: { status: 422, json: [{ path: '$.validation[0].location', equals: [body] }] }
`,
    );
    const r = await runCli(['test', f, '--reporter', 'json', '--concurrency', '4'], { env });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr.trim().split('\n').at(-1), r.stdout).toBe('3 passed, 2 failed');
    const steps = stepsOf(r.stdout);
    expect(steps['valid-query'].status).toBe('passed');
    expect(steps['valid-body'].status).toBe('passed');
    expect(steps['expects-422'].status).toBe('passed');
    // A parameter outside its declared range is refused before anything is sent (Prism would answer 422).
    expect(steps['limit-too-small'].failures).toEqual(["parameter 'limit' (query) must be >= 1, got 0"]);
    expect(steps['limit-too-small'].response).toBeUndefined();
    // The body is not checked on our side: Prism is the one that refuses it.
    expect(steps['empty-name'].failures).toEqual(['status: expected 201, got 422']);
    expect(steps['empty-name'].response?.excerpt).toContain('Request body property name must NOT have fewer than 1 characters');
  }, 30_000);

  it('`test init --include-writes` writes a suite whose every step Prism accepts; only the broken example fails its schema', async () => {
    const home = tempHome('connector-prism-init-');
    const out = join(dir, 'generated.suite.yaml');
    expect((await runCli(['import', join(dir, 'gadgets.swagger.json')], { home, env })).code).toBe(0);
    const init = await runCli(['test', 'init', 'gadgets', '--include-writes', '-o', out], { home, env });
    expect(init.code, init.stderr).toBe(0);
    expect(readFileSync(out, 'utf8').match(/schema: response/g)).toHaveLength(4);
    const r = await runCli(['test', out, '--reporter', 'json'], { home, env });
    expect(r.stderr.trim().split('\n').at(-1), r.stderr).toBe('3 passed, 1 failed');
    const steps = stepsOf(r.stdout);
    expect(steps.CreateGadget.status).toBe('passed'); // the body built from the schema is valid for Prism
    expect(steps.GetBrokenGadget.failures).toHaveLength(3);
  }, 30_000);
});

/**
 * Real connectors: the suite `connector test <name>` generates from the spec passes against Prism
 * mocking that same spec. The connector is imported from a temporary copy whose host is Prism's
 * and whose basePath is `/` (Prism routes Swagger 2 paths without the basePath); nothing else changes.
 */
describe.skipIf(!present)('generated suites of corpus connectors against prism mock of their own spec', () => {
  for (const name of CORPUS) {
    it(`${name}: every generated step passes, schema checks included`, async () => {
      const src = join(CORPUS_DIR, name);
      const copy = join(dir, 'corpus', name);
      mkdirSync(copy, { recursive: true });
      const spec = JSON.parse(readFileSync(join(src, 'apiDefinition.swagger.json'), 'utf8'));
      writeFileSync(
        join(copy, 'apiDefinition.swagger.json'),
        JSON.stringify({ ...spec, host: new URL(mocks.get(name)!.url).host, schemes: ['http'], basePath: '/' }),
      );
      if (existsSync(join(src, 'apiProperties.json'))) copyFileSync(join(src, 'apiProperties.json'), join(copy, 'apiProperties.json'));
      const home = tempHome('connector-prism-corpus-');
      expect((await runCli(['import', copy, '--name', 'mocked'], { home, env })).code).toBe(0);
      const out = join(copy, 'generated.suite.yaml');
      expect((await runCli(['test', 'init', 'mocked', '-o', out], { home, env })).code).toBe(0);
      const generated = readFileSync(out, 'utf8');
      const included = generated.split('\n').filter((l) => /^ {2}- operation:/.test(l)).length;
      expect(included).toBeGreaterThan(0);
      expect(generated.match(/^ +schema: response$/gm)?.length ?? 0).toBeGreaterThan(0);
      const r = await runCli(['test', 'mocked', '--reporter', 'json', '--concurrency', '4'], { home, env });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr.trim().split('\n').at(-1)).toBe(`${included} passed, 0 failed`);
    }, 60_000);
  }
});
