import type { Context } from '../context.js';
import { COMMANDS, PROGRAM } from './index.js';
import { complete } from '../completion/candidates.js';
import { Sources } from '../completion/sources.js';
import { readLine } from '../completion/line.js';
import { resolveHome } from '../registry/paths.js';

/**
 * `connector complete -- <words>`: one candidate a line (`value\tdescription`), then `:<directive>`.
 * Never prompts, never opens a browser, never prints an error: a failure is no candidates.
 */
export default async function completeAction(ctx: Context, words: string[] = []): Promise<number> {
  let out = '';
  try {
    quiet(ctx);
    const line = readLine(PROGRAM, COMMANDS, words.length ? words : ['']);
    // The line's own --home / --secret-store are the registry and store its command would use.
    const home = line.values.get('--home')?.at(-1);
    if (home) ctx.home = resolveHome(home, ctx.io.env, ctx.io.platform);
    const store = line.values.get('--secret-store')?.at(-1);
    if (store === 'keychain' || store === 'vault' || store === 'memory') ctx.secretStoreKind = store;
    const { Registry } = await import('../registry/registry.js');
    const registry = new Registry(ctx.home, { signal: ctx.signal });
    ctx.registry = async () => registry;
    const answer = await complete(PROGRAM, COMMANDS, words, new Sources(ctx, registry));
    for (const c of answer.candidates) out += c.description ? `${c.value}\t${c.description}\n` : `${c.value}\n`;
    out += `:${answer.directive}\n`;
  } catch {
    out = ':4\n';
  }
  ctx.io.stdout.write(out);
  return 0;
}

/** No prompt, no browser, no warning on the terminal the user is typing in. */
function quiet(ctx: Context): void {
  ctx.noInput = true;
  ctx.verbose = false;
  ctx.prompter = async () => (await import('../io/prompter.js')).noPrompter('completing a command line');
  ctx.browser = { available: () => false, open: async () => {} };
  ctx.warn = () => {};
  ctx.debug = () => {};
}
