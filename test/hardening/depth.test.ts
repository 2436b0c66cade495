// Issue 15, finding 6: input nested deeper than the stack allows, and lone surrogates, ended in
// "unexpected error … This is a bug". Each now ends in one line naming what and where, exit 2,
// and whatever import accepts, export writes and import reads back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_DEPTH } from '../../src/util/depth.js';
import { exportYaml } from '../../src/spec/export.js';
import { prepareImport } from '../../src/spec/import.js';
import { failure, runCli, tempHome } from '../helpers/cli.js';

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'connector-depth-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** `levels` objects inside each other: {a:{a:…1}}. */
const nest = (levels: number, leaf: unknown = 1): unknown => {
  let v = leaf;
  for (let i = 0; i < levels; i++) v = { a: v };
  return v;
};
const swagger = (extra: Record<string, unknown> = {}) => ({
  swagger: '2.0',
  info: { title: 'Deep', version: '1' },
  host: '127.0.0.1:9',
  schemes: ['http'],
  paths: {
    '/x/{id}': {
      post: {
        operationId: 'op',
        parameters: [
          { name: 'id', in: 'path', required: true, type: 'string' },
          { name: 'q', in: 'query', type: 'array', items: { type: 'string' } },
          { name: 'body', in: 'body', schema: { type: 'object' } },
        ],
        responses: { 200: { description: 'ok' } },
      },
    },
  },
  ...extra,
});
const paconn = (name: string, apiProperties: unknown, definition: unknown = swagger()) => {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'apiDefinition.swagger.json'), JSON.stringify(definition));
  writeFileSync(join(dir, 'apiProperties.json'), JSON.stringify(apiProperties));
  return dir;
};

/** The command failed as a user mistake: exit 2, one `connector:` line (and a hint), no bug report. */
function refused(r: { code: number; stderr: string }, says: RegExp) {
  expect(r.stderr).not.toMatch(/unexpected error|This is a bug/);
  expect(r.code).toBe(2);
  const lines = r.stderr.trim().split('\n');
  expect(lines[0]).toMatch(/^connector: /);
  expect(lines[0]).toMatch(says);
  expect(lines.length).toBeLessThanOrEqual(2);
}

describe('nesting depth', () => {
  it('refuses apiProperties nested 4,000 deep on import, naming the file and where', async () => {
    const r = await runCli(['import', paconn('props4000', { properties: nest(4000) })]);
    refused(r, /apiProperties\.json: nested more than 256 levels deep \(at #\/properties\/a\/a\/a\/a\/…\/a\/a\/a\)/);
  });

  it('refuses a connector 1,000 deep on import, which export could not write back', async () => {
    refused(await runCli(['import', paconn('props1000', { properties: nest(1000) })]), /nested more than/);
    refused(
      await runCli(['import', paconn('def1000', { properties: {} }, swagger({ 'x-deep': nest(1000) }))]),
      /apiDefinition\.swagger\.json: nested more than/,
    );
  });

  it('round-trips a connector at the limit: import, export YAML, import the export (identical)', async () => {
    const home = tempHome();
    // Each part at exactly MAX_DEPTH levels: its innermost object MAX_DEPTH - 1 levels below its top.
    const dir = paconn('atLimit', { properties: { x: nest(MAX_DEPTH - 2) } }, swagger({ 'x-deep': nest(MAX_DEPTH - 1) }));
    expect((await runCli(['import', dir, '--name', 'deep'], { home })).code).toBe(0);
    const out = join(work, 'deep.connector.yaml');
    const exp = await runCli(['export', 'deep', '-o', out], { home });
    expect(exp.stderr).not.toMatch(/connector:/);
    expect(exp.code).toBe(0);
    const again = await runCli(['import', out, '--name', 'deep2'], { home });
    expect(again.stderr).not.toMatch(/connector:/);
    expect(again.code).toBe(0);
    const a = (await prepareImport(dir)).record;
    const b = (await prepareImport(out)).record;
    expect(b.definition).toEqual(a.definition);
    expect(b.apiProperties).toEqual(a.apiProperties);
    // One level more is refused, in either form.
    refused(await runCli(['import', paconn('overLimit', { properties: { x: nest(MAX_DEPTH - 1) } })], { home }), /nested more than/);
  });

  it('refuses a paconn folder whose export would not import back (apiProperties.properties an array; found by fuzzing)', async () => {
    const r = await runCli(['import', paconn('propsArray', { properties: [] })]);
    expect(r.stderr).not.toMatch(/unexpected error/);
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n')[0]).toMatch(/^connector: .*propsArray \(apiProperties\): at #\/properties: must be object$/);
  });

  it('refuses a YAML document deeper than the YAML parser can go, as nesting, not a syntax error', async () => {
    const file = join(work, 'deep.yaml');
    writeFileSync(file, `swagger: "2.0"\ninfo: {title: t, version: "1"}\npaths: {}\nx-deep: ${'['.repeat(5000)}${']'.repeat(5000)}\n`);
    refused(await runCli(['import', file]), /deep\.yaml: nested more than 256 levels deep/);
  });

  it('export of a record deeper than import allows (an older version stored it) is one line, not a stack overflow', async () => {
    const record = (await prepareImport(paconn('small', { properties: {} }))).record;
    record.apiProperties = { properties: nest(2000) as Record<string, unknown> };
    expect(await failure(exportYaml(record))).toMatch(/^connector 'deep': nested more than 256 levels deep/);
  });

  it('refuses a --body nested 4,500 deep, and a -p JSON value nested too deep', async () => {
    const home = tempHome();
    const spec = join(work, 'deep.swagger.json');
    writeFileSync(spec, JSON.stringify(swagger()));
    expect((await runCli(['import', spec, '--name', 'd'], { home })).code).toBe(0);
    const body = join(work, 'body.json');
    writeFileSync(body, `${'['.repeat(4500)}${']'.repeat(4500)}`);
    refused(await runCli(['run', 'd', 'op', '-p', 'id=1', '--body', `@${body}`, '--dry-run'], { home }), /^connector: the request body: nested more than 256/);
    refused(
      await runCli(['run', 'd', 'op', '-p', 'id=1', '-p', `q=${'['.repeat(3000)}${']'.repeat(3000)}`, '--dry-run'], { home }),
      /parameter 'q' \(query\): nested more/,
    );
    // Within the limit it is sent.
    const ok = await runCli(['run', 'd', 'op', '-p', 'id=1', '--body', JSON.stringify(nest(200)), '--dry-run'], { home });
    expect(ok.code).toBe(0);
  });
});

describe('lone surrogates in -p', () => {
  it('refuses a lone surrogate in a path or query value with one line (it used to end in "URI malformed")', async () => {
    const home = tempHome();
    const spec = join(work, 'surrogate.swagger.json');
    writeFileSync(spec, JSON.stringify(swagger()));
    expect((await runCli(['import', spec, '--name', 's'], { home })).code).toBe(0);
    // In-process the argument keeps its lone half (a shell's argv is UTF-8 bytes and arrives as U+FFFD).
    refused(await runCli(['run', 's', 'op', '-p', 'id=a\ud800', '--dry-run'], { home }), /parameter 'id' \(path\) contains a lone UTF-16 surrogate/);
    // A JSON array value keeps an escaped lone half however it arrives.
    refused(await runCli(['run', 's', 'op', '-p', 'id=1', '-p', 'q=["\\udc00x"]', '--dry-run'], { home }), /parameter 'q' \(query\) contains a lone/);
    // A pair is one character: sent, percent-encoded as UTF-8.
    const ok = await runCli(['run', 's', 'op', '-p', 'id=1', '-p', 'q=["\\ud83d\\ude00"]', '--dry-run'], { home });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('q=%F0%9F%98%80');
    // In JSON body text the escape is only text, sent as given.
    const body = await runCli(['run', 's', 'op', '-p', 'id=1', '--body', '{"a":"\\ud800"}', '--dry-run'], { home });
    expect(body.code).toBe(0);
  });
});
