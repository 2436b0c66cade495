import { defineCommand } from '../spec.js';

export default defineCommand({
  name: 'export',
  description: 'export a connector as shareable YAML or as a paconn folder',
  arguments: [{ name: '<name>', description: 'connector name' }],
  options: [
    { flags: '--format <format>', description: 'output format', choices: ['yaml', 'paconn'], default: 'yaml' },
    { flags: '-o, --output <path>', description: 'file (yaml) or folder (paconn); yaml defaults to stdout' },
  ],
  examples: [
    'connector export petstore > petstore.connector.yaml',
    'connector export petstore --format paconn -o ./petstore-paconn',
    'paconn create --api-def ./petstore-paconn/apiDefinition.swagger.json --api-prop ./petstore-paconn/apiProperties.json',
  ],
  action: () => import('./export.action.js'),
});
