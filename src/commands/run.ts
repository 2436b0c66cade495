import { defineCommand } from './spec.js';

export default defineCommand({
  name: 'run',
  description: 'call an operation with a stored connection',
  arguments: [
    { name: '<connector>', description: 'connector name' },
    { name: '<operation>', description: 'operationId (case-insensitive) or the slug of its summary' },
  ],
  options: [
    { flags: '-c, --connection <name>', description: 'connection to use (default: the default connection)' },
    { flags: '-p, --param <name=value>', description: 'operation parameter (repeatable; value @file reads a file)', repeatable: true },
    { flags: '--body <body>', description: 'request body: @file, - for stdin, or inline JSON' },
    { flags: '-H, --header <header>', description: "extra header 'Name: value' (repeatable)", repeatable: true },
    { flags: '--format <format>', description: 'how to print the body', choices: ['auto', 'json', 'raw', 'yaml'], default: 'auto' },
    { flags: '-i, --include', description: 'print status and headers too' },
    {
      flags: '--show-secrets',
      description: 'print the response as received: cookies, token headers and any secret of the connection it echoes (masked by default)',
    },
    { flags: '--dry-run', description: 'print the request as a curl command (secrets redacted) and send nothing' },
    { flags: '--validate', description: 'check the response against the operation’s response schema' },
    { flags: '--base-url <url>', description: 'override scheme, host and basePath' },
    { flags: '--timeout <seconds>', description: 'request timeout in seconds', default: '30' },
    { flags: '--retries <n>', description: 'retries for idempotent requests on 408/429/5xx and resets', default: '2' },
    { flags: '-o, --output <file>', description: 'write the response body to a file (a bare auto, json, raw or yaml is the old --output <format>)' },
    { flags: '--out <file>', description: 'old name of --output <file>', hidden: true },
    { flags: '--no-fail', description: 'exit 0 whatever the HTTP status' },
    { flags: '--allow-insecure-http', description: 'allow sending credentials over plain http to a non-loopback host' },
  ],
  examples: [
    'connector run petstore getPetById -p petId=1',
    'connector run petstore addPet --body @pet.json',
    "connector run jira search -c prod -p jql='project = DEMO' --format yaml",
    'connector run petstore getPetById -p petId=1 --dry-run',
    "connector run petstore findPetsByStatus -p status=sold --query '$[*].id'",
    'connector run petstore findPetsByStatus -p status=sold -o pets.json',
  ],
  pager: true,
  queries: 'output',
  command: true,
  action: () => import('./run.action.js'),
});
