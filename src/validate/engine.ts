/**
 * The validator's engine (issue 11): builds a Spectral ruleset from the rule modules
 * (rules/index.ts), runs it over each file of a connector and turns Spectral's results into
 * Findings (RFC 6901 pointer, 1-based line:column). Spectral is loaded here, lazily: only
 * `connector validate` pays for it.
 *
 * $refs: Spectral resolves the document's own (#/…) refs, so rules see the resolved tree,
 * and nothing else: its resolver has no file or http reader (validate never leaves the
 * machine). Its own `invalid-ref` and `parser` diagnostics are dropped: the schema-ref-*
 * rules and files.ts report those, with ids that --rule can turn off.
 */
import type { ISpectralDiagnostic, RuleDefinition } from '@stoplight/spectral-core';
import { UsageError } from '../errors.js';
import { closest } from '../util/suggest.js';
import { load } from '../util/load.js';
import { type ConnectorFile, type ConnectorFiles, locate } from './files.js';
import { type Finding, type Severity, sortFindings } from './findings.js';
import { RULE_MODULES, type RuleTarget, targetOf } from './rules/index.js';

/** Findings files.ts makes while reading (not Spectral rules, but --rule treats them alike). */
export const READ_RULES: Record<string, { severity: Severity; description: string }> = {
  'file-parse': { severity: 'error', description: 'The file is valid JSON or YAML' },
  'json-strict': { severity: 'warning', description: 'JSON without comments or trailing commas (the platform refuses them)' },
  'file-api-properties': { severity: 'warning', description: 'A paconn folder has apiProperties.json' },
};

export type Override = Severity | 'off';

/** `--rule id=off|warning|error` values, checked against the known rule ids (exit 2, with did-you-mean). */
export function parseOverrides(values: readonly string[], known: readonly string[]): Map<string, Override> {
  const out = new Map<string, Override>();
  for (const v of values) {
    const m = /^([^=]+)=(off|warning|error|info)$/.exec(v.trim());
    if (!m) throw new UsageError(`--rule '${v}': expected id=off|warning|error`, 'Example: --rule operation-summary=off');
    if (!known.includes(m[1])) {
      const near = closest(m[1], [...known]);
      throw new UsageError(
        `--rule '${m[1]}': no such rule`,
        near.length ? `Did you mean ${near.join(', ')}?` : 'connector validate --json lists the rules of its findings.',
      );
    }
    out.set(m[1], m[2] as Override);
  }
  return out;
}

/** Every rule of every module, with the modules called on `files` (the definitions only: nothing runs). */
export function ruleDefinitions(files: ConnectorFiles): Map<string, RuleDefinition> {
  const all = new Map<string, RuleDefinition>();
  for (const mod of RULE_MODULES) {
    for (const [id, def] of Object.entries(mod(files))) {
      if (all.has(id) || id in READ_RULES) throw new Error(`validate: rule id '${id}' is defined twice`); // a bug in the rule modules
      all.set(id, def as RuleDefinition);
    }
  }
  return all;
}

const NO_FILES: ConnectorFiles = { swagger: { path: '', text: '{}', doc: {} }, format: 'swagger2' };

/** Every rule id validate knows, sorted. */
export function knownRules(): string[] {
  return [...Object.keys(READ_RULES), ...ruleDefinitions(NO_FILES).keys()].sort();
}

/** A rule's description (SARIF's rule list): its own, else its id. */
export function ruleDescriptions(): Map<string, { description: string; severity: Severity }> {
  const out = new Map<string, { description: string; severity: Severity }>();
  for (const [id, r] of Object.entries(READ_RULES)) out.set(id, r);
  for (const [id, def] of ruleDefinitions(NO_FILES)) {
    const description = (def as { description?: string }).description ?? (typeof def.message === 'string' && !def.message.includes('{{') ? def.message : id);
    out.set(id, { description, severity: fromSpectral(def.severity) });
  }
  return out;
}

function fromSpectral(s: unknown): Severity {
  if (s === 0 || s === 'error') return 'error';
  if (s === 2 || s === 3 || s === 'info' || s === 'hint') return 'info';
  return 'warning'; // Spectral's default severity is a warning
}

type Core = typeof import('@stoplight/spectral-core');
let resolver: unknown;

/** Wrap a rule's functions so that a bug in one rule is a finding of that rule, not a crash of the run. */
function guarded(id: string, def: RuleDefinition): RuleDefinition {
  const wrap = (then: any) => {
    const fn = then.function;
    if (typeof fn !== 'function') return then;
    const crashed = (e: unknown) => [{ message: `rule ${id} failed here (a bug in connector, please report it): ${(e as Error)?.message ?? e}` }];
    const safe = function (this: unknown, ...args: unknown[]) {
      try {
        const r = fn.apply(this, args);
        return r && typeof r.then === 'function' ? r.catch(crashed) : r;
      } catch (e) {
        return crashed(e);
      }
    };
    return { ...then, function: safe };
  };
  // Without a message Spectral shows the rule's description; a function's own message says more.
  return { message: '{{error}}', ...def, then: Array.isArray(def.then) ? def.then.map(wrap) : wrap(def.then) } as RuleDefinition;
}

const esc = (s: string | number) => String(s).replace(/~/g, '~0').replace(/\//g, '~1');
export const toPointer = (path: readonly (string | number)[]) => path.map((p) => `/${esc(p)}`).join('');

/** Run one document's rules; findings located in `file`. */
async function runOn(core: Core, file: ConnectorFile, rules: Record<string, RuleDefinition>): Promise<Finding[]> {
  if (!Object.keys(rules).length) return [];
  resolver ??= new (load<typeof import('@stoplight/spectral-ref-resolver')>('@stoplight/spectral-ref-resolver').Resolver)({ resolvers: {} });
  const spectral = new core.Spectral({ resolver: resolver as any });
  spectral.setRuleset({ rules });
  // Spectral's own parse (@stoplight/json, with an AST and a line map) costs more than the rules: the
  // document is the one files.ts parsed, and positions are worked out only for what is reported.
  // A plain IParsedResult: run() makes its ParsedDocument of it (an instance given to run() would be re-serialized).
  const document = {
    parsed: { data: file.doc, diagnostics: [], ast: {}, lineMap: [] },
    getLocationForJsonPath: (_parsed: unknown, path: readonly (string | number)[]) => {
      const at = locate(file, path);
      const p = { line: at.line - 1, character: at.column - 1 };
      return { range: { start: p, end: p } };
    },
  };
  const results: ISpectralDiagnostic[] = await spectral.run(document as any, { ignoreUnknownFormat: true });
  return results
    .filter((r) => r.code !== 'parser' && r.code !== 'invalid-ref')
    .map((r) => ({
      rule: String(r.code),
      severity: fromSpectral(r.severity),
      message: r.message,
      file: file.path,
      pointer: (file.base ?? '') + toPointer(r.path as (string | number)[]),
      line: r.range.start.line + 1,
      column: r.range.start.character + 1,
    }));
}

/** Apply --rule overrides to findings: `off` drops them, a severity replaces theirs. */
export function applyOverrides(findings: Finding[], overrides: ReadonlyMap<string, Override>): Finding[] {
  return findings.flatMap((f) => {
    const o = overrides.get(f.rule);
    if (!o) return [f];
    return o === 'off' ? [] : [{ ...f, severity: o }];
  });
}

/** Validate one connector's files: every rule module, each rule on the file its id targets. */
export async function validateFiles(
  files: ConnectorFiles,
  overrides: ReadonlyMap<string, Override> = new Map(),
  /** Tests only: other rules than the modules'. */
  definitions: ReadonlyMap<string, RuleDefinition> = ruleDefinitions(files),
): Promise<Finding[]> {
  const core = load<Core>('@stoplight/spectral-core');
  const byTarget: Record<RuleTarget, Record<string, RuleDefinition>> = { swagger: {}, apiProperties: {}, settings: {} };
  for (const [id, def] of definitions) {
    const o = overrides.get(id);
    if (o === 'off') continue;
    byTarget[targetOf(id)][id] = guarded(id, o ? { ...def, severity: o === 'warning' ? 'warn' : o } : def);
  }
  const findings: Finding[] = [];
  findings.push(...(await runOn(core, files.swagger, byTarget.swagger)));
  if (files.apiProperties) findings.push(...(await runOn(core, files.apiProperties, byTarget.apiProperties)));
  if (files.settings) findings.push(...(await runOn(core, files.settings, byTarget.settings)));
  return sortFindings(applyOverrides(findings, overrides));
}
