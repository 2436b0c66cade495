import { PassThrough } from 'node:stream';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/main.js';
import { makeIO } from '../../src/io/iostreams.js';
import type { Context } from '../../src/context.js';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A fresh registry home for one test. */
export function tempHome(prefix = 'connector-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * Run the CLI in-process with captured streams (no terminal, so no prompts).
 * `args` are the words after `connector`. Pass overrides to swap seams (e.g. a MemoryStore).
 */
export async function runCli(
  args: string[],
  opts: { home?: string; env?: NodeJS.ProcessEnv; stdin?: string; overrides?: Partial<Context>; onStderr?: (all: string) => void } = {},
): Promise<RunResult> {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => {
    err += d;
    opts.onStderr?.(err); // lets a test act on a prompt, URL or device code while the command waits
  });
  if (opts.stdin !== undefined) stdin.end(opts.stdin);
  else stdin.end();
  const env = { ...process.env, NO_COLOR: '1', ...(opts.home ? { CONNECTOR_HOME: opts.home } : {}), ...opts.env };
  const io = makeIO(stdin, stdout, stderr, env, { noInput: args.includes('--no-input') });
  const code = await main(['node', 'connector', ...args], io, opts.overrides);
  await new Promise((r) => setImmediate(r));
  return { code, stdout: out, stderr: err };
}

/** ../shared/corpus when present (tests skip, saying so, when it is absent). */
export const CORPUS_DIR = join(import.meta.dirname, '..', '..', '..', 'shared', 'corpus');

/** The message of the error `p` rejects with (the test fails if it resolves). */
export async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected a failure');
}
