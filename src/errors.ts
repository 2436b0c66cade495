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

/** What `--json` prints as `error.code` for each exit code (plus `not_found` and `internal`, which are 1). */
export type ErrorCode = 'failure' | 'not_found' | 'usage' | 'cancelled' | 'auth' | 'input_needed' | 'internal';

/**
 * An error meant for the user: one line, an exit code, and optionally a hint
 * ("Try: connector ..."). Anything that is not a CliError is a bug and is
 * reported as such (with the stack only under --verbose).
 */
export class CliError extends Error {
  readonly exitCode: ExitCodeValue;
  readonly hint?: string;
  /** The `code` of the `--json` error document. */
  get jsonCode(): ErrorCode {
    return CODES[this.exitCode] ?? 'failure';
  }
  constructor(message: string, opts: { exitCode?: ExitCodeValue; hint?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'CliError';
    this.exitCode = opts.exitCode ?? ExitCode.FAILURE;
    this.hint = opts.hint;
  }
}

const CODES: Record<number, ErrorCode> = { 1: 'failure', 2: 'usage', 3: 'cancelled', 4: 'auth', 5: 'input_needed' };

/**
 * A connector, connection, operation or suite that is not there: exit 1 in every command (the
 * command line was well formed; what it names does not exist). Exit 2 is for a command line that
 * is not (an unknown flag, a bad value, a missing argument).
 */
export class NotFoundError extends CliError {
  constructor(message: string, hint?: string) {
    super(message, { exitCode: ExitCode.FAILURE, hint });
    this.name = 'NotFoundError';
  }
  override get jsonCode(): ErrorCode {
    return 'not_found';
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

/** The one document `--json` prints on stdout for an error: a script piping to jq reads `.error.code`, not empty input. */
export function errorDocument(message: string, code: ErrorCode, exitCode: number, hint?: string): string {
  return `${JSON.stringify({ error: { message, code, exitCode, ...(hint ? { hint } : {}) } }, null, 2)}\n`;
}
