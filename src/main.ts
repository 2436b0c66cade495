import { Command, CommanderError, Option } from 'commander';
import { systemIO, type IO } from './io/iostreams.js';
import { createContext, type Context, type GlobalOptions } from './context.js';
import { resolveHome } from './registry/paths.js';
import { ExitCode, errorDocument, isCliError, type ErrorCode } from './errors.js';
import { sanitizeText } from './io/sanitize.js';
import { packageVersion } from './util/package-root.js';
import { interruptSignal } from './io/signal.js';
import { COMMANDS, PROGRAM } from './commands/index.js';
import { helpAfter, longFlag, optionsOf, type CommandSpec, type OptionSpec } from './commands/spec.js';

/**
 * Command modules load only when their command runs (netlify's pattern), so
 * `connector --help` imports none of undici, swagger-parser, inquirer or yaml:
 * the program is built from the specs in commands/ (plain objects), and a spec's
 * `action()` imports its implementation on first call.
 */
function lazy(spec: CommandSpec, state: State, io: IO, overrides: Partial<Context>) {
  return async (...args: unknown[]) => {
    const command = args[args.length - 1] as Command;
    const globals = command.optsWithGlobals() as GlobalOptions;
    const ctx = createContext(io, resolveHome(globals.home, io.env, io.platform), globals, overrides);
    state.ctx = ctx;
    // --query and the pager take the command's stdout (io/present.ts); loaded only when one can apply.
    const pages = typeof spec.pager === 'function' ? spec.pager(command.opts()) : Boolean(spec.pager);
    const shown =
      globals.query !== undefined || (pages && io.stdout.isTTY)
        ? (await import('./io/present.js')).present(ctx, {
            query: globals.query,
            pager: globals.pager !== false,
            pages,
            queries: spec.queries,
          })
        : undefined;
    const mod = await spec.action!();
    let code: number | undefined;
    try {
      code = await mod.default(ctx, ...(spec.command ? args : args.slice(0, -1)));
    } catch (e) {
      shown?.fail();
      throw e;
    }
    state.code = typeof code === 'number' ? code : ExitCode.OK;
    state.show = shown?.finish(state.code);
  };
}

/** What a run leaves for main: its Context, its exit code, and output still to show (the pager). */
interface State {
  ctx?: Context;
  code?: number;
  show?: () => Promise<void>;
  /** `run K OP --help`: the operation's description, printed after commander's help. */
  helpDetail?: () => Promise<void>;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

function toOption(o: OptionSpec): Option {
  const option = new Option(o.flags, o.description);
  if (o.choices) option.choices(o.choices);
  // A string default is shown as typed (default: 30), not as a JSON string (default: "30").
  if (o.default !== undefined) option.default(o.default, typeof o.default === 'string' ? o.default : undefined);
  if (o.repeatable) option.argParser(collect);
  if (o.hidden) option.hideHelp();
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

/**
 * `connector help connection create` is `connector connection create --help` (commander's own
 * help command reads one word: it showed `connection`'s help); `help nosuch` is the unknown
 * command it names (commander showed the root help, exit 0).
 */
export function helpToFlag(argv: string[]): string[] {
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') return argv;
    if (VALUE_OPTIONS.has(a)) i++;
    else if (!a.startsWith('-')) {
      if (a !== 'help' || i + 1 >= argv.length) return argv;
      const words = [...argv.slice(0, i), ...argv.slice(i + 1)];
      // Each named word must be a command (or subcommand) of the one before: `help connection nosuch`
      // is the unknown subcommand, as `connection nosuch` reports it (did-you-mean, exit 2).
      let specs: readonly CommandSpec[] | undefined = COMMANDS;
      for (const w of argv.slice(i + 1)) {
        if (w.startsWith('-') || !specs?.length) break;
        const found: CommandSpec | undefined = specs.find((c) => c.name === w || c.aliases?.includes(w));
        if (!found) return words;
        specs = found.subcommands;
      }
      return [...words, '--help'];
    }
  }
  return argv;
}

/**
 * commander's own errors (unknown option or command, missing argument, bad choice) in connector's
 * shape: one line `connector: ...`, then a hint (its "Did you mean" suggestion, else where the
 * usage is), exit 2; under --json also the error document on stdout.
 */
function commanderError(io: IO, path: string[], json: boolean) {
  return (text: string, write: (s: string) => void) => {
    const [first, ...rest] = text
      .replace(/^error: /, '')
      .trim()
      .split('\n');
    const message = first.replace(/^error: /, '');
    const suggestion = /^\(Did you mean (.+)\?\)$/.exec(rest.join(' ').trim());
    const hint = suggestion ? `Did you mean ${suggestion[1]}?` : `Try: ${['connector', ...path].join(' ')} --help`;
    write(`connector: ${message}\n${hint}\n`);
    if (json) io.stdout.write(errorDocument(message, 'usage', ExitCode.USAGE, hint));
  };
}

function addCommand(
  parent: Command,
  spec: CommandSpec,
  action: (spec: CommandSpec) => (...args: unknown[]) => Promise<void>,
  io: IO,
  json: boolean,
  detail?: HelpDetail,
  path: string[] = [],
): void {
  const command = parent.command(spec.name, { hidden: spec.hidden }).description(spec.description);
  command.configureOutput({ outputError: commanderError(io, [...path, spec.name], json) });
  for (const alias of spec.aliases ?? []) command.alias(alias);
  for (const a of spec.arguments ?? []) command.argument(a.name, a.description);
  for (const o of optionsOf(spec)) command.addOption(toOption(o));
  const after = helpAfter(spec);
  if (after) command.addHelpText('after', after);
  for (const sub of spec.subcommands ?? []) addCommand(command, sub, action, io, json, detail, [...path, spec.name]);
  if (spec.action) command.action(action(spec));
  if (spec.helpDetail && detail) command.on('afterHelp', () => detail(spec, command));
}

export function buildProgram(io: IO, state: State, overrides: Partial<Context> = {}, only?: string, json = false): Command {
  const program = new Command(PROGRAM.name).description(PROGRAM.description).version(packageVersion(), '--version', 'print the version');
  for (const o of PROGRAM.options) program.addOption(toOption(o));
  program
    .showSuggestionAfterError(true)
    .configureHelp({ showGlobalOptions: true }) // every command's --help lists --home, --json, --no-input...
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: commanderError(io, [], json),
    })
    .exitOverride()
    .addHelpText('after', helpAfter(PROGRAM)!);
  const action = (spec: CommandSpec) => lazy(spec, state, io, overrides);
  // `run K OP --help`: commander prints help synchronously and exits; main runs the detail after it.
  const detail: HelpDetail = (spec, command) => {
    const firstOption = command.args.findIndex((a) => a.startsWith('-'));
    const words = firstOption < 0 ? command.args : command.args.slice(0, firstOption);
    if (words.length >= (spec.arguments?.length ?? 0))
      state.helpDetail = () => lazy({ ...spec, action: spec.helpDetail, pager: false, queries: undefined }, state, io, overrides)(...words, command);
  };
  for (const spec of COMMANDS) if (only === undefined || only === spec.name) addCommand(program, spec, action, io, json, detail);
  return program;
}

/**
 * Format an error for the user: one line, a hint, the stack only with --verbose for bugs. With
 * `json` (--json, and nothing on stdout yet) the same error is also one document on stdout,
 * `{"error":{"message","code","exitCode","hint"}}`: --json promises one document, and a script
 * reading it (`| jq .error.code`) gets one instead of empty input.
 */
export function reportError(io: IO, e: unknown, verbose: boolean, json = false): number {
  const document = (message: string, code: ErrorCode, exitCode: number, hint?: string) => {
    if (json) io.stdout.write(errorDocument(message, code, exitCode, hint));
  };
  if (isCliError(e)) {
    // Messages quote specs, servers and arguments: their control characters are escaped.
    io.err(`connector: ${sanitizeText(e.message)}`);
    if (e.hint) io.err(sanitizeText(e.hint));
    if (verbose && e.cause) io.err(String((e.cause as Error)?.stack ?? e.cause));
    document(sanitizeText(e.message), e.jsonCode, e.exitCode, e.hint && sanitizeText(e.hint));
    return e.exitCode;
  }
  if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : ExitCode.USAGE;
  const err = e as Error;
  const message = `unexpected error: ${sanitizeText(err?.message ?? String(e))}`;
  io.err(`connector: ${message}`);
  if (verbose) io.err(String(err?.stack ?? ''));
  else io.err('This is a bug in connector; run again with --verbose for details and report it.');
  document(message, 'internal', ExitCode.FAILURE, 'This is a bug in connector; run again with --verbose for details and report it.');
  return ExitCode.FAILURE;
}

/**
 * Whether anything reaches stdout from now on (so an error adds no second document under --json).
 * An empty write is nothing: present.ts hands back what it collected, which may be empty.
 */
function watchStdout(io: IO): { written(): boolean; restore(): void } {
  const stream = io.stdout;
  const write = stream.write;
  let written = false;
  stream.write = function (this: typeof stream, ...args: unknown[]) {
    const chunk = args[0] as string | Uint8Array | undefined;
    if (chunk !== undefined && chunk !== null && chunk.length > 0) written = true;
    return (write as (...a: unknown[]) => boolean).apply(this, args);
  } as typeof stream.write;
  return { written: () => written, restore: () => void (stream.write = write) };
}

/** A global flag given before `--` (commander has not parsed yet when an error needs it). */
const flagGiven = (argv: string[], flag: string) => {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).includes(flag);
};

export async function main(given: string[], io: IO = systemIO({ noInput: given.includes('--no-input') }), overrides: Partial<Context> = {}): Promise<number> {
  const argv = helpToFlag(given);
  const state: State = {};
  // Ctrl-C: tests pass their own signal; a real run listens for SIGINT/SIGTERM.
  const interrupt = overrides.signal ? undefined : interruptSignal();
  const json = flagGiven(argv, '--json');
  const stdout = json ? watchStdout(io) : undefined;
  const program = buildProgram(io, state, interrupt ? { ...overrides, signal: interrupt.signal } : overrides, commandNamed(argv), json);
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
          return reportError(io, e2, flagGiven(argv, '--verbose'), json && !stdout?.written());
        }
      }
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      if (e.code === 'commander.executeSubCommandAsync') return 1;
      // commander.help via `connector` with no args prints help to stderr and exits 1
      return e.exitCode === 0 ? 0 : ExitCode.USAGE;
    }
    return reportError(io, e, flagGiven(argv, '--verbose'), json && !stdout?.written());
  } finally {
    stdout?.restore();
    interrupt?.dispose();
    await state.ctx?.close();
    // Last, with Ctrl-C no longer ours: the pager owns the terminal until it ends.
    await state.show?.();
  }
}
