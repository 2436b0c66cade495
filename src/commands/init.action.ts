import { lstat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Context } from '../context.js';
import { InputNeededError, UsageError } from '../errors.js';
import { atomicWrite } from '../fs/atomic.js';
import { printJson } from '../io/output.js';
import type { Choice } from '../io/prompter.js';
import { slugify } from '../util/suggest.js';
import { answersFromDefinition, INIT_AUTH_KINDS, PROVIDERS, providerPreset, type AuthAnswers, type InitAuthKind } from '../init/auth.js';
import { SAMPLE_OPERATION, scaffoldFiles, type InitPlan } from '../init/scaffold.js';

export interface InitOptions {
  title?: string;
  baseUrl?: string;
  auth?: InitAuthKind;
  from?: string;
  script?: boolean;
  force?: boolean;
  apiKeyName?: string;
  apiKeyIn?: 'header' | 'query';
  provider?: string;
  authorizationUrl?: string;
  tokenUrl?: string;
  refreshUrl?: string;
  scope?: string[];
  clientId?: string;
  resourceUri?: string;
}

/** `connector init [dir]`: asks what flags left out, then writes the paconn folder (nothing when a file is in the way). */
export default async function init(ctx: Context, dir: string | undefined, opts: InitOptions): Promise<number> {
  const ask = asker(ctx);
  const from = opts.from ? await readFrom(ctx, opts.from) : undefined;
  const fromInfo = (from?.definition.info ?? {}) as Record<string, unknown>;

  const title = (
    opts.title ?? (from && typeof fromInfo.title === 'string' && fromInfo.title.trim() ? fromInfo.title : await ask.input('title', 'Title of the connector:'))
  ).trim();
  if (!title) throw new UsageError('--title must not be empty');
  if (title.length > 30 || /\b(api|connector)\b/i.test(title)) {
    ctx.warn(`certification wants a title of at most 30 characters without the words "API" or "Connector" ('${title}')`);
  }
  const name = slugify(title);
  if (!name) throw new UsageError(`cannot make a connector name of the title '${title}'`, 'Use letters or digits in --title.');

  const fromHost = typeof from?.definition.host === 'string' && from.definition.host !== '';
  const rawUrl = opts.baseUrl ?? (from && fromHost ? undefined : await ask.input('base-url', 'Base URL of the API (https://…):'));
  const baseUrl = rawUrl === undefined ? undefined : parseBaseUrl(rawUrl, '--base-url');

  let auth: AuthAnswers | undefined;
  if (opts.auth) auth = await authAnswers(ask, opts.auth, opts, baseUrl);
  else if (from) {
    const implied = answersFromDefinition(from.definition);
    // A paconn folder keeps the apiProperties it came with; a bare definition gets the ones its securityDefinitions imply.
    if (!from.apiProperties)
      auth = implied ? await authAnswers(ask, implied.kind, { ...implied, ...opts, scope: opts.scope ?? implied.scopes }, baseUrl) : { kind: 'none' };
  } else {
    const choices: Choice[] = INIT_AUTH_KINDS.map((k) => ({ name: AUTH_LABELS[k], value: k }));
    auth = await authAnswers(ask, (await ask.select('auth', 'Authentication:', choices, 'none')) as InitAuthKind, opts, baseUrl);
  }
  warnUnused(ctx, opts, auth?.kind);

  const plan: InitPlan = {
    title,
    baseUrl,
    auth,
    script: Boolean(opts.script),
    from: from && { definition: from.definition, apiProperties: from.apiProperties },
  };
  const { files, warnings } = scaffoldFiles(plan);
  for (const w of warnings) ctx.warn(w);

  const shown = dir ?? name;
  const target = resolve(shown);
  await checkTarget(target, Object.keys(files), Boolean(opts.force));
  for (const [file, text] of Object.entries(files)) await atomicWrite(join(target, file), text, 0o644);

  ctx.io.err(`Wrote ${Object.keys(files).length} files to ${target}:`);
  for (const file of Object.keys(files)) ctx.io.err(`  ${file}`);
  ctx.io.err('Next:');
  for (const line of nextSteps(shown, name, auth?.kind, Boolean(from))) ctx.io.err(`  ${line}`);
  if (ctx.json) printJson(ctx.io, { name, path: target, files: Object.keys(files).map((f) => join(target, f)) });
  return 0;
}

const AUTH_LABELS: Record<InitAuthKind, string> = {
  none: 'No authentication',
  basic: 'Basic authentication (username and password)',
  apikey: 'API key',
  oauth2: 'OAuth 2.0',
  'oauth2-aad': 'OAuth 2.0 with Microsoft Entra ID (Azure AD)',
  windows: 'Windows authentication (on-premises data gateway)',
};

type Ask = ReturnType<typeof asker>;

/**
 * Questions for answers the flags left out. Each names its flag: with --no-input (or no
 * terminal) a question with a default takes it, one without is exit 5 saying which flag to pass.
 */
function asker(ctx: Context) {
  const needed = (flag: string, e: unknown): never => {
    if (e instanceof InputNeededError)
      throw new InputNeededError(`--${flag} is needed (${e.message.replace(/^input needed \((.*)\) but /, '$1; ')})`, `Pass --${flag}.`);
    throw e;
  };
  return {
    async input(flag: string, message: string, dflt?: string): Promise<string> {
      try {
        return (await (await ctx.prompter()).input(message, { default: dflt, required: dflt === undefined })).trim() || (dflt ?? '');
      } catch (e) {
        if (e instanceof InputNeededError && dflt !== undefined) return dflt;
        return needed(flag, e);
      }
    },
    async select(flag: string, message: string, choices: Choice[], dflt: string): Promise<string> {
      try {
        return await (await ctx.prompter()).select(message, choices, { default: dflt });
      } catch (e) {
        if (e instanceof InputNeededError) return dflt;
        return needed(flag, e);
      }
    },
  };
}

async function authAnswers(ask: Ask, kind: InitAuthKind, o: InitOptions & Partial<AuthAnswers>, baseUrl: URL | undefined): Promise<AuthAnswers> {
  const url = (v: string | undefined, flag: string) => (v === undefined || v === '' ? undefined : parseBaseUrl(v, flag, true).href);
  const scopes = async () => o.scope ?? splitScopes(await ask.input('scope', 'Scopes (space-separated, empty for none):', ''));
  switch (kind) {
    case 'apikey':
      return {
        kind,
        apiKeyName: o.apiKeyName ?? (await ask.input('api-key-name', 'Header or query parameter that carries the API key:', 'X-API-Key')),
        apiKeyIn: o.apiKeyIn ?? ((await ask.select('api-key-in', 'Where the API key goes:', IN_CHOICES, 'header')) as 'header' | 'query'),
      };
    case 'oauth2': {
      let provider = o.provider ? providerPreset(o.provider) : undefined;
      if (!provider && !o.authorizationUrl) provider = await ask.select('provider', 'Identity provider:', PROVIDER_CHOICES, 'oauth2');
      if (provider === 'aad') return authAnswers(ask, 'oauth2-aad', o, baseUrl);
      const preset = provider && provider !== 'oauth2' ? PROVIDERS[provider] : undefined;
      const authorizationUrl =
        preset?.authorizationUrl ?? url(o.authorizationUrl ?? (await ask.input('authorization-url', 'Authorization URL:')), '--authorization-url');
      const tokenUrl = preset?.tokenUrl ?? url(o.tokenUrl ?? (await ask.input('token-url', 'Token URL:')), '--token-url');
      const refreshUrl = preset ? undefined : url(o.refreshUrl ?? (await ask.input('refresh-url', 'Refresh URL:', tokenUrl)), '--refresh-url');
      return {
        kind,
        identityProvider: preset?.identityProvider ?? 'oauth2',
        authorizationUrl,
        tokenUrl,
        refreshUrl,
        scopes: await scopes(),
        clientId: o.clientId ?? (await ask.input('client-id', 'OAuth client id (empty: a placeholder to fill in):', '')),
      };
    }
    case 'oauth2-aad': {
      const resource = o.resourceUri ?? (await ask.input('resource-uri', 'Resource URI (the API’s Entra ID application):', baseUrl?.origin));
      return {
        kind,
        clientId: o.clientId ?? (await ask.input('client-id', 'Entra ID application (client) id (empty: a placeholder to fill in):', '')),
        resourceUri: resource,
        scopes: await scopes(),
      };
    }
    default:
      return { kind };
  }
}

const IN_CHOICES: Choice[] = [
  { name: 'header', value: 'header' },
  { name: 'query parameter', value: 'query' },
];
const PROVIDER_CHOICES: Choice[] = [
  { name: 'Generic OAuth 2.0 (authorization and token URLs)', value: 'oauth2' },
  { name: 'Microsoft Entra ID (aad)', value: 'aad' },
  { name: 'Microsoft account', value: 'microsoftaccount' },
  { name: 'GitHub', value: 'github' },
  { name: 'Google', value: 'google' },
  { name: 'Facebook', value: 'facebook' },
];

const splitScopes = (s: string) => s.split(/[\s,]+/).filter(Boolean);

/** Flags that belong to another auth kind are ignored, with a warning (a typo'd --auth would otherwise go unnoticed). */
function warnUnused(ctx: Context, o: InitOptions, kind: InitAuthKind | undefined): void {
  const own: Record<string, InitAuthKind[]> = {
    apiKeyName: ['apikey'],
    apiKeyIn: ['apikey'],
    provider: ['oauth2', 'oauth2-aad'],
    authorizationUrl: ['oauth2'],
    tokenUrl: ['oauth2'],
    refreshUrl: ['oauth2'],
    scope: ['oauth2', 'oauth2-aad'],
    clientId: ['oauth2', 'oauth2-aad'],
    resourceUri: ['oauth2-aad'],
  };
  for (const [key, kinds] of Object.entries(own)) {
    if (o[key as keyof InitOptions] !== undefined && !(kind && kinds.includes(kind))) {
      const flag = `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
      ctx.warn(`${flag} is ignored: it is for --auth ${kinds.join(' or ')}`);
    }
  }
}

/** An http(s) URL without query or fragment (a definition has host, basePath and schemes only). */
function parseBaseUrl(raw: string, flag: string, any = false): URL {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new UsageError(`${flag} '${raw}' is not a URL`, 'Give an absolute URL, e.g. https://api.example.com/v1');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new UsageError(`${flag} must be an http(s) URL, not '${raw}'`);
  if (!any && (url.search || url.hash || url.username || url.password)) {
    throw new UsageError(`${flag} '${raw}' has a query, fragment or credentials; a definition takes a host and a base path only`);
  }
  return url;
}

interface FromDefinition {
  definition: Record<string, unknown>;
  apiProperties?: Record<string, unknown>;
  specFormat: string;
}

/** The --from source, read, validated and bundled as `import` does; OpenAPI 3 converted to Swagger 2.0 (notes on stderr). */
async function readFrom(ctx: Context, source: string): Promise<FromDefinition> {
  const { prepareImport } = await import('../spec/import.js');
  const { record, warnings } = await prepareImport(source, { http: ctx.http, onRedirect: (to) => ctx.io.err(`Redirected to ${to.origin}`) });
  for (const w of warnings) if (!w.startsWith('custom code')) ctx.warn(w);
  if (record.specFormat === 'swagger2') return { definition: record.definition, apiProperties: record.apiProperties, specFormat: record.specFormat };
  const { toSwagger2 } = await import('../spec/downconvert.js');
  const { swagger, notes } = toSwagger2(record.definition);
  for (const n of notes) ctx.io.err(`note: ${n}`);
  return { definition: swagger as Record<string, unknown>, apiProperties: record.apiProperties, specFormat: 'swagger2' };
}

/** Refuse, before anything is written, a folder that is a file or a file that exists (without --force). */
async function checkTarget(dir: string, files: string[], force: boolean): Promise<void> {
  const st = await lstat(dir).catch(() => undefined);
  if (st && !st.isDirectory()) throw new UsageError(`${dir} exists and is not a folder`, 'Give another folder as the first argument.');
  if (!st || force) return;
  for (const f of files) {
    const path = join(dir, f);
    if (await lstat(path).catch(() => undefined)) {
      throw new UsageError(`${path} exists; nothing was written`, 'Pass --force to overwrite it, or give another folder.');
    }
  }
}

function nextSteps(dir: string, name: string, kind: InitAuthKind | undefined, from: boolean): string[] {
  const q = /^[\w./-]+$/.test(dir) ? dir : `'${dir.replace(/'/g, `'\\''`)}'`;
  const steps = [`connector validate ${q}`, `connector import ${q}`];
  const op = from ? `connector operations ${name}` : `connector run ${name} ${SAMPLE_OPERATION}`;
  switch (kind) {
    case undefined:
    case 'none':
      break;
    case 'basic':
    case 'windows':
      steps.push(`connector connection create ${name} --param username=<user> --param-env password=<ENV_VAR>`);
      break;
    case 'apikey':
      steps.push(`connector connection create ${name} --param-env api_key=<ENV_VAR>`);
      break;
    default:
      steps.push(`connector connection create ${name} --client-id <id>   # signs in`);
  }
  steps.push(op);
  return steps;
}
