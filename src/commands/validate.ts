import { defineCommand } from './spec.js';

export default defineCommand({
  name: 'validate',
  description: 'check a connector offline, as certification does: schema, limits, x-ms-* extensions, security, policies',
  arguments: [
    {
      name: '<targets...>',
      description: 'a Swagger/OpenAPI file, a paconn folder, a connector YAML, a folder of connectors, or the name of an imported connector',
    },
  ],
  options: [
    { flags: '--strict', description: 'exit 1 on warnings too' },
    { flags: '--rule <id=level>', description: 'set a rule to off, warning or error (repeatable)', repeatable: true },
    {
      flags: '--format <format>',
      description: 'text (grouped on a terminal, one line a finding on a pipe) or sarif (GitHub code scanning)',
      choices: ['text', 'sarif'],
      default: 'text',
    },
  ],
  notes: `Exit codes: 0 no errors (warnings allowed unless --strict), 1 errors, 2 usage (bad flags, a target
            that is neither a file, a folder nor an imported connector). Nothing is sent anywhere.`,
  examples: [
    'connector validate ./MyConnector/',
    'connector validate apiDefinition.swagger.json --strict',
    'connector validate petstore --rule schema-quirk=off --json',
    'connector validate ./connectors/ --format sarif > validate.sarif',
  ],
  action: () => import('./validate.action.js'),
});
