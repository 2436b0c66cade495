import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import core from '@stoplight/spectral-core';
import parsers from '@stoplight/spectral-parsers';
import type { ConnectorFiles, RulesetRule } from '../../src/validate/files.js';

const { Spectral, Document } = core;

export const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'validate');

function read(path: string) {
  const text = readFileSync(path, 'utf8').replace(/^\uFEFF/, '');
  return { path, text, doc: JSON.parse(text) };
}

/** A connector from fixture files: <section>/<name>.swagger.json and, when present, <name>.apiProperties.json. */
export function fixture(section: string, name: string): ConnectorFiles {
  const swagger = read(join(FIXTURES, section, `${name}.swagger.json`));
  let apiProperties: ReturnType<typeof read> | undefined;
  try {
    apiProperties = read(join(FIXTURES, section, `${name}.apiProperties.json`));
  } catch {
    apiProperties = undefined;
  }
  return { swagger, apiProperties, format: 'swagger2' };
}

/**
 * Run a section's rules the way the engine does: `props-` rules on apiProperties.json, the others on the swagger;
 * each finding as `rule path/as/pointer`.
 */
export async function lint(rulesOf: (f: ConnectorFiles) => Record<string, RulesetRule>, files: ConnectorFiles): Promise<string[]> {
  const all = rulesOf(files);
  const out: string[] = [];
  for (const [file, props] of [
    [files.swagger, false],
    [files.apiProperties, true],
  ] as const) {
    if (!file) continue;
    const rules = Object.fromEntries(Object.entries(all).filter(([id]) => id.startsWith('props-') === props));
    const s = new Spectral();
    s.setRuleset({ rules });
    const results = await s.run(new Document(file.text, parsers.Json, file.path));
    for (const r of results) out.push(`${r.code} ${r.path.map(String).join('/')}`);
  }
  return out.sort();
}

/** Which rules found something (for "the passing fixture is clean for every rule"). */
export const ruleIds = (findings: string[]) => [...new Set(findings.map((f) => f.split(' ')[0]))];

/** Spectral's own messages for one fixture, by `rule path` (to check a message names the fix). */
export async function messages(rulesOf: (f: ConnectorFiles) => Record<string, RulesetRule>, files: ConnectorFiles): Promise<Record<string, string[]>> {
  const all = rulesOf(files);
  const out: Record<string, string[]> = {};
  for (const [file, props] of [
    [files.swagger, false],
    [files.apiProperties, true],
  ] as const) {
    if (!file) continue;
    const s = new Spectral();
    s.setRuleset({ rules: Object.fromEntries(Object.entries(all).filter(([id]) => id.startsWith('props-') === props)) });
    for (const r of await s.run(new Document(file.text, parsers.Json, file.path))) (out[`${r.code} ${r.path.map(String).join('/')}`] ??= []).push(r.message);
  }
  return out;
}
