/**
 * One runner per fuzzed format: it turns an input (plain JSON, as generated or as saved in a
 * fixture) into files and commands and checks the properties. fuzz/*.test.ts generate inputs;
 * fixtures.test.ts replays saved ones through the same runners.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { exportPaconn, exportYaml } from '../../src/spec/export.js';
import { prepareImport } from '../../src/spec/import.js';
import { runCli, tempHome } from '../helpers/cli.js';
import { render, serialize } from './arbitraries.js';
import { expectCliErrorOrValue, expectDocumented } from './harness.js';

let work: string | undefined;
let n = 0;
/** A fresh path in this process's scratch folder (removed with the OS temp folder; cases are small). */
export function scratch(name: string): string {
  work ??= mkdtempSync(join(tmpdir(), 'connector-fuzz-'));
  return join(work, `${n++}-${name}`);
}

export type Encoded = { doc: unknown; as: string; edits: { at: number; del: number; ins: string }[] };

/**
 * A definition file (Swagger, OpenAPI, or a connector document): import either succeeds or is one
 * CliError line; what imports exports as YAML (and as paconn, for Swagger 2.0) and imports back the same.
 */
export async function importCase(e: Encoded, ext = e.as): Promise<void> {
  const file = `${scratch('spec')}.${ext}`;
  writeFileSync(file, render(e));
  await roundTrip(file);
}

/** A paconn folder with a valid definition and the fuzzed apiProperties.json. */
export async function apiPropertiesCase(input: { props: Encoded; definition: unknown }): Promise<void> {
  const dir = scratch('paconn');
  mkdirSync(dir);
  writeFileSync(join(dir, 'apiDefinition.swagger.json'), serialize(input.definition, 'json'));
  writeFileSync(join(dir, 'apiProperties.json'), render({ ...input.props, as: 'json' }));
  await roundTrip(dir);
}

async function roundTrip(source: string): Promise<void> {
  const { value } = await expectCliErrorOrValue(() => prepareImport(source));
  if (!value) return;
  const { record } = value;
  const yamlFile = `${scratch('export')}.connector.yaml`;
  writeFileSync(yamlFile, (await exportYaml(record)).text); // must not fail: import accepted it
  const back = (await prepareImport(yamlFile)).record;
  expect(back.definition).toEqual(record.definition);
  expect(back.apiProperties).toEqual(record.apiProperties);
  expect(back.settings).toEqual(record.settings);
  if (record.specFormat === 'swagger2') {
    const dir = scratch('paconn-export');
    await exportPaconn(record, dir);
    const again = (await prepareImport(dir)).record;
    // paconn files are JSON, which has no -0 (JSON.stringify writes 0): compare as JSON sees it.
    expect(again.definition).toEqual(JSON.parse(JSON.stringify(record.definition)));
  }
}

/** The whole CLI on a definition: import, then show, operations and a dry run of each operation. */
export async function cliSpecCase(e: Encoded): Promise<void> {
  const home = tempHome('connector-fuzz-home-');
  const file = `${scratch('spec')}.${e.as}`;
  writeFileSync(file, render(e));
  const imp = await runCli(['import', file, '--name', 'f'], { home });
  expectDocumented(imp);
  if (imp.code !== 0) return;
  expectDocumented(await runCli(['show', 'f'], { home }));
  const ops = await runCli(['--json', 'operations', 'f', '--all'], { home });
  expectDocumented(ops);
  for (const op of (JSON.parse(ops.stdout) as { operationId: string }[]).slice(0, 3)) {
    expectDocumented(await runCli(['run', 'f', op.operationId, '--dry-run', '--base-url', 'http://127.0.0.1:9'], { home }));
  }
}
