import { CancelError } from '../errors.js';

/**
 * The one Ctrl-C: main() aborts this controller on SIGINT/SIGTERM, and every wait
 * (HTTP, the loopback listener, device polling, prompts, locks) listens to its signal
 * and ends with CancelError (exit 3). A second Ctrl-C while clean-up runs exits at once.
 */
export function interruptSignal(proc: NodeJS.Process = process): { signal: AbortSignal; dispose(): void } {
  const ac = new AbortController();
  let count = 0;
  const onSignal = (name: NodeJS.Signals) => {
    if (++count > 1) proc.exit(name === 'SIGINT' ? 130 : 143);
    ac.abort(new CancelError(name === 'SIGINT' ? 'cancelled (Ctrl-C)' : 'cancelled (SIGTERM)'));
  };
  proc.on('SIGINT', onSignal);
  proc.on('SIGTERM', onSignal);
  return {
    signal: ac.signal,
    dispose() {
      proc.off('SIGINT', onSignal);
      proc.off('SIGTERM', onSignal);
    },
  };
}

/** Throw the CancelError if Ctrl-C came. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason instanceof CancelError ? signal.reason : new CancelError();
}
