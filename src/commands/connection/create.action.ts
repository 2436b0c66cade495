import type { Context } from '../../context.js';
import { AuthError, CancelError, CliError, UsageError } from '../../errors.js';
import { printJson } from '../../io/output.js';
import { validateName } from '../../registry/registry.js';
import { deriveConnectionModel } from '../../spec/connection-model.js';
import { secretAccount, type SecretStore } from '../../secrets/store.js';
import { listConnections, updateConnections, valueParameters } from '../../connections/store.js';
import { askValues, chooseOption, completeValues, suppliedValues } from '../../connections/values.js';
import type { ConnectionRecord } from '../../connections/types.js';
import type { OAuthFlags } from '../../auth/oauth2/types.js';
import type { AuthOption } from '../../model.js';
import { pluginFor } from '../../auth/kinds.js';

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
  const plugin = await pluginFor(option?.kind ?? 'none');
  if (option) plugin.check?.(option, record);
  if (!option) ctx.warn(`connector '${record.name}' needs no connection; creating one anyway`);

  // A keychain that cannot take the secrets (unreachable, locked) should say so now, not after
  // the user has typed them or signed in through a browser (KeychainStore.probe).
  // (The item read is the first one that would be written, so the error names its variable.)
  const firstSecret = valueParameters(option).find((p) => p.secret)?.name ?? plugin.lazySecrets?.[0];
  if (firstSecret) {
    const early = await ctx.secrets();
    if (early.kind === 'keychain') {
      const account = secretAccount(record.name, name, firstSecret);
      const probe = (early as SecretStore & { probe?: (a: string) => Promise<void> }).probe;
      await (probe ? probe.call(early, account) : early.get(account));
    }
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

  // What the kind needs beyond the values (OAuth 2.0: sign in now; its client secret and certificate join the secrets).
  const address = `${record.name}/${name}`;
  const configured = await plugin.configure(ctx, option, opts as Record<string, unknown>, values, address);
  Object.assign(secretValues, configured.secrets);
  const later = configured.later ?? [];

  const store: SecretStore | undefined = Object.keys(secretValues).length || later.length ? await ctx.secrets() : undefined;
  const now = new Date(ctx.clock.now()).toISOString();
  const conn: ConnectionRecord = {
    connector: record.name,
    name,
    authOption: option?.id ?? '',
    kind: option?.kind ?? 'none',
    values,
    secretParams: [...Object.keys(secretValues), ...later],
    secretStore: store?.kind ?? ctx.secretStoreKind ?? 'keychain',
    isDefault: Boolean(opts.default),
    createdAt: now,
    updatedAt: now,
    ...configured.record,
  };

  if (opts.verify !== false) {
    const { chooseTestOperation, runTest } = await import('../../connections/verify.js');
    const test = chooseTestOperation(record, opts.testOperation ?? template?.testOperation);
    if (!test) {
      ctx.io.err(`No test operation found for '${record.name}' (none declared, no GET callable with example values); saving without a check.`);
    } else {
      const verify = async () => {
        const inMemory = {
          record: conn,
          option,
          values: { ...values, ...secretValues },
          secrets: Object.values(secretValues),
          origins: {},
          tokenStorage: configured.tokenStorage,
        };
        return runTest(ctx, record, inMemory, test).catch((e: unknown) => {
          // The API could not be reached (not a refusal of the credentials): say how to save anyway.
          // run's own hint ("pass --base-url") names an option create does not have: leave it out.
          if (e instanceof CliError && !(e instanceof AuthError) && !(e instanceof CancelError) && (!e.hint || /--base-url/.test(e.hint))) {
            const own = e.hint
              ? `${e.hint.replace(/,? or pass --base-url\.?$/, '.').replace(/^Check the host\.$/, 'Check the host in the connector and its parameters.')}\n`
              : '';
            throw new CliError(e.message, {
              exitCode: e.exitCode,
              hint: `${own}Testing the connection with ${test.operationId} failed, so nothing was saved. To save it without the test: --no-verify.`,
              cause: e,
            });
          }
          throw e;
        });
      };
      let res: Awaited<ReturnType<typeof verify>>;
      for (let attempt = 1; ; attempt++) {
        try {
          res = await verify();
          break;
        } catch (e) {
          // Refused credentials on a terminal: ask again (the secrets, or every value), keeping the other answers.
          // A sign-in (OAuth) is not re-typed: only connections made of typed values are asked again.
          const typed = !configured.tokenStorage;
          if (!(e instanceof AuthError) || !typed || attempt >= MAX_ATTEMPTS || !(await askAgain(ctx, option, e, values, secretValues))) throw e;
          checkHostValues(record, { ...values, ...secretValues }, new Set(Object.keys(secretValues)));
        }
      }
      if (res.status >= 200 && res.status < 300) {
        ctx.io.err(`Verified: ${test.operationId} answered HTTP ${res.status}.`);
        if (test.source === 'flag') conn.testOperation = test.operationId;
      } else {
        ctx.warn(`test operation ${test.operationId} answered HTTP ${res.status} (not an auth failure); saving anyway`);
      }
    }
  }

  const last = configured.finish?.();
  Object.assign(secretValues, last?.secrets);
  Object.assign(conn, last?.record);
  await save(ctx, conn, store, secretValues);

  if (ctx.json) printJson(ctx.io, { ...conn, isDefault: (await listConnections(ctx, record.name)).find((c) => c.name === name)?.isDefault });
  else {
    const where = store ? ` (${configured.noun ?? 'secrets'} in the ${store.describe()})` : '';
    ctx.io.err(`Created connection ${record.name}/${name}${where}.`);
  }
  return 0;
}

/** Tries of the verification on a terminal: the first and two more after re-entered values. */
const MAX_ATTEMPTS = 3;

/**
 * After the API refused the credentials: on a terminal, and when the option has typed values
 * (not an OAuth sign-in), offer to re-enter the secrets only, or every value (the earlier
 * answers as defaults), or to stop. Edits `values` / `secretValues` in place; false: stop.
 */
async function askAgain(
  ctx: Context,
  option: AuthOption | undefined,
  refused: AuthError,
  values: Record<string, string>,
  secretValues: Record<string, string>,
): Promise<boolean> {
  const params = valueParameters(option).filter((p) => !p.hidden);
  const secrets = params.filter((p) => p.secret && p.name in secretValues);
  if (ctx.noInput || !ctx.io.canPrompt() || !params.length) return false;
  ctx.io.err(`${refused.message}.`);
  const p = await ctx.prompter();
  const choice = await p.select('Try again?', [
    ...(secrets.length ? [{ name: `Re-enter ${secrets.map((x) => x.label).join(', ')} (keep the other answers)`, value: 'secrets' }] : []),
    { name: 'Re-enter every value', value: 'all' },
    { name: 'Stop (nothing is saved)', value: 'stop' },
  ]);
  if (choice === 'stop') return false;
  const again = choice === 'secrets' ? secrets : params;
  // A re-asked non-secret value offers the earlier answer as its default.
  const asked = again.map((x) => (x.secret || values[x.name] === undefined ? x : { ...x, default: values[x.name] }));
  const answers = await askValues(ctx, asked);
  for (const x of again) {
    const v = answers.get(x.name);
    const into = x.secret ? secretValues : values;
    if (v === undefined) delete into[x.name];
    else into[x.name] = v;
  }
  return true;
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
