import type { Context } from '../context.js';
import { CancelError, InputNeededError, UsageError } from '../errors.js';

/**
 * Ask before something that cannot be undone (`remove`, `connection delete`). `--yes` skips the
 * question. Where no question can be asked (--no-input, or no terminal) the command never waits
 * for an answer: without --yes it is a usage error (exit 2) whose hint is the command with --yes,
 * so a script deletes only what it says it deletes. "No" is CancelError (exit 3), nothing changed.
 */
export async function confirmOrYes(ctx: Context, question: string, opts: { yes?: boolean; what: string; retry: string }): Promise<void> {
  if (opts.yes) return;
  const refuse = (why: string) => new UsageError(`${opts.what} needs --yes to confirm (${why})`, `Try: ${opts.retry} --yes`);
  if (ctx.noInput) throw refuse('--no-input was given');
  let yes: boolean;
  try {
    // The prompter is the seam that knows whether there is a terminal (no TTY: it cannot ask).
    yes = await (await ctx.prompter()).confirm(question, { default: false });
  } catch (e) {
    throw e instanceof InputNeededError ? refuse('no terminal to ask on') : e;
  }
  if (!yes) throw new CancelError(`cancelled: ${opts.what} did not happen`);
}
