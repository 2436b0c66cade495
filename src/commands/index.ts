import type { CommandSpec, ProgramSpec } from './spec.js';
import init from './init.js';
import importConnector from './connector/import.js';
import list from './connector/list.js';
import show from './connector/show.js';
import operations from './connector/operations.js';
import remove from './connector/remove.js';
import exportConnector from './connector/export.js';
import connection from './connection/index.js';
import run from './run.js';
import values from './values.js';
import demo from './demo.js';
import test from './test.js';
import validate from './validate.js';
import doctor from './doctor.js';
import completion from './completion.js';
import complete from './complete.js';

/** The root program: what `connector --help` shows around the command list. */
export const PROGRAM: ProgramSpec = {
  name: 'connector',
  description: 'Power Platform custom connectors in the terminal: import, connect, run.',
  options: [
    { flags: '--home <dir>', description: 'registry directory (env CONNECTOR_HOME; default ~/.local/share/connector)' },
    { flags: '--json', description: 'print exactly one JSON document on stdout' },
    {
      flags: '--query <jsonpath>',
      description:
        "select from the JSON output with a JSONPath (RFC 9535), e.g. '$.value[*].id': one match a line, strings raw; selects from the --json document (run: from the response body)",
    },
    { flags: '--no-pager', description: 'never page long output (default on a terminal: $CONNECTOR_PAGER, $PAGER or less -FRX)' },
    { flags: '--no-input', description: 'never prompt; fail with exit 5 when input is needed' },
    { flags: '--verbose', description: 'trace what happens on stderr (secrets redacted)' },
    { flags: '--secret-store <store>', description: 'where secrets go (env CONNECTOR_SECRET_STORE)', choices: ['keychain', 'vault', 'memory'] },
  ],
  notes: `Exit codes: 0 ok, 1 failure (also: not found), 2 usage error, 3 cancelled,
            4 authentication failure, 5 input needed but prompting impossible.`,
  examples: [
    'connector demo',
    'connector import ./petstore.swagger.json',
    'connector import ./MyConnector/          # a paconn folder',
    'connector operations petstore',
    'connector connection create petstore --param-env api_key=PETSTORE_KEY --no-input',
    'connector run petstore getPetById -p petId=1',
  ],
};

/** Every top-level command, in the order `connector --help` lists them. */
export const COMMANDS: readonly CommandSpec[] = [
  init,
  importConnector,
  list,
  show,
  operations,
  remove,
  exportConnector,
  connection,
  run,
  values,
  test,
  validate,
  doctor,
  demo,
  completion,
  complete,
];
