/** Exit codes, mapped in one place. */
export const ExitCode = {
  OK: 0,
  FAILURE: 1,
  USAGE: 2,
  CANCELLED: 3,
  AUTH: 4,
  INPUT_NEEDED: 5,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * An error meant for the user: one line, an exit code, and optionally a hint
 * ("Try: connector ..."). Anything that is not a CliError is a bug and is
 * reported as such (with the stack only under --verbose).
 */
export class CliError extends Error {
  readonly exitCode: ExitCodeValue;
  readonly hint?: string;
  constructor(message: string, opts: { exitCode?: ExitCodeValue; hint?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'CliError';
    this.exitCode = opts.exitCode ?? ExitCode.FAILURE;
    this.hint = opts.hint;
  }
}

export class UsageError extends CliError {
  constructor(message: string, hint?: string) {
    super(message, { exitCode: ExitCode.USAGE, hint });
    this.name = 'UsageError';
  }
}

export class AuthError extends CliError {
  constructor(message: string, hint?: string) {
    super(message, { exitCode: ExitCode.AUTH, hint });
    this.name = 'AuthError';
  }
}

export class CancelError extends CliError {
  constructor(message = 'cancelled') {
    super(message, { exitCode: ExitCode.CANCELLED });
    this.name = 'CancelError';
  }
}

/** Input is needed but prompting is impossible (--no-input, or no terminal). */
export class InputNeededError extends CliError {
  constructor(message: string, hint?: string) {
    super(message, { exitCode: ExitCode.INPUT_NEEDED, hint });
    this.name = 'InputNeededError';
  }
}

export function isCliError(e: unknown): e is CliError {
  return e instanceof CliError;
}
