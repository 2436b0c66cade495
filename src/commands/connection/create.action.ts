import type { Context } from '../../context.js';
import { AuthError, CliError, UsageError } from '../../errors.js';
import { printJson } from '../../io/output.js';
import { validateName } from '../../registry/registry.js';
import { deriveConnectionModel } from '../../spec/connection-model.js';
import { secretAccount, type SecretStore } from '../../secrets/store.js';
import { listConnections, updateConnections, valueParameters } from '../../connections/store.js';
import { chooseOption, completeValues, suppliedValues } from '../../connections/values.js';
import type { ConnectionRecord, OAuthConnectionInfo } from '../../connections/types.js';
import type { OAuthFlags } from '../../connections/oauth.js';
import type { AuthOption } from '../../model.js';
import { TOKENS } from '../../connections/oauth-names.js';

interface Opts extends OAuthFlags {
  name?: string;
  auth?: string;
  param?: string[];
  paramEnv?: string[];
  paramStdin?: string;
  from?: string;
  default?: boolean;
  verify?: boolean;
  testOperation?: string;
}

/** `connector connection create <connector>`: gather values, verify, then save secrets and record. */
export default async function create(ctx: Context, connector: string, opts: Opts): Promise<number> {
  const registry = await ctx.registry();
  const record = await registry.get(connector);
  const model = deriveConnectionModel(record);

  const { loadTemplate } = opts.from ? await import('../../connections/template.js') : { loadTemplate: undefined };
  const template = opts.from && loadTemplate ? await loadTemplate(opts.from) : undefined;
  if (template && template.connector !== record.name) {
    throw new UsageError(`${opts.from} is a template for connector '${template.connector}', not '${record.name}'`);
  }
  const name = validateName(opts.name ?? template?.name ?? 'default', 'connection name');
  const existing = await listConnections(ctx, record.name);
  if (existing.some((c) => c.name === name)) {
    throw new CliError(`connection '${record.name}/${name}' already exists`, {
      hint: `Pick another --name, or remove it first: connector connection delete ${record.name}/${name}`,
    });
  }

  const option = await chooseOption(ctx, record.name, model, opts.auth ?? template?.auth);
  if (option?.kind === 'gateway') {
    throw new CliError(`'${record.title}' connects through an on-premises data gateway, which cannot be used from the terminal`);
  }
  if (!option) ctx.warn(`connector '${record.name}' needs no connection; creating one anyway`);

  // A keychain that cannot take the secrets should say so now, not after the user has typed
  // them or signed in through a browser: one read of an item that does not exist.
  // (The item read is the first one that would be written, so the error names its variable.)
  const firstSecret = valueParameters(option).find((p) => p.secret)?.name ?? (option?.kind === 'oauth2' ? TOKENS : undefined);
  if (firstSecret) {
    const early = await ctx.secrets();
    if (early.kind === 'keychain') await early.get(secretAccount(record.name, name, firstSecret));
  }

  const supplied = await suppliedValues(ctx, option, opts, template?.values);
  const all = await completeValues(ctx, option, supplied);

  const params = valueParameters(option);
  const values: Record<string, string> = {};
  const secretValues: Record<string, string> = {};
  for (const [k, s] of all) {
    if (params.find((p) => p.name === k)?.secret) secretValues[k] = s.value;
    else values[k] = s.value;
  }

  // A value the connector's URL template cannot use (JIRA: https://acme.atlassian.net) is refused
  // now, with the value to give, rather than saved and refused by every run.
  const { checkHostValues } = await import('../../policies/index.js');
  checkHostValues(record, { ...values, ...secretValues }, new Set(Object.keys(secretValues)));

  // OAuth 2.0: sign in now; tokens, client secret and certificate join the secrets.
  let oauth: Awaited<ReturnType<typeof signInForCreate>> | undefined;
  if (option?.kind === 'oauth2') {
    oauth = await signInForCreate(ctx, option, opts, values, `${record.name}/${name}`);
    const { CLIENT_SECRET, CERTIFICATE } = await import('../../connections/oauth.js');
    const client = oauth.client;
    if (client.secret !== undefined) secretValues[CLIENT_SECRET] = client.secret;
    if (client.certificatePem !== undefined) secretValues[CERTIFICATE] = client.certificatePem;
  }

  const store: SecretStore | undefined = Object.keys(secretValues).length || oauth ? await ctx.secrets() : undefined;
  const now = new Date().toISOString();
  const conn: ConnectionRecord = {
    connector: record.name,
    name,
    authOption: option?.id ?? '',
    kind: option?.kind ?? 'none',
    values,
    secretParams: [...Object.keys(secretValues), ...(oauth ? [TOKENS] : [])],
    secretStore: store?.kind ?? ctx.secretStoreKind ?? 'keychain',
    isDefault: Boolean(opts.default),
    createdAt: now,
    updatedAt: now,
    ...(oauth ? { oauth: oauth.info } : {}),
  };

  if (opts.verify !== false) {
    const { chooseTestOperation, runTest } = await import('../../connections/verify.js');
    const test = chooseTestOperation(record, opts.testOperation ?? template?.testOperation);
    if (!test) {
      ctx.io.err(`No test operation found for '${record.name}' (none declared, no GET callable with example values); saving without a check.`);
    } else {
      const inMemory = { record: conn, option, values: { ...values, ...secretValues }, secrets: Object.values(secretValues), origins: {}, tokenStorage: oauth?.tokens };
      const res = await runTest(ctx, record, inMemory, test).catch((e: unknown) => {
        // The API could not be reached (not a refusal of the credentials): say how to save anyway.
        if (e instanceof CliError && !(e instanceof AuthError) && !e.hint) {
          throw new CliError(e.message, {
            exitCode: e.exitCode,
            hint: `Testing the connection with ${test.operationId} failed, so nothing was saved. To save it without the test: --no-verify.`,
            cause: e,
          });
        }
        throw e;
      });
      if (res.status >= 200 && res.status < 300) {
        ctx.io.err(`Verified: ${test.operationId} answered HTTP ${res.status}.`);
        if (test.source === 'flag') conn.testOperation = test.operationId;
      } else {
        ctx.warn(`test operation ${test.operationId} answered HTTP ${res.status} (not an auth failure); saving anyway`);
      }
    }
  }

  if (oauth) {
    // The verification may have renewed the tokens: store the latest set.
    const { tokenFacts } = await import('../../connections/oauth.js');
    const latest = oauth.tokens.current!;
    secretValues[TOKENS] = JSON.stringify(latest);
    oauth.info.token = tokenFacts(latest);
  }
  await save(ctx, conn, store, secretValues);

  if (ctx.json) printJson(ctx.io, { ...conn, isDefault: (await listConnections(ctx, record.name)).find((c) => c.name === name)?.isDefault });
  else {
    const where = store ? ` (${oauth ? 'tokens' : 'secrets'} in the ${store.describe()})` : '';
    ctx.io.err(`Created connection ${record.name}/${name}${where}.`);
  }
  return 0;
}

/**
 * Secrets first, then the record, all under the registry lock so a concurrent create
 * of the same name cannot interleave; any failure removes the secrets written so far.
 */
async function save(ctx: Context, conn: ConnectionRecord, store: SecretStore | undefined, secrets: Record<string, string>) {
  const written: string[] = [];
  try {
    await updateConnections(ctx, async (list) => {
      if (list.some((c) => c.connector === conn.connector && c.name === conn.name)) {
        throw new CliError(`connection '${conn.connector}/${conn.name}' already exists`);
      }
      for (const [k, v] of Object.entries(secrets)) {
        const account = secretAccount(conn.connector, conn.name, k);
        await store!.set(account, v);
        written.push(account);
      }
      if (conn.isDefault) for (const c of list) if (c.connector === conn.connector) c.isDefault = false;
      list.push(conn);
    });
  } catch (e) {
    for (const account of written) await store!.delete(account).catch(() => {});
    throw e;
  }
}

/** Resolve provider, client and flow, then sign in; the tokens stay in memory until the connection is saved. */
async function signInForCreate(ctx: Context, option: AuthOption, opts: Opts, values: Record<string, string>, address: string) {
  const o = await import('../../connections/oauth.js');
  const { MemoryTokenStorage } = await import('../../secrets/tokens.js');
  const { toTokenSet } = await import('../../oauth/tokens.js');
  const setting = o.oauthSettingOf(option);
  const provider = await o.resolveProvider(setting, opts, values);
  const client = await o.gatherClient(ctx, opts, setting);
  const flow = await o.pickFlow(ctx, provider, opts.flow ?? 'auto', client.auth);
  const info: OAuthConnectionInfo = { provider, clientId: client.auth.clientId, flow, ...o.redirectOptions(opts) };
  const tokens = toTokenSet(await o.signIn(ctx, info, client.auth, address));
  ctx.io.err(`Signed in (${flow === 'client-credentials' ? 'client credentials' : `${flow} flow`}).`);
  return { info, client, tokens: new MemoryTokenStorage(tokens) };
}

