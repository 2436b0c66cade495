import { defineCommand } from './spec.js';

export default defineCommand({
  name: 'init',
  description: 'scaffold a new connector: a paconn folder that validates, imports and runs',
  arguments: [{ name: '[dir]', description: "folder to write (default: the title's slug in the current folder)" }],
  options: [
    { flags: '--title <title>', description: 'connector title (info.title)' },
    { flags: '--base-url <url>', description: 'where the API is: host, basePath and scheme of the definition' },
    { flags: '--auth <kind>', description: 'how connections sign in', choices: ['none', 'basic', 'apikey', 'oauth2', 'oauth2-aad', 'windows'] },
    { flags: '--from <file-or-url>', description: 'start from an existing Swagger 2.0 or OpenAPI 3 definition (or paconn folder)' },
    { flags: '--script', description: 'also write script.csx (custom code passing requests through) and settings.json' },
    { flags: '--force', description: 'overwrite files that exist' },
    { flags: '--api-key-name <name>', description: 'apikey: the header or query parameter that carries the key (default X-API-Key)' },
    { flags: '--api-key-in <where>', description: 'apikey: where the key goes', choices: ['header', 'query'] },
    {
      flags: '--provider <name>',
      description: 'oauth2: identity provider preset: aad (entra), microsoftaccount, github, google, facebook, or oauth2 (generic)',
    },
    { flags: '--authorization-url <url>', description: 'oauth2: authorization endpoint' },
    { flags: '--token-url <url>', description: 'oauth2: token endpoint' },
    { flags: '--refresh-url <url>', description: 'oauth2: refresh endpoint (default: the token URL)' },
    { flags: '--scope <scope>', description: 'oauth2, oauth2-aad: a scope (repeatable)', repeatable: true },
    { flags: '--client-id <id>', description: 'oauth2, oauth2-aad: the OAuth client (application) id' },
    { flags: '--resource-uri <uri>', description: 'oauth2-aad: the resource the token is for (default: the base URL)' },
  ],
  examples: [
    'connector init                                        # interactive',
    'connector init ./petstore --title Petstore --base-url https://petstore.example.com/v2 --auth apikey \\\n    --api-key-name api_key --no-input',
    'connector init --from ./openapi.json --auth oauth2 --provider github',
  ],
  action: () => import('./init.action.js'),
});
