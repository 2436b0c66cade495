import { KEPT_FILE, splitForUpload } from '../spec/envelope.js';
import { authParts, type AuthAnswers } from './auth.js';

/** Everything `connector init` decided, from flags, prompts or the --from file. */
export interface InitPlan {
  title: string;
  /** Where the API is; undefined only for a --from definition that keeps its own host. */
  baseUrl?: URL;
  /** undefined: a --from definition whose securityDefinitions and apiProperties are kept as they are. */
  auth?: AuthAnswers;
  script: boolean;
  /** --from: the Swagger 2.0 definition to start from (and the apiProperties it came with, if any). */
  from?: { definition: Record<string, unknown>; apiProperties?: Record<string, unknown> };
}

/** The sample operation a new connector gets, so it can be imported and run at once. */
export const SAMPLE_OPERATION = 'ListItems';
/** A brand colour the certification checklist accepts (not #007ee5, not #ffffff). */
export const BRAND_COLOR = '#da3b01';
const MIN_DESCRIPTION = 30;

/** The files of the paconn folder, by file name, as their text. */
export function scaffoldFiles(plan: InitPlan): { files: Record<string, string>; warnings: string[] } {
  const warnings: string[] = [];
  const parts = plan.auth ? authParts(plan.auth) : undefined;
  const definition = plan.from ? fromDefinition(plan, warnings) : newDefinition(plan);
  if (parts) {
    const ids = Object.keys(parts.securityDefinitions);
    definition.securityDefinitions = parts.securityDefinitions;
    definition.security = ids.map((id) => ({ [id]: [] }));
  }
  const apiProperties: Record<string, unknown> =
    !parts && plan.from?.apiProperties
      ? plan.from.apiProperties
      : {
          properties: {
            connectionParameters: parts?.connectionParameters ?? {},
            iconBrandColor: BRAND_COLOR,
            capabilities: parts?.capabilities ?? [],
          },
        };
  if (plan.script) ((apiProperties.properties ??= {}) as Record<string, unknown>).scriptOperations = operationIds(definition);
  // A --from paconn folder may carry fields paconn create refuses (stackOwner): they go aside, as export puts them.
  const { upload, kept } = splitForUpload(apiProperties);
  const files: Record<string, string> = {
    'apiDefinition.swagger.json': json(definition),
    'apiProperties.json': json(upload),
  };
  if (kept) files[KEPT_FILE] = json(kept);
  if (plan.script) {
    files['script.csx'] = SCRIPT;
    files['settings.json'] = json({ apiDefinition: 'apiDefinition.swagger.json', apiProperties: 'apiProperties.json', script: 'script.csx' });
  }
  return { files, warnings };
}

const json = (v: unknown) => JSON.stringify(v, null, 2) + '\n';

function description(title: string): string {
  return `${title} connector: calls the ${title} API. Describe here what it does and who it is for.`;
}

/** Who answers for the connector (certification wants it): derived from the base URL, to be replaced like the description. */
function contact(title: string, url: URL | undefined): Record<string, string> {
  const host = url?.hostname.replace(/^(api|www)\./, '') ?? 'example.com';
  return { name: `${title} support`, url: url ? url.origin : `https://${host}`, email: `support@${host}` };
}

function where(url: URL): { host: string; basePath: string; schemes: string[] } {
  const basePath = url.pathname.replace(/\/+$/, '') || '/';
  return { host: url.host, basePath, schemes: [url.protocol.replace(/:$/, '')] };
}

function newDefinition(plan: InitPlan): Record<string, unknown> {
  const url = plan.baseUrl!;
  return {
    swagger: '2.0',
    info: { title: plan.title, description: description(plan.title), version: '1.0.0', contact: contact(plan.title, url) },
    ...where(url),
    consumes: [],
    produces: ['application/json'],
    paths: {
      '/items': {
        get: {
          operationId: SAMPLE_OPERATION,
          summary: 'List items',
          description: 'Lists the items of the API. A sample operation: replace it with the API’s own.',
          'x-ms-visibility': 'important',
          parameters: [],
          responses: {
            '200': {
              description: 'The items',
              schema: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    id: { type: 'string', description: 'The identifier of the item.', 'x-ms-summary': 'ID' },
                    name: { type: 'string', description: 'The name of the item.', 'x-ms-summary': 'Name' },
                  },
                },
              },
            },
          },
        },
      },
    },
    definitions: {},
    parameters: {},
    responses: {},
    securityDefinitions: {},
    security: [],
    tags: [],
    'x-ms-connector-metadata': metadata(url),
  };
}

/** What certification wants listed (Website, Privacy policy, Categories), from the base URL: to replace like the contact. */
function metadata(url: URL | undefined): { propertyName: string; propertyValue: string }[] {
  const origin = url?.origin ?? 'https://example.com';
  return [
    { propertyName: 'Website', propertyValue: origin },
    { propertyName: 'Privacy policy', propertyValue: `${origin}/privacy` },
    { propertyName: 'Categories', propertyValue: 'IT Operations' },
  ];
}

/** The converted definition's own address, for what init derives from a base URL when none was given. */
function serverUrl(d: Record<string, any>): URL | undefined {
  try {
    return typeof d.host === 'string' ? new URL(`${(Array.isArray(d.schemes) && d.schemes[0]) || 'https'}://${d.host}${d.basePath ?? ''}`) : undefined;
  } catch {
    return undefined;
  }
}

/** A --from definition with the title, base URL and description init was given (or needs). */
function fromDefinition(plan: InitPlan, warnings: string[]): Record<string, unknown> {
  const d = structuredClone(plan.from!.definition);
  const info = (d.info && typeof d.info === 'object' ? d.info : (d.info = {})) as Record<string, unknown>;
  info.title = plan.title;
  if (typeof info.description !== 'string' || info.description.trim().length < MIN_DESCRIPTION) {
    info.description = description(plan.title);
    warnings.push(`info.description was missing or under ${MIN_DESCRIPTION} characters; wrote a placeholder to replace`);
  }
  if (plan.baseUrl) Object.assign(d, where(plan.baseUrl));
  if (!info.contact || typeof info.contact !== 'object') {
    info.contact = contact(plan.title, plan.baseUrl ?? serverUrl(d));
    warnings.push('info.contact was missing; wrote one from the base URL to replace with your support contact');
  }
  if (!Array.isArray(d['x-ms-connector-metadata'])) {
    d['x-ms-connector-metadata'] = metadata(plan.baseUrl ?? serverUrl(d));
    warnings.push('x-ms-connector-metadata was missing; wrote Website, Privacy policy and Categories to replace with yours');
  }
  return d;
}

const METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch']);

function operationIds(definition: Record<string, unknown>): string[] {
  const ids: string[] = [];
  for (const item of Object.values((definition.paths ?? {}) as Record<string, Record<string, unknown>>)) {
    if (!item || typeof item !== 'object') continue;
    for (const [method, op] of Object.entries(item)) {
      const id = (op as Record<string, unknown> | null)?.operationId;
      if (METHODS.has(method) && typeof id === 'string') ids.push(id);
    }
  }
  return ids;
}

/** Custom code that changes nothing: the request goes to the API as it is. */
const SCRIPT = `public class Script : ScriptBase
{
    public override async Task<HttpResponseMessage> ExecuteAsync()
    {
        // Change the request (this.Context.Request) or the response here; as written, it passes the request through.
        return await this.Context.SendAsync(this.Context.Request, this.CancellationToken).ConfigureAwait(false);
    }
}
`;
