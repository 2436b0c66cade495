import type { Context } from '../context.js';
import { InputNeededError, UsageError } from '../errors.js';
import type { AuthOption, ConnectionModel, ConnectionParameter } from '../model.js';
import { closest } from '../util/suggest.js';
import { valueParameters } from './store.js';
import { checkValue } from './check.js';

export { checkValue };

export interface ParamFlags {
  param?: string[];
  paramEnv?: string[];
  paramStdin?: string;
}

export interface Supplied {
  value: string;
  /** How it arrived (argv, a prompt, --param-env, --param-stdin, a template, the default). */
  via: 'param' | 'prompt' | 'env' | 'stdin' | 'template' | 'default';
}

const canPrompt = (ctx: Context) => !ctx.noInput && ctx.io.canPrompt();

/** How the picker and the errors name a kind to a person (never the internal kind id). */
const KIND_NAMES: Record<string, string> = {
  oauth2: 'OAuth 2.0 sign-in',
  windows: 'Windows authentication',
  gateway: 'on-premises data gateway',
  basic: 'user name and password',
  apiKey: 'API key',
  custom: 'connection parameters',
  none: 'no credentials',
};

/** `api-key`, `API_Key` and `apikey` all name the kind apiKey. */
const kindKey = (s: string) => s.toLowerCase().replace(/[-_\s.]/g, '');

/**
 * Pick the auth option: --auth as an option id, an option label, or a kind name
 * (`--auth oauth2`, `--auth windows`) when exactly one option is of that kind; else the
 * only option, or a select prompt worded by the connector's own uiDefinition.
 */
export async function chooseOption(ctx: Context, connector: string, model: ConnectionModel, wanted?: string): Promise<AuthOption | undefined> {
  const options = model.options;
  const listed = (list: AuthOption[]) => list.map((o) => `--auth ${o.id}` + (o.label !== o.id ? ` (${o.label})` : '')).join(', ');
  if (wanted) {
    const w = wanted.toLowerCase();
    const found = options.find((o) => o.id.toLowerCase() === w) ?? options.find((o) => o.label.toLowerCase() === w);
    if (found) return found;
    if (!options.length) throw new UsageError(`connector '${connector}' has no authentication options (it needs no --auth)`);
    const ofKind = options.filter((o) => kindKey(o.kind) === kindKey(wanted));
    if (ofKind.length === 1) return ofKind[0];
    if (ofKind.length > 1) {
      throw new UsageError(
        `--auth ${wanted}: connector '${connector}' has ${ofKind.length} options of that kind (${KIND_NAMES[ofKind[0].kind] ?? ofKind[0].kind})`,
        `Choose one: ${listed(ofKind)}.`,
      );
    }
    const kinds = [...new Set(options.map((o) => o.kind))].join(', ');
    throw new UsageError(`connector '${connector}' has no auth option '${wanted}'`, `Choose one of: ${listed(options)} (or a kind: ${kinds}).`);
  }
  if (options.length <= 1) return options[0];
  if (!canPrompt(ctx)) {
    throw new InputNeededError(`connector '${connector}' offers ${options.length} ways to connect; choose one with --auth`, `Pass one of: ${listed(options)}.`);
  }
  const p = await ctx.prompter();
  const id = await p.select(
    model.picker?.label ?? 'How do you want to connect?',
    options.map((o) => ({ name: o.label, value: o.id, description: o.description ?? KIND_NAMES[o.kind] ?? o.kind })),
    { hint: model.picker?.description },
  );
  return options.find((o) => o.id === id);
}

/** Values given by flags, stdin and a template, checked against the option's parameter names. */
export async function suppliedValues(
  ctx: Context,
  option: AuthOption | undefined,
  flags: ParamFlags,
  template: Record<string, string> = {},
): Promise<Map<string, Supplied>> {
  const params = valueParameters(option);
  const names = params.map((p) => p.name);
  const check = (name: string, flag: string) => {
    if (names.includes(name)) return name;
    const ci = names.find((n) => n.toLowerCase() === name.toLowerCase());
    if (ci) return ci;
    const near = closest(name, names);
    throw new UsageError(
      `${flag} ${name}: this connection has no parameter '${name}'`,
      names.length ? (near.length ? `Did you mean: ${near.join(', ')}? ` : '') + `Parameters: ${names.join(', ')}.` : 'This connection takes no parameters.',
    );
  };
  const out = new Map<string, Supplied>();
  for (const [k, v] of Object.entries(template)) if (names.includes(k)) out.set(k, { value: v, via: 'template' });
  for (const pair of flags.param ?? []) {
    const i = pair.indexOf('=');
    if (i <= 0) throw new UsageError(`--param ${pair.split('=')[0]}: expected name=value`);
    const name = check(pair.slice(0, i), '--param');
    out.set(name, { value: pair.slice(i + 1), via: 'param' });
  }
  for (const pair of flags.paramEnv ?? []) {
    const i = pair.indexOf('=');
    if (i <= 0) throw new UsageError(`--param-env ${pair}: expected name=ENV_VAR`);
    const name = check(pair.slice(0, i), '--param-env');
    const variable = pair.slice(i + 1);
    const value = ctx.io.env[variable];
    if (value === undefined || value === '') throw new UsageError(`--param-env ${name}=${variable}: the environment variable ${variable} is not set`);
    out.set(name, { value, via: 'env' });
  }
  if (flags.paramStdin) {
    const name = check(flags.paramStdin, '--param-stdin');
    if (ctx.io.stdin.isTTY) ctx.io.err(`Reading ${name} from standard input (end with Ctrl-D; prefer a pipe: ... | connector ...):`);
    const value = (await readAll(ctx.io.stdin)).replace(/\r?\n$/, '');
    if (!value) throw new UsageError(`--param-stdin ${name}: standard input was empty`);
    out.set(name, { value, via: 'stdin' });
  }
  for (const [name, s] of out) {
    const p = params.find((x) => x.name === name)!;
    out.set(name, { ...s, value: checkValue(p, s.value) });
    if (p.secret && s.via === 'param') {
      ctx.warn(
        `--param ${name}: a secret on the command line lands in shell history and the process list; prefer --param-env ${name}=VAR or --param-stdin ${name}`,
      );
    }
  }
  return out;
}

/**
 * Every parameter's value: supplied ones, then prompts (when a terminal is there),
 * else defaults; with no terminal, exit 5 naming each missing required `--param`.
 */
export async function completeValues(ctx: Context, option: AuthOption | undefined, supplied: Map<string, Supplied>): Promise<Map<string, Supplied>> {
  const out = new Map(supplied);
  const todo = valueParameters(option).filter((p) => !out.has(p.name));
  const interactive = canPrompt(ctx);
  const missing: ConnectionParameter[] = [];
  for (const p of todo) {
    if (p.hidden || !interactive) {
      if (p.default !== undefined) out.set(p.name, { value: p.default, via: 'default' });
      else if (p.required && !p.hidden) missing.push(p);
      continue;
    }
    const value = await ask(ctx, p);
    if (value !== '') out.set(p.name, { value: checkValue(p, value), via: 'prompt' });
  }
  if (missing.length) {
    const flags = missing.map((p) => `--param ${p.name}=…` + (p.label !== p.name ? ` (${p.label})` : ''));
    // The advice about secrets only where one is missing (a region choice is no secret).
    throw new InputNeededError(
      `missing ${missing.length === 1 ? 'a required parameter' : 'required parameters'} and cannot prompt: ${flags.join(', ')}`,
      missing.some((p) => p.secret) ? `Secrets are safer as --param-env NAME=ENV_VAR or --param-stdin NAME.` : undefined,
    );
  }
  return out;
}

/** Ask each parameter again on the terminal (connection create after a refusal); '' answers are left out. */
export async function askValues(ctx: Context, params: ConnectionParameter[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const p of params) {
    const value = await ask(ctx, p);
    if (value !== '') out.set(p.name, checkValue(p, value));
  }
  return out;
}

async function ask(ctx: Context, p: ConnectionParameter): Promise<string> {
  const prompter = await ctx.prompter();
  const hint = p.tooltip ?? p.description;
  const message = p.required ? p.label : `${p.label} (optional)`;
  if (p.allowedValues?.length) {
    const choices = p.allowedValues.map((a) => ({ name: a.text, value: a.value }));
    if (!p.required) choices.push({ name: '(none)', value: '' });
    return prompter.select(message, choices, { default: p.default, hint });
  }
  if (p.secret && !p.clearText) return prompter.password(message, { required: p.required, hint });
  for (;;) {
    const v = await prompter.input(message, { default: p.default, required: p.required, hint });
    try {
      if (v !== '') checkValue(p, v);
      return v;
    } catch (e) {
      ctx.io.err((e as Error).message);
    }
  }
}

/** All of standard input as UTF-8 (decoded once, so a character split across chunks survives). */
export async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}
