import { defineCommand } from '../spec.js';
import { oauthOptions } from './oauth-options.js';

export default defineCommand({
  name: 'create',
  description: 'create a connection: prompts for each parameter, or takes them from flags',
  arguments: [{ name: '<connector>', description: 'connector name' }],
  options: [
    { flags: '--name <name>', description: 'connection name (default: "default")' },
    {
      flags: '--auth <option>',
      description: 'which parameter set to use: its name or label, or a kind (oauth2, windows, basic, apiKey) that only one set has',
    },
    { flags: '--param <name=value>', description: 'a parameter value (repeatable; secrets here land in shell history)', repeatable: true },
    { flags: '--param-env <name=ENV_VAR>', description: 'read a parameter from an environment variable (repeatable)', repeatable: true },
    { flags: '--param-stdin <name>', description: 'read one parameter from standard input' },
    { flags: '--from <file>', description: 'start from a connection template exported by `connection export`' },
    { flags: '--default', description: 'make it the default connection of its connector' },
    { flags: '--no-verify', description: 'save without calling the test operation' },
    { flags: '--test-operation <id>', description: 'operation used to verify the connection' },
    oauthOptions,
  ],
  examples: [
    'connector connection create jira                  # interactive',
    'JIRA_TOKEN=... connector connection create jira --name ci --no-input \\\n    --param jirainstance=example.atlassian.net --param username=me@example.com --param-env password=JIRA_TOKEN',
    'connector connection create petstore --from teammate.connection.yaml',
  ],
  action: () => import('./create.action.js'),
});
