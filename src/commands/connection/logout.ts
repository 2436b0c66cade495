import type { Context } from '../../context.js';
import { CliError } from '../../errors.js';

export default async function logout(_ctx: Context, _target: string): Promise<number> {
  throw new CliError('connection logout is not available yet');
}
