import type { Context } from '../../context.js';
import { CliError } from '../../errors.js';

export default async function login(_ctx: Context, _target: string): Promise<number> {
  throw new CliError('connection login is not available yet');
}
