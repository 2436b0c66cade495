import { Command, CommanderError, Option } from 'commander';
import { systemIO, type IO } from './io/iostreams.js';
import { createContext, type Context, type GlobalOptions } from './context.js';
import { resolveHome } from './registry/paths.js';
import { ExitCode, isCliError } from './errors.js';
import { packageVersion } from './util/package-root.js';
import { interruptSignal } from './io/signal.js';

type Action = (ctx: Context, ...args: any[]) => Promise<number | void>;

/**
 * Command modules load only when their command runs (netlify's pattern), so
 * `connector --help` imports none of undici, swagger-parser, inquirer or yaml.
 */
function lazy(load: () => Promise<{ default: Action }>, state: { ctx?: Context; code?: number }, io: IO, overrides: Partial<Context>) {
  return async (...args: unknown[]) => {
    const command = args[args.length - 1] as Command;
    const globals = command.optsWithGlobals() as GlobalOptions;
    const ctx = createContext(io, resolveHome(globals.home, io.env), globals, overrides);
    state.ctx = ctx;
    const mod = await load();
    const code = await mod.default(ctx, ...args.slice(0, -1));
    state.code = typeof code === 'number' ? code : ExitCode.OK;
  };
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Top-level commands and their aliases. */
const COMMANDS: Record<string, string> = {
  import: 'import', list: 'list', show: 'show', operations: 'operations', ops: 'operations', remove: 'remove', rm: 'remove',
  export: 'export', connection: 'connection', conn: 'connection', run: 'run', demo: 'demo',
};
const VALUE_OPTIONS = new Set(['--home', '--secret-store']);

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
    else if (!a.startsWith('-')) return COMMANDS[a];
  }
  return undefined;
}

export function buildProgram(io: IO, state: { ctx?: Context; code?: number }, overrides: Partial<Context> = {}, only?: string): Command {
  const wanted = (name: string) => only === undefined || only === name;
  const L = (load: () => Promise<{ default: Action }>) => lazy(load, state, io, overrides);

  const program = new Command('connector')
    .description('Power Platform custom connectors in the terminal: import, connect, run.')
    .version(packageVersion(), '--version', 'print the version')
    .option('--home <dir>', 'registry directory (env CONNECTOR_HOME; default ~/.local/share/connector)')
    .option('--json', 'print exactly one JSON document on stdout')
    .option('--no-input', 'never prompt; fail with exit 5 when input is needed')
    .option('--verbose', 'trace what happens on stderr (secrets redacted)')
    .addOption(
      new Option('--secret-store <store>', 'where secrets go (env CONNECTOR_SECRET_STORE)').choices(['keychain', 'vault', 'memory']),
    )
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: (s, write) => write(`connector: ${s.replace(/^error: /, '')}`),
    })
    .exitOverride()
    .addHelpText(
      'after',
      `
Exit codes: 0 ok, 1 failure, 2 usage error, 3 cancelled, 4 authentication failure,
            5 input needed but prompting impossible.

Examples:
  $ connector demo
  $ connector import ./petstore.swagger.json
  $ connector import ./MyConnector/          # a paconn folder
  $ connector operations petstore
  $ connector connection create petstore --param-env api_key=PETSTORE_KEY --no-input
  $ connector run petstore getPetById -p petId=1`,
    );

  if (wanted('import'))
    program
      .command('import')
      .argument('<source>', 'Swagger 2.0 / OpenAPI 3 file or URL, paconn folder, or connector YAML')
      .description('import a connector into the registry')
      .option('--name <name>', 'registry name (default: slug of info.title)')
      .option('--force', 'replace an existing connector of that name, printing what changed')
      .addHelpText(
        'after',
        `
Examples:
  $ connector import ./apiDefinition.swagger.json
  $ connector import ./connectors/MyConnector          # apiDefinition.swagger.json + apiProperties.json
  $ connector import https://example.com/openapi.yaml --name example
  $ connector import ./shared/my-connector.yaml --force`,
      )
      .action(L(() => import('./commands/connector/import.action.js')));

  if (wanted('list'))
    program
      .command('list')
      .description('list imported connectors')
      .addHelpText('after', '\nExamples:\n  $ connector list\n  $ connector list --json')
      .action(L(() => import('./commands/connector/list.action.js')));

  if (wanted('show'))
    program
      .command('show')
      .argument('<name>', 'connector name')
      .description('show a connector: metadata, connection parameters, policies')
      .addHelpText('after', '\nExamples:\n  $ connector show petstore\n  $ connector show petstore --json')
      .action(L(() => import('./commands/connector/show.action.js')));

  if (wanted('operations'))
    program
      .command('operations')
      .alias('ops')
      .argument('<name>', 'connector name')
      .description('list the operations of a connector')
      .option('--all', 'include internal (x-ms-visibility: internal) operations')
      .addHelpText('after', '\nExamples:\n  $ connector operations petstore\n  $ connector operations petstore --json | jq -r ".[].operationId"')
      .action(L(() => import('./commands/connector/operations.action.js')));

  if (wanted('remove'))
    program
      .command('remove')
      .alias('rm')
      .argument('<name>', 'connector name')
      .description('remove a connector from the registry')
      .addHelpText('after', '\nExamples:\n  $ connector remove petstore')
      .action(L(() => import('./commands/connector/remove.action.js')));

  if (wanted('export'))
    program
      .command('export')
      .argument('<name>', 'connector name')
      .description('export a connector as shareable YAML or as a paconn folder')
      .addOption(new Option('--format <format>', 'output format').choices(['yaml', 'paconn']).default('yaml'))
      .option('-o, --output <path>', 'file (yaml) or folder (paconn); yaml defaults to stdout')
      .addHelpText(
        'after',
        `
Examples:
  $ connector export petstore > petstore.connector.yaml
  $ connector export petstore --format paconn -o ./petstore-paconn
  $ paconn create --api-def ./petstore-paconn/apiDefinition.swagger.json --api-prop ./petstore-paconn/apiProperties.json`,
      )
      .action(L(() => import('./commands/connector/export.action.js')));

  if (wanted('connection')) {
    const connection = program.command('connection').alias('conn').description('create and manage connections (credentials live in the OS keychain)');
    connection
      .command('create')
      .argument('<connector>', 'connector name')
      .description('create a connection: prompts for each parameter, or takes them from flags')
      .option('--name <name>', 'connection name (default: "default")')
      .option('--auth <option>', 'which auth option / parameter set to use')
      .option('--param <name=value>', 'a parameter value (repeatable; secrets here land in shell history)', collect)
      .option('--param-env <name=ENV_VAR>', 'read a parameter from an environment variable (repeatable)', collect)
      .option('--param-stdin <name>', 'read one parameter from standard input')
      .option('--from <file>', 'start from a connection template exported by `connection export`')
      .option('--default', 'make it the default connection of its connector')
      .option('--no-verify', 'save without calling the test operation')
      .option('--test-operation <id>', 'operation used to verify the connection')
      .addOption(new Option('--flow <flow>', 'OAuth 2.0 flow').choices(['auto', 'browser', 'device', 'client-credentials']).default('auto'))
      .option('--provider <name>', 'OAuth preset: github, google, microsoft, entra, docusign, facebook, or an OpenID issuer URL')
      .option('--client-id <id>', 'OAuth client (application) id')
      .option('--client-secret-env <VAR>', 'read the OAuth client secret from an environment variable')
      .option('--client-secret-stdin', 'read the OAuth client secret from standard input')
      .option('--scope <scope>', 'OAuth scope (repeatable)', collect)
      .option('--tenant <tenant>', 'Entra ID tenant: common, organizations, consumers or a tenant id')
      .option('--certificate <file>', 'PEM certificate + private key for Entra ID client assertions')
      .option('--redirect-host <host>', 'loopback redirect host: 127.0.0.1 (default) or localhost')
      .option('--redirect-port <port>', 'fixed loopback redirect port (default: a random free port)')
      .addHelpText(
        'after',
        `
Examples:
  $ connector connection create jira                  # interactive
  $ JIRA_TOKEN=... connector connection create jira --name ci --no-input \\
      --param username=me@example.com --param-env password=JIRA_TOKEN
  $ connector connection create petstore --from teammate.connection.yaml`,
      )
      .action(L(() => import('./commands/connection/create.action.js')));
    connection
      .command('list')
      .argument('[connector]', 'only this connector')
      .description('list connections')
      .addHelpText('after', '\nExamples:\n  $ connector connection list\n  $ connector connection list jira --json')
      .action(L(() => import('./commands/connection/list.action.js')));
    connection
      .command('show')
      .argument('<connection>', '<connector>/<connection>')
      .description('show a connection (secrets masked)')
      .addHelpText('after', '\nExamples:\n  $ connector connection show jira/default')
      .action(L(() => import('./commands/connection/show.action.js')));
    connection
      .command('test')
      .argument('<connection>', '<connector>/<connection>')
      .option('--test-operation <id>', 'operation used to test')
      .description('call the test operation with the stored credentials')
      .addHelpText('after', '\nExamples:\n  $ connector connection test jira/default')
      .action(L(() => import('./commands/connection/test.action.js')));
    connection
      .command('rename')
      .argument('<connection>', '<connector>/<connection>')
      .argument('<new-name>', 'new connection name')
      .description('rename a connection (its secrets move with it)')
      .addHelpText('after', '\nExamples:\n  $ connector connection rename jira/default jira-prod')
      .action(L(() => import('./commands/connection/rename.action.js')));
    connection
      .command('delete')
      .alias('rm')
      .argument('<connection>', '<connector>/<connection>')
      .description('delete a connection and its keychain items')
      .addHelpText('after', '\nExamples:\n  $ connector connection delete jira/old')
      .action(L(() => import('./commands/connection/delete.action.js')));
    connection
      .command('export')
      .argument('<connection>', '<connector>/<connection>')
      .option('-o, --output <file>', 'write to a file instead of stdout')
      .description('export a connection template (no secrets) for a teammate')
      .addHelpText('after', '\nExamples:\n  $ connector connection export jira/default -o jira.connection.yaml')
      .action(L(() => import('./commands/connection/export.action.js')));
    connection
      .command('login')
      .argument('<connection>', '<connector>/<connection>')
      .addOption(new Option('--flow <flow>', 'OAuth 2.0 flow').choices(['auto', 'browser', 'device', 'client-credentials']).default('auto'))
      .option('--redirect-host <host>', 'loopback redirect host: 127.0.0.1 (default) or localhost')
      .option('--redirect-port <port>', 'fixed loopback redirect port')
      .description('sign in again (OAuth 2.0): new tokens into the keychain')
      .addHelpText('after', '\nExamples:\n  $ connector connection login github-gists/default\n  $ connector connection login entra/ci --flow device')
      .action(L(() => import('./commands/connection/login.action.js')));
    connection
      .command('logout')
      .argument('<connection>', '<connector>/<connection>')
      .description('revoke the tokens where the provider allows it, then delete them')
      .addHelpText('after', '\nExamples:\n  $ connector connection logout github-gists/default')
      .action(L(() => import('./commands/connection/logout.action.js')));
    connection
      .command('token')
      .argument('<connection>', '<connector>/<connection>')
      .description('print a fresh access token on stdout (for scripts; the one way a secret reaches stdout)')
      .addHelpText('after', '\nExamples:\n  $ curl -H "Authorization: Bearer $(connector connection token graph/default)" https://graph.microsoft.com/v1.0/me')
      .action(L(() => import('./commands/connection/token.action.js')));
    connection
      .command('default')
      .argument('<connection>', '<connector>/<connection>')
      .description('make a connection the default of its connector')
      .addHelpText('after', '\nExamples:\n  $ connector connection default jira/prod')
      .action(L(() => import('./commands/connection/default.action.js')));
  }

  if (wanted('run'))
    program
      .command('run')
      .argument('<connector>', 'connector name')
      .argument('<operation>', 'operationId (case-insensitive) or the slug of its summary')
      .description('call an operation with a stored connection')
      .option('-c, --connection <name>', 'connection to use (default: the default connection)')
      .option('-p, --param <name=value>', 'operation parameter (repeatable; value @file reads a file)', collect)
      .option('--body <body>', "request body: @file, - for stdin, or inline JSON")
      .option('-H, --header <header>', "extra header 'Name: value' (repeatable)", collect)
      .addOption(new Option('--output <mode>', 'how to print the body').choices(['auto', 'json', 'raw', 'yaml']).default('auto'))
      .option('-i, --include', 'print status and headers too')
      .option('--dry-run', 'print the request as a curl command (secrets redacted) and send nothing')
      .option('--validate', 'check the response against the operation’s response schema')
      .option('--base-url <url>', 'override scheme, host and basePath')
      .option('--timeout <seconds>', 'request timeout in seconds', '30')
      .option('--retries <n>', 'retries for idempotent requests on 408/429/5xx and resets', '2')
      .option('-o, --out <file>', 'write the response body to a file')
      .option('--no-fail', 'exit 0 whatever the HTTP status')
      .option('--allow-insecure-http', 'allow sending credentials over plain http to a non-loopback host')
      .addHelpText(
        'after',
        `
Examples:
  $ connector run petstore getPetById -p petId=1
  $ connector run petstore addPet --body @pet.json
  $ connector run jira search -c prod -p jql='project = DEMO' --output yaml
  $ connector run petstore getPetById -p petId=1 --dry-run`,
      )
      .action(L(() => import('./commands/run.action.js')));

  if (wanted('demo'))
    program
      .command('demo')
      .description('start the bundled sample API, import it, connect and run a few operations, then clean up')
      .option('--keep', 'keep the throw-away registry and print its path')
      .addHelpText('after', '\nExamples:\n  $ connector demo')
      .action(L(() => import('./commands/demo.action.js')));

  return program;
}

/** Format an error for the user: one line, a hint, the stack only with --verbose for bugs. */
export function reportError(io: IO, e: unknown, verbose: boolean): number {
  if (isCliError(e)) {
    io.err(`connector: ${e.message}`);
    if (e.hint) io.err(e.hint);
    if (verbose && e.cause) io.err(String((e.cause as Error)?.stack ?? e.cause));
    return e.exitCode;
  }
  if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : ExitCode.USAGE;
  const err = e as Error;
  io.err(`connector: unexpected error: ${err?.message ?? String(e)}`);
  if (verbose) io.err(String(err?.stack ?? ''));
  else io.err('This is a bug in connector; run again with --verbose for details and report it.');
  return ExitCode.FAILURE;
}

export async function main(argv: string[], io: IO = systemIO({ noInput: argv.includes('--no-input') }), overrides: Partial<Context> = {}): Promise<number> {
  const state: { ctx?: Context; code?: number } = {};
  // Ctrl-C: tests pass their own signal; a real run listens for SIGINT/SIGTERM.
  const interrupt = overrides.signal ? undefined : interruptSignal();
  const program = buildProgram(io, state, interrupt ? { ...overrides, signal: interrupt.signal } : overrides, commandNamed(argv));
  try {
    await program.parseAsync(argv);
    return state.code ?? ExitCode.OK;
  } catch (e) {
    if (e instanceof CommanderError) {
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
