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
    {
      flags: '-f, --field <path=value>',
      description: 'a body field: name=text, count:=3 (JSON), tags[]=a, user.name=x (repeatable; see below)',
      repeatable: true,
    },
    { flags: '-H, --header <header>', description: "extra header 'Name: value' (repeatable)", repeatable: true },
    { flags: '--output <mode>', description: 'how to print the body', choices: ['auto', 'json', 'raw', 'yaml'], default: 'auto' },
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
    { flags: '-o, --out <file>', description: 'write the response body to a file' },
    { flags: '--no-fail', description: 'exit 0 whatever the HTTP status' },
    { flags: '--allow-insecure-http', description: 'allow sending credentials over plain http to a non-loopback host' },
  ],
  notes: [
    'Body fields (-f), as in httpie and restish:',
    '  -f title=Hello      a string; a number or boolean where the body schema says so',
    '  -f count:=3         raw JSON: -f done:=true, -f meta:=\'{"a":1}\'',
    "  -f 'tags[]=a'       appended to an array; -f 'items[0].id:=1' sets an index",
    "  -f user.name=x      nested objects; a backslash escapes . [ ] = : (-f 'a\\.b=1')",
    'With --body, the fields are applied on top of its JSON object.',
    'With <connector> <operation>, --help also describes the operation (as connector operations does).',
  ].join('\n'),
  examples: [
    'connector run petstore getPetById -p petId=1',
    'connector run petstore addPet --body @pet.json',
    "connector run petstore addPet -f name=Rex -f 'photoUrls[]=https://example.com/rex.png' -f category.id:=2",
    "connector run jira search -c prod -p jql='project = DEMO' --output yaml",
    'connector run petstore getPetById -p petId=1 --dry-run',
  ],
  action: () => import('./run.action.js'),
  helpDetail: () => import('./run.help.js'),
});
