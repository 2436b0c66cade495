import { defineCommand } from '../spec.js';

export default defineCommand({
  name: 'import',
  description: 'import a connector into the registry',
  arguments: [{ name: '<source>', description: 'Swagger 2.0 / OpenAPI 3 file or URL, paconn folder, or connector YAML' }],
  options: [
    { flags: '--name <name>', description: 'registry name (default: slug of info.title)' },
    { flags: '--force', description: 'replace an existing connector of that name, printing what changed' },
    {
      flags: '--allow-remote-refs',
      description: "fetch the spec's http(s) $refs (never from a loopback or private address other than the host the spec came from)",
    },
  ],
  examples: [
    'connector import ./apiDefinition.swagger.json',
    'connector import ./connectors/MyConnector          # apiDefinition.swagger.json + apiProperties.json',
    'connector import https://example.com/openapi.yaml --name example',
    'connector import ./shared/my-connector.yaml --force',
  ],
  action: () => import('./import.action.js'),
});
