import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CORPUS_DIR } from '../helpers/cli.js';
import { connection, memoryCtx } from '../run/helpers.js';
import { bodyFieldPaths } from '../../src/completion/fields.js';
import { allOperations, type Operation } from '../../src/operation/find.js';
import { exampleValue } from '../../src/operation/example.js';
import { dynamicTargets, type DynamicTarget } from '../../src/operation/dynamic-targets.js';
import { resolveDynamicValues, resolveTree } from '../../src/operation/dynamic-values.js';
import type { ConnectorRecord } from '../../src/model.js';
import type { ResolvedConnection } from '../../src/connections/types.js';
import type { ParamValue } from '../../src/http/types.js';
import { startPrismInProcess as startPrism } from './prism-inprocess.js';

/**
 * Every operation input of the corpus connectors that has dynamic values (x-ms-dynamic-values,
 * -list, -tree; parameters and body properties), resolved against `prism mock` of that
 * connector's own spec, one Prism per connector that has any, a few at a time. The calling
 * operation's other inputs get example values (what a user would have typed before asking), so
 * a `{ "parameter": … }` reference is filled. Prints how many resolve and why the rest do not;
 * the floor below keeps the figure from dropping unnoticed.
 */
/** Measured: 818 of 1,215 (December 2026); a little room for Prism's own changes. */
const RESOLVED_FLOOR = 810;
const PARALLEL = 4;

interface Case {
  connector: string;
  op: Operation;
  target: DynamicTarget;
}

const present = existsSync(CORPUS_DIR);
if (!present) console.warn(`skipping the dynamic-values corpus test: ${CORPUS_DIR} is absent`);

/** The connectors, each with its inputs that have dynamic values (those without any are left out). */
function corpus(): { dir: string; spec: string; record?: ConnectorRecord; cases: Case[]; error?: string }[] {
  const out = [];
  for (const dir of readdirSync(CORPUS_DIR, { withFileTypes: true })) {
    if (!dir.isDirectory()) continue;
    const folder = join(CORPUS_DIR, dir.name);
    const spec = join(folder, 'apiDefinition.swagger.json');
    if (!existsSync(spec)) continue;
    const props = join(folder, 'apiProperties.json');
    let record: ConnectorRecord;
    try {
      record = readRecord(dir.name, spec, existsSync(props) ? props : undefined);
    } catch (e) {
      out.push({ dir: dir.name, spec, cases: [], error: `unreadable: ${(e as Error).message}` });
      continue;
    }
    const cases: Case[] = [];
    for (const op of allOperations(record)) for (const target of dynamicTargets(op)) cases.push({ connector: dir.name, op, target });
    out.push({ dir: dir.name, spec, record, cases });
  }
  return out;
}

/** A record as `import` would make it (a byte-order mark is allowed, as import allows it). */
function readRecord(dir: string, spec: string, props?: string): ConnectorRecord {
  const json = (file: string) => JSON.parse(readFileSync(file, 'utf8').replace(/^\uFEFF/, ''));
  const definition = json(spec);
  return {
    name: dir.toLowerCase().replace(/[^a-z0-9]+/g, '-'),
    title: definition.info?.title ?? dir,
    specFormat: 'swagger2',
    source: { kind: 'file', location: spec },
    importedAt: new Date(0).toISOString(),
    definition,
    ...(props ? { apiProperties: json(props) } : {}),
  };
}

/** A credential of the kind the source operation's security asks for (else the spec's first definition); Prism checks presence only. */
function credential(def: Record<string, any>, source: Operation | undefined): ResolvedConnection | undefined {
  const defs = def.securityDefinitions ?? {};
  const sd = defs[source?.security[0] ?? ''] ?? Object.values<any>(defs)[0];
  switch (sd?.type) {
    case 'basic':
      return connection('basic', { username: 'user', password: 'pass-word' }, ['password'], { basic: { username: 'username', password: 'password' } });
    case 'apiKey':
      return connection('apiKey', { api_key: 'key-12345' }, ['api_key'], { apiKey: { name: sd.name, in: sd.in, parameter: 'api_key' } });
    case 'oauth2':
      return connection('oauth2', { access_token: 'token-12345' }, ['access_token']);
    default:
      return undefined;
  }
}

/**
 * Example values for the calling operation's inputs: what a user would have given before asking
 * for this one's values. Body properties too, by path (`client.id`) and by name: a body property's
 * source refers to its siblings so.
 */
function examples(op: Operation): Record<string, ParamValue> {
  const given: Record<string, ParamValue> = {};
  const add = (name: string, schema: Record<string, any>) => {
    const v = schema.default ?? exampleValue(schema);
    if (v !== undefined && v !== null && typeof v !== 'object' && given[name] === undefined) given[name] = String(v);
  };
  for (const f of op.body ? bodyFieldPaths(op.body.schema) : []) {
    const path = f.text.replace(/=$/, '');
    add(path, f.schema);
    add(path.split('.').at(-1)!, f.schema);
  }
  for (const p of op.params) {
    delete given[p.name];
    add(p.name, p.schema);
  }
  return given;
}

/** Why a case did not resolve, in a few words shared by like cases (the counts group by it). */
function reason(e: Error, k: Case): string {
  const m = e.message;
  const enumOf = /parameter '([^']+)' \(\w+\) must be one of/.exec(m);
  if (enumOf) {
    const input = (k.target.source ?? k.target.tree?.open)?.parameters[enumOf[1]];
    return input && 'value' in input
      ? "a fixed value in the extension's parameters is outside the source parameter's enum"
      : "the example value given for a referenced parameter is outside the source parameter's enum";
  }
  if (/depend on '/.test(m)) return 'the source needs a parameter the calling operation does not have';
  if (/has no operation '/.test(m)) return 'the source operation is not in the spec';
  if (/answered HTTP 404/.test(m)) return 'Prism answered HTTP 404 (a policy routes the source to a path the spec does not declare)';
  if (/answered HTTP (\d+)/.test(m)) return `Prism answered HTTP ${/answered HTTP (\d+)/.exec(m)![1]}`;
  if (/did not answer JSON/.test(m)) return 'Prism answered no JSON';
  if (/answered an empty body/.test(m)) return 'Prism answered an empty body (the spec declares no response media type: produces [])';
  if (/no list at/.test(m)) return "Prism's answer has no list where the source says";
  return m.replace(/'[^']*'/g, "'…'").slice(0, 100);
}

const outcomes: { connector: string; input: string; result: string; detail?: string }[] = [];
const timings: Record<string, number[]> = {};

describe.skipIf(!present)('dynamic values of the corpus connectors against prism mock', () => {
  afterAll(() => {
    if (!outcomes.length) return;
    const resolved = outcomes.filter((o) => o.result === 'resolved').length;
    const by = new Map<string, number>();
    for (const o of outcomes) if (o.result !== 'resolved') by.set(o.result, (by.get(o.result) ?? 0) + 1);
    const lines = [...by].sort((a, b) => b[1] - a[1]).map(([r, n]) => `  ${String(n).padStart(4)}  ${r}`);
    if (process.env.CONNECTOR_DYNAMIC_DUMP) writeFileSync(process.env.CONNECTOR_DYNAMIC_DUMP, JSON.stringify({ outcomes, timings }, null, 1));
    const connectors = new Set(outcomes.map((o) => o.connector)).size;
    const body = outcomes.filter((o) => / body\./.test(o.input)).length;
    console.log(
      `dynamic values in the corpus: ${resolved} of ${outcomes.length} inputs (${outcomes.length - body} parameters, ${body} body properties; ${connectors} connectors) resolve against Prism\n${lines.join('\n')}`,
    );
  });

  it('resolves every input with dynamic values it can, and says why not for the rest', async () => {
    const all = corpus().filter((c) => c.cases.length || c.error);
    const queue = [...all];
    const worker = async () => {
      for (let c = queue.shift(); c; c = queue.shift()) {
        if (!c.record) {
          outcomes.push({ connector: c.dir, input: '(spec)', result: c.error! });
          continue;
        }
        // Nothing to call: no Prism needed.
        const callable = c.cases.filter((k) => !k.target.unsupported);
        for (const k of c.cases.filter((x) => x.target.unsupported))
          outcomes.push({ connector: c.dir, input: `${k.op.operationId} ${k.target.name}`, result: k.target.unsupported!.replace(/ [\w.]+,/, ',') });
        if (!callable.length) continue;
        let prism: Awaited<ReturnType<typeof startPrism>>;
        const t0 = Date.now();
        try {
          prism = await startPrism(c.spec);
          timings[c.dir] = [Date.now() - t0, callable.length];
        } catch {
          for (const k of callable) outcomes.push({ connector: c.dir, input: `${k.op.operationId} ${k.target.name}`, result: 'Prism cannot serve the spec' });
          continue;
        }
        try {
          const ops = new Map(allOperations(c.record).map((o) => [o.operationId, o]));
          for (const k of callable) {
            const { ctx } = memoryCtx();
            const conn = credential(c.record.definition, ops.get((k.target.source ?? k.target.tree!.open).operationId));
            const opts = { connection: conn ?? connection('none', {}, []), given: examples(k.op), baseUrl: prism.url, timeoutMs: 10_000 };
            let result: string;
            let detail: string | undefined;
            try {
              const values = k.target.tree
                ? await resolveTree(ctx, c.record, k.target.tree, opts)
                : await resolveDynamicValues(ctx, c.record, k.target.source!, opts);
              result = values.length ? 'resolved' : "Prism's example list has no item with a value at the value path";
            } catch (e) {
              result = reason(e as Error, k);
              detail = (e as Error).message;
            }
            outcomes.push({ connector: c.dir, input: `${k.op.operationId} ${k.target.name}`, result, detail });
          }
          timings[c.dir].push(Date.now() - t0);
        } finally {
          await prism.stop();
        }
      }
    };
    await Promise.all(Array.from({ length: PARALLEL }, worker));
    const resolved = outcomes.filter((o) => o.result === 'resolved').length;
    expect(outcomes.length).toBeGreaterThan(0);
    expect(resolved, `only ${resolved} of ${outcomes.length} resolve`).toBeGreaterThanOrEqual(RESOLVED_FLOOR);
  }, 120_000);
});
