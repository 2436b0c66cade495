import type { Context } from '../context.js';

/**
 * How a command declares itself. A command is two files: `<verb>.ts` exports a plain
 * CommandSpec (this module's types only, no runtime dependency), and `<verb>.action.ts`
 * holds the implementation, loaded by `action()` only when the command runs. main.ts
 * builds the commander program from the specs, so `--help` reads every spec without
 * loading a single action's dependency graph.
 */

/** An action module's default export: positional arguments, then the options object (then commander's Command, when the spec asks: `command`). */
export type Action = (ctx: Context, ...args: any[]) => Promise<number | undefined>;

export interface ArgumentSpec {
  /** commander syntax: `<name>` required, `[name]` optional. */
  readonly name: string;
  readonly description: string;
}

export interface OptionSpec {
  /** commander syntax: `-o, --output <path>`, `--all`, `--no-verify`. */
  readonly flags: string;
  readonly description: string;
  readonly choices?: readonly string[];
  readonly default?: string | boolean;
  /** May be given more than once; the values collect into an array. */
  readonly repeatable?: boolean;
  /** Accepted but not listed in --help (an old name kept working with a warning). */
  readonly hidden?: boolean;
}

/** Options declared once and shared by several commands (e.g. the OAuth flags). */
export interface OptionGroup {
  readonly group: string;
  readonly options: readonly OptionSpec[];
}

export interface CommandSpec {
  readonly name: string;
  readonly aliases?: readonly string[];
  readonly description: string;
  /** Left out of `connector --help` (the endpoint the completion scripts call). */
  readonly hidden?: boolean;
  readonly arguments?: readonly ArgumentSpec[];
  readonly options?: readonly (OptionSpec | OptionGroup)[];
  /** Text shown in --help before the examples. */
  readonly notes?: string;
  /** Command lines as typed after `$ `; a line break continues the command (shown indented). */
  readonly examples?: readonly string[];
  /**
   * Long output goes through the pager on a terminal (io/pager.ts; --no-pager, PAGER); a function
   * decides from the command's options (run: not for a stream, --format ndjson).
   */
  readonly pager?: boolean | ((options: Record<string, unknown>) => boolean);
  /** The action takes commander's Command after its options (run: --query, and how -o/--output was spelled). */
  readonly command?: boolean;
  /**
   * What --query selects from: the --json document (the default; --query then implies --json),
   * or 'output': what the command prints as it is (run: the response body; --json still gives its document).
   */
  readonly queries?: 'json' | 'output';
  /** A command that only groups others (`connection`) has subcommands and no action. */
  readonly subcommands?: readonly CommandSpec[];
  readonly action?: () => Promise<{ default: Action }>;
  /**
   * More help, printed after the usual `--help` text when the arguments are given
   * (`run <connector> <operation> --help` describes the operation); loaded only then.
   */
  readonly helpDetail?: () => Promise<{ default: Action }>;
}

/** The root program: global options, notes and examples. */
export interface ProgramSpec {
  readonly name: string;
  readonly description: string;
  readonly options: readonly OptionSpec[];
  readonly notes?: string;
  readonly examples?: readonly string[];
}

/** Declare a command (typed identity: the spec stays a plain object). */
export const defineCommand = <const T extends CommandSpec>(spec: T): T => spec;

/** Declare an option group. */
export const defineOptions = <const T extends OptionGroup>(group: T): T => group;

/** A spec's options with its groups spread out, in declaration order. */
export function optionsOf(spec: { readonly options?: readonly (OptionSpec | OptionGroup)[] }): OptionSpec[] {
  return (spec.options ?? []).flatMap((o) => ('group' in o ? o.options : [o]));
}

/** The long flag of an option: `-o, --output <path>` → `--output`. */
export const longFlag = (o: OptionSpec): string => /--[\w-]+/.exec(o.flags)![0];

/** The key commander stores an option under: `--param-env` → `paramEnv`, `--no-verify` → `verify`. */
export function attributeName(o: OptionSpec): string {
  return longFlag(o)
    .replace(/^--(no-)?/, '')
    .replace(/-(\w)/g, (_, c: string) => c.toUpperCase());
}

/** The options object an action receives when none is given (what commander fills in). */
export function optionDefaults(spec: CommandSpec): Record<string, unknown> {
  const opts: Record<string, unknown> = {};
  for (const o of optionsOf(spec)) {
    if (o.default !== undefined) opts[attributeName(o)] = o.default;
    else if (longFlag(o).startsWith('--no-')) opts[attributeName(o)] = true;
  }
  return opts;
}

/** The help text after the options: notes, then `Examples:`. */
export function helpAfter(spec: { readonly notes?: string; readonly examples?: readonly string[] }): string | undefined {
  const parts = [spec.notes, spec.examples?.length ? `Examples:\n${spec.examples.map((e) => `  $ ${e.replace(/\n/g, '\n  ')}`).join('\n')}` : undefined];
  const text = parts.filter(Boolean).join('\n\n');
  return text ? `\n${text}` : undefined;
}
