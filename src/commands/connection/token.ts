import type { Context } from '../../context.js';
import { CliError } from '../../errors.js';

export default async function token(_ctx: Context, _target: string): Promise<number> {
  throw new CliError('connection token is not available yet');
}
