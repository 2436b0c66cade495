import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import { MemoryStore, type SecretStore } from './store.js';

export type SecretStoreKind = SecretStore['kind'];
const KINDS: SecretStoreKind[] = ['keychain', 'vault', 'memory'];
let memory: MemoryStore | undefined;

/** The secret store chosen by --secret-store / CONNECTOR_SECRET_STORE ('keychain' by default). */
export async function openSecretStore(ctx: Context, kind: string | undefined = ctx.secretStoreKind): Promise<SecretStore> {
  const k = (kind || 'keychain') as SecretStoreKind;
  if (!KINDS.includes(k)) {
    throw new UsageError(`unknown secret store '${kind}' (CONNECTOR_SECRET_STORE)`, `Use one of: ${KINDS.join(', ')}.`);
  }
  if (k === 'memory') return (memory ??= new MemoryStore());
  if (k === 'vault') {
    const { VaultStore, passphraseSource, vaultPath } = await import('./vault.js');
    return new VaultStore(
      ctx.home,
      passphraseSource(ctx.io.env, () => ctx.prompter(), vaultPath(ctx.home)),
      ctx.signal,
    );
  }
  const { KeychainStore } = await import('./keychain.js');
  return new KeychainStore(undefined, undefined, ctx.io.platform);
}

/**
 * The store a connection's secrets live in: the context's store when it is of that
 * kind (so tests can inject one), else a freshly opened one of the recorded kind.
 */
export async function storeFor(ctx: Context, kind: SecretStoreKind): Promise<SecretStore> {
  const current = await ctx.secrets();
  if (current.kind === kind) return current;
  return openSecretStore(ctx, kind);
}
