import { defineCommand } from './spec.js';

export default defineCommand({
  name: 'values',
  description: 'list the values a parameter takes, from the operation its x-ms-dynamic-values / -list / -tree names',
  arguments: [
    { name: '<connector>', description: 'connector name' },
    { name: '<operation>', description: 'operationId (case-insensitive) or the slug of its summary' },
    { name: '<parameter>', description: 'parameter name (any case) or x-ms-summary slug; a body property as body.<path>' },
  ],
  options: [
    { flags: '-c, --connection <name>', description: 'connection to call the source with (default: the default connection)' },
    { flags: '-p, --param <name=value>', description: 'a value of another parameter the source depends on (repeatable)', repeatable: true },
    { flags: '--parent <value>', description: 'x-ms-dynamic-tree: list the children of this item (default: the top level)' },
    { flags: '--base-url <url>', description: 'override scheme, host and basePath' },
    { flags: '--timeout <seconds>', description: 'request timeout in seconds', default: '30' },
  ],
  notes: [
    'The source operation is called once with the connection, as `run` calls it (auth, policies, proxy).',
    'A body property is named body.<path> in the -f syntax (body.fields.project.key); the body parameter’s own name or the bare path work too.',
    'Its inputs that refer to another parameter ({ "parameter": "site" }) take that parameter\'s -p value.',
    'A tree (x-ms-dynamic-tree) lists one level per call; items marked as parents list their children with --parent.',
    '--json prints an array of { value, title } (a tree adds isParent, and parent where --parent takes another value).',
  ].join('\n'),
  examples: [
    'connector values sharepoint GetItems dataset',
    'connector values sharepoint GetItems table -p dataset=https://contoso.sharepoint.com/sites/hr',
    'connector values onedrive ListFolder id --parent /Documents',
    "connector values jira CreateIssue body.fields.issuetype.id -p projectKey=DEMO --query '$[*].value'",
  ],
  pager: true,
  action: () => import('./values.action.js'),
});
