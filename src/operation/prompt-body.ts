import { UsageError } from '../errors.js';
import type { ParamValue } from '../http/types.js';
import type { ResolvedConnection } from '../connections/types.js';
import type { Choice } from '../io/prompter.js';
import { dynamicSource, resolveDynamicValues } from './dynamic-values.js';
import { fetchNote, resolveDynamicSchema, schemaSource, type SchemaInputs } from './dynamic-schema.js';
import { coerceScalar, checkValue } from './validate.js';

/**
 * `connector run` on a terminal with no --body and no -f: the JSON body asked for field by field
 * through ctx.prompter(), typed by its schema (an enum is a select, a boolean a confirm, a number
 * is checked and asked again). Asked: the required properties and those marked
 * `x-ms-visibility: important` (what Power Automate shows without "advanced"); readOnly and
 * internal ones are not (an internal one with a default gets it, as the platform sends it). A
 * property with dynamic values offers them as a select; one with a dynamic schema is fetched
 * when it is reached, so it can depend on what was answered before (`body/category`).
 * Returns undefined when the body schema is no object (nothing to ask field by field).
 */

type Obj = Record<string, any>;
const isObj = (v: unknown): v is Obj => Boolean(v) && typeof v === 'object' && !Array.isArray(v);

/** Nested objects asked into, at most. */
const DEPTH = 4;
/** Tries for a value that must parse (a number, JSON). */
const TRIES = 3;

type Inputs = Omit<SchemaInputs, 'body'>;

export async function promptBody(inputs: Inputs): Promise<Obj | undefined> {
  const schema = inputs.op.body?.schema;
  if (!isObj(schema)) return undefined;
  const root: Obj = {};
  const s = await resolved(inputs, schema, root, 'request body');
  if (!isObjectSchema(s)) return undefined;
  await askObject(inputs, s, root, root, [], 0);
  return root;
}

const isObjectSchema = (s: Obj) => s.type === 'object' || (s.type === undefined && isObj(s.properties));

async function resolved(inputs: Inputs, s: Obj, root: Obj, where: string): Promise<Obj> {
  if (!schemaSource(s)) return s;
  const r = await resolveDynamicSchema({ ...inputs, body: root }, s);
  for (const f of r.fetched) if (f.failed) inputs.ctx.io.err(fetchNote(where, f));
  return r.schema;
}

async function askObject(inputs: Inputs, s: Obj, into: Obj, root: Obj, path: string[], depth: number): Promise<void> {
  const required = new Set(Array.isArray(s.required) ? s.required : []);
  for (const [name, prop0] of Object.entries(isObj(s.properties) ? s.properties : {})) {
    if (!isObj(prop0) || prop0.readOnly === true) continue;
    const visibility = prop0['x-ms-visibility'];
    const must = required.has(name);
    if (visibility === 'internal') {
      if (must && prop0.default !== undefined) set(into, name, prop0.default);
      continue;
    }
    if (!must && visibility !== 'important') continue;
    const here = [...path, name];
    const prop = await resolved(inputs, prop0, root, `request body /${here.join('/')}`);
    if (isObjectSchema(prop) && depth < DEPTH) {
      const child: Obj = {};
      set(into, name, child);
      await askObject(inputs, prop, child, root, here, depth + 1);
      if (!must && !Object.keys(child).length) delete into[name];
      continue;
    }
    const v = await askValue(inputs, prop, here, must, root);
    if (v !== undefined) set(into, name, v);
  }
}

/** defineProperty: a spec's property named __proto__ stays a property. */
const set = (o: Obj, k: string, v: unknown) => Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });

const typeOf = (s: Obj): string | undefined => (Array.isArray(s.type) ? s.type.find((t: string) => t !== 'null') : s.type);

async function askValue(inputs: Inputs, s: Obj, path: string[], must: boolean, root: Obj): Promise<unknown> {
  const prompter = await inputs.ctx.prompter();
  const summary = typeof s['x-ms-summary'] === 'string' ? s['x-ms-summary'] : undefined;
  const name = path.join('.');
  const message = `${name}${summary && summary !== path.at(-1) ? ` (${summary})` : ''}${must ? '' : ' (optional)'}`;
  const hint = typeof s.description === 'string' ? s.description : undefined;
  const type = typeOf(s);
  const none: Choice = { name: '(leave out)', value: '\u0000none' };

  const offered = await offeredValues(inputs, s, root);
  if (offered?.length || (Array.isArray(s.enum) && s.enum.length)) {
    const choices: Choice[] = offered ?? enumChoices(s);
    const picked = await prompter.select(message, must ? choices : [...choices, none], { hint });
    if (picked === none.value) return undefined;
    return offered ? coerceScalar(s, picked) : JSON.parse(picked);
  }
  if (type === 'boolean') {
    const yes = await prompter.confirm(message, { default: typeof s.default === 'boolean' ? s.default : false });
    return yes;
  }
  for (let i = 0; i < TRIES; i++) {
    // A password property is not echoed while typed (run masks its value like a connection's secrets).
    const raw =
      s.format === 'password'
        ? await prompter.password(message, { required: must, hint })
        : await prompter.input(message, { required: must, hint, ...(s.default !== undefined ? { default: String(s.default) } : {}) });
    if (raw === '' && !must) return undefined;
    const value = parse(s, type, raw);
    const problems = value === undefined ? [`must be ${type === 'array' ? 'a JSON array or a comma-separated list' : 'JSON'}`] : checkValue(s, value);
    if (!problems.length) return value;
    inputs.ctx.io.err(`${name} ${problems[0]}`);
  }
  throw new UsageError(`no valid value for the request body's ${name}`, 'Pass the body with --body or -f instead.');
}

function parse(s: Obj, type: string | undefined, raw: string): unknown {
  if (type === 'array') {
    if (raw.trim().startsWith('[')) return json(raw);
    const item = isObj(s.items) ? s.items : {};
    return raw === '' ? [] : raw.split(',').map((x) => coerceScalar(item, x.trim()));
  }
  if (type === 'object') return json(raw);
  return coerceScalar(s, raw);
}

function json(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

function enumChoices(s: Obj): Choice[] {
  const named = Array.isArray(s['x-ms-enum-values']) ? s['x-ms-enum-values'].filter(isObj) : [];
  return (s.enum as unknown[]).map((v) => {
    const title = named.find((e) => e.value === v)?.displayName;
    const shown = typeof v === 'string' ? v : JSON.stringify(v);
    return { name: title && title !== shown ? `${shown} (${title})` : shown, value: JSON.stringify(v) };
  });
}

/** A property's dynamic values (x-ms-dynamic-values / -list), given the parameters and the body so far; undefined when it has none or they cannot be had. */
async function offeredValues(inputs: Inputs, s: Obj, root: Obj): Promise<Choice[] | undefined> {
  const source = dynamicSource({ raw: s, schema: s });
  if (!source) return undefined;
  const given: Record<string, ParamValue> = { ...inputs.params };
  const bodyName = inputs.op.body?.name ?? 'body';
  for (const [k, v] of Object.entries(root)) {
    if (isObj(v) || Array.isArray(v) || v === undefined) continue;
    for (const key of [k, `${bodyName}/${k}`, `body/${k}`]) given[key] ??= String(v);
  }
  try {
    const connection: ResolvedConnection = typeof inputs.connection === 'function' ? await inputs.connection() : inputs.connection;
    const values = await resolveDynamicValues(inputs.ctx, inputs.record, source, { connection, given, baseUrl: inputs.baseUrl });
    return values.length ? values.map((v) => ({ name: v.title ? `${v.title} (${v.value})` : v.value, value: v.value })) : undefined;
  } catch (e) {
    if ((e as Error).name === 'CancelError') throw e;
    // Worded as run's parameter prompts word it (prompt-params.ts).
    inputs.ctx.warn(`cannot list the values of this field from ${source.operationId} (${(e as Error).message}); type one`);
    return undefined;
  }
}
