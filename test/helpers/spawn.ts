import type { ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';

export interface Finished {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** What a spawned process wrote and its exit status, once it has closed (stdout and stderr piped). */
export function finished(child: ChildProcessByStdio<Writable | null, Readable, Readable>): Promise<Finished> {
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}
