import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import { SHELLS, type Shell } from '../completion/candidates.js';
import { completionScript } from '../completion/scripts.js';

/** `connector completion <shell>`: the script on stdout. */
export default async function completion(ctx: Context, shell: string): Promise<number> {
  if (!(SHELLS as readonly string[]).includes(shell)) {
    throw new UsageError(`no completion for the shell '${shell}'`, `Use one of: ${SHELLS.join(', ')}`);
  }
  ctx.io.stdout.write(completionScript(shell as Shell));
  return 0;
}
