import type { Context } from '../context.js';
import { CancelError } from '../errors.js';
import type { ConnectorRecord } from '../model.js';
import type { ResolvedConnection } from '../connections/types.js';
import type { ParamValue } from '../http/types.js';
import type { Choice, Prompter } from '../io/prompter.js';
import { sanitizeLine } from '../io/sanitize.js';
import type { Operation, OpParam } from './find.js';
import { dynamicSource, dynamicTree, resolveDynamicValues, resolveTree, type DynamicSource, type DynamicTree, type DynamicValue } from './dynamic-values.js';

/**
 * Interactive `run`: ask for each required path, query and header parameter the command line
 * left out (not the body: prompt-body.ts), as the platform's designer does. An enum is a select;
 * a parameter with dynamic values offers what its source operation answers, as a search list
 * (what was typed may be sent too); a tree is walked one level at a time. A source that fails
 * is one warning line, then free input. Without a terminal, or with --no-input, nothing is asked
 * and no source is called: `params` is returned as given (a missing one is then exit 2).
 */
export async function promptMissingParams(
  ctx: Context,
  record: ConnectorRecord,
  op: Operation,
  params: Record<string, ParamValue>,
  connection: ResolvedConnection,
  opts: { baseUrl?: string } = {},
): Promise<Record<string, ParamValue>> {
  if (ctx.noInput || !ctx.io.canPrompt()) return params;
  const out = { ...params };
  const missing = op.params.filter((p) => p.required && ASKED.has(p.in) && p.visibility !== 'internal' && p.schema.default === undefined && !given(out, p));
  if (!missing.length) return params;
  const prompter = await ctx.prompter();
  const started = new Set<OpParam>();
  const ask = async (p: OpParam): Promise<void> => {
    if (started.has(p) || given(out, p)) return;
    started.add(p);
    const source = dynamicSource(p);
    const tree = source ? undefined : dynamicTree(p);
    // A source that takes another missing parameter's value: that one is asked first.
    for (const input of Object.values((source ?? tree?.open)?.parameters ?? {})) {
      if (!('parameter' in input)) continue;
      const dep = missing.find((m) => m.name.toLowerCase() === input.parameter.toLowerCase());
      if (dep) await ask(dep);
    }
    out[p.name] = await askOne(ctx, prompter, { record, op, param: p, given: out, connection, source, tree, baseUrl: opts.baseUrl });
  };
  for (const p of missing) await ask(p);
  return out;
}

const ASKED = new Set(['path', 'query', 'header']);

/** Whether the line gives `p` (by name in any case, or as `in:name`), as buildRequest matches them. */
function given(params: Record<string, ParamValue>, p: OpParam): boolean {
  const names = new Set([p.name.toLowerCase(), `${p.in}:${p.name}`.toLowerCase()]);
  return Object.keys(params).some((k) => names.has(k.toLowerCase()));
}

interface Ask {
  record: ConnectorRecord;
  op: Operation;
  param: OpParam;
  given: Record<string, ParamValue>;
  connection: ResolvedConnection;
  source?: DynamicSource;
  tree?: DynamicTree;
  baseUrl?: string;
}

async function askOne(ctx: Context, prompter: Prompter, a: Ask): Promise<string> {
  const p = a.param;
  const summary = typeof p.raw['x-ms-summary'] === 'string' ? p.raw['x-ms-summary'].trim() : '';
  const message = sanitizeLine(summary && summary !== p.name ? `${summary} (${p.name})` : p.name);
  const hint = p.description ? sanitizeLine(p.description.split('\n')[0]) : undefined;
  const values = Array.isArray(p.schema.enum) ? p.schema.enum : p.schema.type === 'boolean' ? [true, false] : undefined;
  if (values?.length) {
    const choices = values.map((v: unknown) => ({ name: sanitizeLine(String(v)), value: String(v) }));
    return prompter.select(message, choices, { hint });
  }
  if (a.source || a.tree) {
    const picked = a.tree ? await walkTree(ctx, prompter, a, message, hint) : await pickFrom(ctx, prompter, a, message, hint);
    if (picked !== undefined) return picked;
  }
  // A password parameter is not echoed while typed (run masks its value like a connection's secrets).
  if (p.schema.format === 'password') return prompter.password(message, { required: true, hint });
  return prompter.input(message, { required: true, hint });
}

const resolveOpts = (a: Ask, parent?: string) => ({ connection: a.connection, given: a.given, parent, baseUrl: a.baseUrl });

/** The source's values, or undefined (after one warning line) when it cannot give any. */
async function listed(ctx: Context, a: Ask, operationId: string, work: () => Promise<DynamicValue[]>): Promise<DynamicValue[] | undefined> {
  try {
    const list = await ctx.progress.spin(`Listing the values of ${a.param.name} (${operationId})`, work);
    if (list.length) return list;
    ctx.warn(`${operationId} answered no values for ${a.param.name}; type one`);
  } catch (e) {
    if (e instanceof CancelError) throw e; // Ctrl-C while listing ends the run (exit 3), as anywhere
    ctx.warn(`cannot list the values of ${a.param.name} (${(e as Error).message}); type one`);
  }
  return undefined;
}

const choice = (v: DynamicValue, value = v.value): Choice =>
  v.title !== undefined ? { name: sanitizeLine(v.title), value, description: sanitizeLine(v.value) } : { name: sanitizeLine(v.value), value };

async function pickFrom(ctx: Context, prompter: Prompter, a: Ask, message: string, hint?: string): Promise<string | undefined> {
  const source = a.source!;
  const list = await listed(ctx, a, source.operationId, () => resolveDynamicValues(ctx, a.record, source, resolveOpts(a)));
  if (!list) return undefined;
  const choices = list.map((v) => choice(v));
  return prompter.search ? prompter.search(message, choices, { hint, free: true }) : prompter.select(message, choices, { hint });
}

/** Prefixes of a tree's choices (a NUL never comes from a keyboard): choose the item, or open it. */
const PICK = '\u0000pick:';
const OPEN = '\u0000open:';

/** One level at a time: an item is chosen, or a parent opened to list its children. */
async function walkTree(ctx: Context, prompter: Prompter, a: Ask, message: string, hint?: string): Promise<string | undefined> {
  const tree = a.tree!;
  let parent: string | undefined;
  for (;;) {
    const level = parent === undefined ? tree.open : tree.browse!;
    const list = await listed(ctx, a, level.operationId, () => resolveTree(ctx, a.record, tree, resolveOpts(a, parent)));
    if (!list) return undefined;
    const choices: Choice[] = [];
    for (const v of list) {
      if (v.isParent ? tree.canSelectParents : tree.canSelectLeaves) choices.push(choice(v, PICK + v.value));
      if (v.isParent && tree.browse) choices.push({ ...choice(v, OPEN + (v.parent ?? v.value)), name: `${sanitizeLine(v.title ?? v.value)}/ …` });
    }
    const answer = prompter.search ? await prompter.search(message, choices, { hint, free: true }) : await prompter.select(message, choices, { hint });
    if (answer.startsWith(OPEN)) parent = answer.slice(OPEN.length);
    else return answer.startsWith(PICK) ? answer.slice(PICK.length) : answer;
  }
}
