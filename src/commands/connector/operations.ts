import { defineCommand } from '../spec.js';

export default defineCommand({
  name: 'operations',
  aliases: ['ops'],
  description: 'list the operations of a connector, or describe one',
  arguments: [
    { name: '<name>', description: 'connector name' },
    { name: '[operation]', description: 'describe this operation (operationId, case-insensitive, or the slug of its summary)' },
  ],
  options: [
    { flags: '--all', description: 'include internal (x-ms-visibility: internal) operations' },
    { flags: '--filter <text>', description: 'only operations whose id, summary, path or method contains <text> (any case)' },
    {
      flags: '--fetch-schemas',
      description: 'with an operation: fetch its x-ms-dynamic-schema/-properties parts with the default connection (a call to the API)',
    },
  ],
  notes:
    'With an operation: its method and URL, every parameter (location, type, required, default, allowed\n' +
    'and dynamic values), the body as a tree (* marks required fields) with an example, the responses and\n' +
    'the policies that apply to it. --json prints the same as one document. Describing calls nothing;\n' +
    '--fetch-schemas fetches the schema parts the API gives at run time (x-ms-dynamic-schema) with the default connection.',
  examples: [
    'connector operations petstore',
    'connector operations petstore --filter pet',
    'connector operations petstore --json | jq -r ".[].operationId"',
    'connector operations petstore addPet',
    'connector operations petstore addPet --json | jq .body.example',
  ],
  pager: true,
  action: () => import('./operations.action.js'),
});
