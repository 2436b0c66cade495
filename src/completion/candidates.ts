import { RootCommand, ShellCompDirective, type Command as TabCommand } from '@bomb.sh/tab';
import type { ArgumentSpec, CommandSpec, OptionSpec, ProgramSpec } from '../commands/spec.js';
import { longFlag, optionsOf } from '../commands/spec.js';
import { sanitizeLine } from '../io/sanitize.js';
import { readLine, valuePrefix, type Line } from './line.js';
import type { Candidate, DynamicLine, Sources } from './sources.js';

/**
 * The answer to one completion request, from the command specs (the metadata the program is
 * built from) fed to @bomb.sh/tab's core: tab matches the command, offers subcommands and flags,
 * and calls a handler for the option or the argument position being completed. tab's commander
 * adapter is not used: it needs the whole commander program (main builds only the command that
 * runs), and its handlers only see choices, not the registry. tab's handlers are synchronous, so
 * they start the registry reads here and the answer waits for them.
 */

export const SHELLS = ['bash', 'zsh', 'fish', 'powershell'] as const;
export type Shell = (typeof SHELLS)[number];

export interface Answer {
  candidates: Candidate[];
  /** tab's (cobra's) directive bits: no space after, no file fallback, directories only. */
  directive: number;
}

/** What an argument position or an option value completes to. */
type Kind =
  | 'connector'
  | 'operation'
  | 'connection'
  | 'connection-name'
  | 'param'
  | 'field'
  | 'connection-param'
  | 'auth'
  | 'shell'
  | 'suites'
  | 'files'
  | 'dirs'
  | 'none';

/** An argument's kind, from its name (and for `<name>`, its description: `connector name`). */
export function argumentKind(a: ArgumentSpec): Kind {
  const name = a.name.replace(/^[<[]|(\.\.\.)?[>\]]$/g, '');
  if (name === 'connector' || (name === 'name' && /^connector name/.test(a.description))) return 'connector';
  if (name === 'operation') return 'operation';
  if (name === 'connection') return 'connection';
  if (name === 'shell') return 'shell';
  if (name === 'suites') return 'suites';
  if (name === 'source' || name === 'file') return 'files';
  return 'none';
}

/** An option value's kind, from its long flag and value name. */
export function optionKind(o: OptionSpec, path: readonly string[]): Kind {
  const flag = longFlag(o);
  if (flag === '--connection') return 'connection-name';
  if (flag === '--param' && path[0] === 'run') return 'param';
  if (flag === '--field' && path[0] === 'run') return 'field';
  if (['--param', '--param-env', '--param-stdin'].includes(flag) && path.join(' ') === 'connection create') return 'connection-param';
  if (flag === '--auth' && path.join(' ') === 'connection create') return 'auth';
  if (flag === '--test-operation') return 'operation';
  if (flag === '--home') return 'dirs';
  if (/<(file|path)>/.test(o.flags) || flag === '--body') return 'files';
  return 'none';
}

/** Control characters would act on the terminal; a value with one cannot be typed anyway. */
const CONTROL = /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/** Answer a completion request: `words` follow the program name, the last is the word under the cursor. */
export async function complete(program: ProgramSpec, commands: readonly CommandSpec[], words: string[], sources: Sources): Promise<Answer> {
  const line = readLine(program, commands, words.length ? words : ['']);
  if (!line.path.length && line.positionals[0] === 'help') return helpAnswer(commands, line);
  const pending: Promise<Candidate[]>[] = [];
  let kind: Kind = 'none';
  const defer = (k: Kind, work: () => Promise<Candidate[]>) => {
    kind = k;
    pending.push(work().catch(() => []));
  };
  const root = new RootCommand();
  // tab prints its answer from complete(): here the answer is collected instead (and sanitised below).
  (root as unknown as { complete(prefix: string): void }).complete = () => {};

  const addOptions = (target: TabCommand, options: readonly OptionSpec[], path: readonly string[]) => {
    for (const o of options) {
      if (o.hidden) continue; // an old name kept working, not offered
      const short = /(?:^|\s)-(\w),/.exec(o.flags)?.[1];
      const long = longFlag(o).slice(2);
      if (!/[<[]/.test(o.flags)) {
        target.option(long, o.description, short);
        continue;
      }
      const k = o.choices ? 'none' : optionKind(o, path);
      target.option(
        long,
        o.description,
        (add) => {
          if (o.choices) for (const c of o.choices) add(c, '');
          else defer(k, () => optionValues(k, line, sources));
        },
        short,
      );
    }
    target.option('help', 'show help', 'h');
  };

  const addCommand = (spec: CommandSpec, path: string[]) => {
    const target = root.command(path.join(' '), spec.hidden ? '' : spec.description);
    addOptions(target, [...program.options, ...optionsOf(spec)], path);
    (spec.arguments ?? []).forEach((a, i) => {
      const k = argumentKind(a);
      target.argument(
        a.name.replace(/^[<[]|(\.\.\.)?[>\]]$/g, ''),
        () => defer(k, () => argumentValues(k, line, i, sources)),
        a.name.endsWith('...]') || a.name.endsWith('...>'),
      );
    });
    for (const sub of spec.subcommands ?? []) addCommand(sub, [...path, sub.name]);
  };
  addOptions(root, program.options, []);
  root.option('version', 'print the version');
  for (const spec of commands) if (!spec.hidden) addCommand(spec, [spec.name]);
  if (line.spec?.hidden) return { candidates: [], directive: ShellCompDirective.ShellCompDirectiveNoFileComp };

  // tab offers only short flags after a lone `-`: long ones are what people look for.
  root.parse(line.current === '-' && !line.valueFor ? [...line.words.slice(0, -1), '--'] : line.words);
  const found = [...root.completions, ...(await Promise.all(pending)).flat()];
  return answer(found, line, kind);
}

/** `help <command> [<subcommand>…]`: command words only, as `connector help` reads them (nothing after a leaf or an unknown word). */
function helpAnswer(commands: readonly CommandSpec[], line: Line): Answer {
  let specs: readonly CommandSpec[] = commands;
  for (const w of line.positionals.slice(1)) {
    const spec = specs.find((c) => c.name === w || c.aliases?.includes(w));
    specs = spec?.subcommands ?? [];
  }
  const offered = line.current.startsWith('-') ? [] : specs.filter((c) => !c.hidden).map((c) => ({ value: c.name, description: c.description }));
  return answer(offered, line, 'none');
}

function answer(found: Candidate[], line: Line, kind: Kind): Answer {
  const prefix = valuePrefix(line);
  const seen = new Set<string>();
  const candidates: Candidate[] = [];
  for (const c of found) {
    if (!c.value.startsWith(prefix) || CONTROL.test(c.value) || seen.has(c.value)) continue;
    seen.add(c.value);
    const description = c.description ? sanitizeLine(c.description).slice(0, 120) : undefined;
    candidates.push(description ? { value: c.value, description } : { value: c.value });
  }
  let directive = kind === 'files' || kind === 'suites' ? ShellCompDirective.ShellCompDirectiveDefault : ShellCompDirective.ShellCompDirectiveNoFileComp;
  if (kind === 'dirs') directive = ShellCompDirective.ShellCompDirectiveFilterDirs;
  if (candidates.some((c) => c.value.endsWith('='))) directive |= ShellCompDirective.ShellCompDirectiveNoSpace;
  return { candidates, directive };
}

/** `connection <verb> K` means K's default connection (resolveAddress `short`). */
const SHORT_VERBS = new Set(['show', 'test', 'token', 'login', 'logout', 'export']);
/** Verbs that resolve a connection the CONNECTOR_<K>__<C>__* variables stand in for (login, logout, export need a stored one). */
const ENV_VERBS = new Set(['show', 'test', 'token']);

/** `run <connector> <operation>`: the connector is the positional before the operation. */
const connectorOf = (line: Line): string | undefined => (line.path[0] === 'test' ? undefined : line.positionals[0]);

async function argumentValues(kind: Kind, line: Line, index: number, sources: Sources): Promise<Candidate[]> {
  switch (kind) {
    case 'connector':
      return sources.connectors();
    case 'operation':
      return sources.operations(line.positionals[index - 1]);
    case 'connection': {
      // The verbs that take `K` alone (its default connection); those that use a connection also take one the environment stands in for.
      const verb = line.path[1] ?? '';
      return sources.connections({ short: SHORT_VERBS.has(verb), env: ENV_VERBS.has(verb) });
    }
    case 'shell':
      return SHELLS.map((s) => ({ value: s }));
    case 'suites':
      // `test init <connector>`, `test <connector>`, or suite files (the shell adds those)
      if (line.positionals[0] === 'init') return line.positionals.length === 1 ? sources.connectors() : [];
      return line.positionals.length === 0 ? [{ value: 'init', description: 'write a starter suite from the spec' }, ...(await sources.connectors())] : [];
    default:
      return [];
  }
}

/** What a dynamic-values source needs from the line: `-c`, the `-p` and `-f` values, `--base-url`. */
function dynamicLine(line: Line): DynamicLine {
  return {
    connection: line.values.get('--connection')?.at(-1),
    params: line.values.get('--param') ?? [],
    fields: line.values.get('--field') ?? [],
    baseUrl: line.values.get('--base-url')?.at(-1),
  };
}

async function optionValues(kind: Kind, line: Line, sources: Sources): Promise<Candidate[]> {
  switch (kind) {
    case 'connection-name': {
      const connector = connectorOf(line);
      const list = await sources.connections({ connector, bare: true, env: true });
      return connector ? list : [...new Map(list.map((c) => [c.value, { value: c.value }])).values()];
    }
    case 'operation':
      return sources.operations(line.positionals[0]);
    case 'param': {
      const [connector, operation] = line.positionals;
      const text = valuePrefix(line);
      const eq = text.indexOf('=');
      if (eq < 0) return sources.parameterNames(connector, operation);
      return sources.parameterValues(connector, operation, text.slice(0, eq), dynamicLine(line));
    }
    case 'field': {
      const [connector, operation] = line.positionals;
      const text = valuePrefix(line);
      if (!/(?<!\\)=/.test(text)) return sources.fieldNames(connector, operation);
      return sources.fieldValues(connector, operation, text, dynamicLine(line));
    }
    case 'auth':
      return sources.connectionParameters(line.positionals[0], { auth: true });
    case 'connection-param': {
      const flag = line.valueFor ? longFlag(line.valueFor) : '';
      const text = valuePrefix(line);
      const eq = text.indexOf('=');
      const authOption = line.values.get('--auth')?.at(-1);
      if (flag === '--param' && eq > 0) return sources.connectionParameters(line.positionals[0], { param: text.slice(0, eq), authOption });
      if (eq > 0) return []; // --param-env name=<an environment variable>
      return sources.connectionParameters(line.positionals[0], { suffix: flag === '--param-stdin' ? '' : '=', authOption });
    }
    default:
      return [];
  }
}
