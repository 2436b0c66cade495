import { Command, CommanderError, Option } from 'commander';
import { systemIO, type IO } from './io/iostreams.js';
import { createContext, type Context, type GlobalOptions } from './context.js';
import { resolveHome } from './registry/paths.js';
import { ExitCode, isCliError } from './errors.js';
import { sanitizeText } from './io/sanitize.js';
import { packageVersion } from './util/package-root.js';
import { interruptSignal } from './io/signal.js';
import { COMMANDS, PROGRAM } from './commands/index.js';
import { helpAfter, longFlag, optionsOf, type Action, type CommandSpec, type OptionSpec } from './commands/spec.js';

/**
 * Command modules load only when their command runs (netlify's pattern), so
 * `connector --help` imports none of undici, swagger-parser, inquirer or yaml:
 * the program is built from the specs in commands/ (plain objects), and a spec's
 * `action()` imports its implementation on first call.
 */
function lazy(load: () => Promise<{ default: Action }>, state: { ctx?: Context; code?: number }, io: IO, overrides: Partial<Context>) {
  return async (...args: unknown[]) => {
    const command = args[args.length - 1] as Command;
    const globals = command.optsWithGlobals() as GlobalOptions;
    const ctx = createContext(io, resolveHome(globals.home, io.env, io.platform), globals, overrides);
    state.ctx = ctx;
    const mod = await load();
    const code = await mod.default(ctx, ...args.slice(0, -1));
    state.code = typeof code === 'number' ? code : ExitCode.OK;
  };
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

function toOption(o: OptionSpec): Option {
  const option = new Option(o.flags, o.description);
  if (o.choices) option.choices(o.choices);
  if (o.default !== undefined) option.default(o.default);
  if (o.repeatable) option.argParser(collect);
  return option;
}

/** A command word (or alias) → its command's name. */
const COMMAND_NAMES = new Map(COMMANDS.flatMap((c) => [c.name, ...(c.aliases ?? [])].map((n) => [n, c.name] as const)));
/** Global options that take a value: the word after them is no command. */
const VALUE_OPTIONS = new Set(PROGRAM.options.filter((o) => /[<[]/.test(o.flags)).map(longFlag));

/**
 * The top-level command `argv` names, or undefined (no command, `help`, or an unknown word).
 * Only that command is then built: the other ~20 commands and their options cost ~2 ms a run.
 * Anything else (root help, suggestions for a typo) gets the whole program.
 */
export function commandNamed(argv: string[]): string | undefined {
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') return undefined;
    if (VALUE_OPTIONS.has(a)) i++;
    else if (!a.startsWith('-')) return COMMAND_NAMES.get(a);
  }
  return undefined;
}

type HelpDetail = (spec: CommandSpec, command: Command) => void;

function addCommand(parent: Command, spec: CommandSpec, action: (spec: CommandSpec) => (...args: unknown[]) => Promise<void>, detail?: HelpDetail): void {
  const command = parent.command(spec.name).description(spec.description);
  for (const alias of spec.aliases ?? []) command.alias(alias);
  for (const a of spec.arguments ?? []) command.argument(a.name, a.description);
  for (const o of optionsOf(spec)) command.addOption(toOption(o));
  const after = helpAfter(spec);
  if (after) command.addHelpText('after', after);
  for (const sub of spec.subcommands ?? []) addCommand(command, sub, action, detail);
  if (spec.action) command.action(action(spec));
  if (spec.helpDetail && detail) command.on('afterHelp', () => detail(spec, command));
}

export function buildProgram(
  io: IO,
  state: { ctx?: Context; code?: number; helpDetail?: () => Promise<void> },
  overrides: Partial<Context> = {},
  only?: string,
): Command {
  const program = new Command(PROGRAM.name).description(PROGRAM.description).version(packageVersion(), '--version', 'print the version');
  for (const o of PROGRAM.options) program.addOption(toOption(o));
  program
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: (s, write) => write(`connector: ${s.replace(/^error: /, '')}`),
    })
    .exitOverride()
    .addHelpText('after', helpAfter(PROGRAM)!);
  const action = (spec: CommandSpec) => lazy(spec.action!, state, io, overrides);
  // `run K OP --help`: commander prints help synchronously and exits; main runs the detail after it.
  const detail: HelpDetail = (spec, command) => {
    const firstOption = command.args.findIndex((a) => a.startsWith('-'));
    const words = firstOption < 0 ? command.args : command.args.slice(0, firstOption);
    if (words.length >= (spec.arguments?.length ?? 0)) state.helpDetail = () => lazy(spec.helpDetail!, state, io, overrides)(...words, command);
  };
  for (const spec of COMMANDS) if (only === undefined || only === spec.name) addCommand(program, spec, action, detail);
  return program;
}

/** Format an error for the user: one line, a hint, the stack only with --verbose for bugs. */
export function reportError(io: IO, e: unknown, verbose: boolean): number {
  if (isCliError(e)) {
    // Messages quote specs, servers and arguments: their control characters are escaped.
    io.err(`connector: ${sanitizeText(e.message)}`);
    if (e.hint) io.err(sanitizeText(e.hint));
    if (verbose && e.cause) io.err(String((e.cause as Error)?.stack ?? e.cause));
    return e.exitCode;
  }
  if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : ExitCode.USAGE;
  const err = e as Error;
  io.err(`connector: unexpected error: ${sanitizeText(err?.message ?? String(e))}`);
  if (verbose) io.err(String(err?.stack ?? ''));
  else io.err('This is a bug in connector; run again with --verbose for details and report it.');
  return ExitCode.FAILURE;
}

export async function main(argv: string[], io: IO = systemIO({ noInput: argv.includes('--no-input') }), overrides: Partial<Context> = {}): Promise<number> {
  const state: { ctx?: Context; code?: number; helpDetail?: () => Promise<void> } = {};
  // Ctrl-C: tests pass their own signal; a real run listens for SIGINT/SIGTERM.
  const interrupt = overrides.signal ? undefined : interruptSignal();
  const program = buildProgram(io, state, interrupt ? { ...overrides, signal: interrupt.signal } : overrides, commandNamed(argv));
  try {
    await program.parseAsync(argv);
    return state.code ?? ExitCode.OK;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' && state.helpDetail) {
        try {
          await state.helpDetail();
          return state.code ?? 0;
        } catch (e2) {
          return reportError(io, e2, argv.includes('--verbose'));
        }
      }
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      if (e.code === 'commander.executeSubCommandAsync') return 1;
      // commander.help via `connector` with no args prints help to stderr and exits 1
      return e.exitCode === 0 ? 0 : ExitCode.USAGE;
    }
    return reportError(io, e, argv.includes('--verbose'));
  } finally {
    interrupt?.dispose();
    await state.ctx?.close();
  }
}
