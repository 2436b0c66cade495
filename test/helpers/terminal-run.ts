import { PassThrough } from 'node:stream';
import { main } from '../../src/main.js';
import { makeIO } from '../../src/io/iostreams.js';
import type { Context } from '../../src/context.js';

/**
 * `connector <args>` in-process as if on a terminal: stdin and stdout are TTYs (so prompts may
 * ask), stderr a pipe, colour off. What interactive tests share; their prompter, secret store and
 * signal come in `overrides`.
 */
export async function runOnTerminal(
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; overrides?: Partial<Context>; noInput?: boolean } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const tty = () => Object.assign(new PassThrough(), { isTTY: true });
  const stdin = tty();
  const stdout = tty();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  const io = makeIO(stdin, stdout, stderr, { NO_COLOR: '1', ...opts.env }, opts.noInput ? { noInput: true } : {});
  const code = await main(['node', 'connector', ...args], io, opts.overrides ?? {});
  return { code, stdout: out, stderr: err };
}
