/**
 * The runner for suite YAML: the fuzz connector (run-cases.ts) is imported once, pointed at a
 * loopback API, and each case runs `connector test <suite>` in-process against it.
 */
import { writeFileSync } from 'node:fs';
import { runCli, tempHome } from '../helpers/cli.js';
import { recordingServer } from '../run/helpers.js';
import { render } from './arbitraries.js';
import { type Encoded, scratch } from './cases.js';
import { expectDocumented } from './harness.js';
import { FUZZ_SPEC } from './run-cases.js';

let home: string | undefined;
let server: Awaited<ReturnType<typeof recordingServer>> | undefined;

export async function startSuiteTarget(): Promise<void> {
  if (home) return;
  server = await recordingServer((req) => ({
    headers: { 'x-n': String(req.url.length) },
    body: req.url.includes('evil') ? '{"name":[1,{"a":null}]}' : '{"name":"aa","id":"b2"}',
  }));
  home = tempHome('connector-fuzz-suite-');
  const spec = `${scratch('suite-target')}.swagger.json`;
  writeFileSync(spec, JSON.stringify({ ...FUZZ_SPEC, host: new URL(server.url).host }));
  const r = await runCli(['import', spec, '--name', 'fz'], { home });
  if (r.code !== 0) throw new Error(`fuzz connector did not import: ${r.stderr}`);
}

export async function stopSuiteTarget(): Promise<void> {
  await server?.close();
  server = undefined;
  home = undefined;
}

export interface SuiteInput {
  suite: Encoded;
  args: string[];
}

/** `connector test suite.yaml [args]`: a documented exit code, one `connector:` line, never a bug. */
export async function suiteCase(input: SuiteInput): Promise<void> {
  await startSuiteTarget();
  const file = `${scratch('suite')}.yaml`;
  writeFileSync(file, render(input.suite));
  expectDocumented(await runCli(['test', file, ...input.args], { home }));
}
