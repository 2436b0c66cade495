import type { IO } from './iostreams.js';
import { CancelError, InputNeededError } from '../errors.js';
import { load as loadModule } from '../util/load.js';

export interface Choice {
  name: string;
  value: string;
  description?: string;
}

/** Questions to the user. The real one wraps @inquirer/prompts (loaded lazily). */
export interface Prompter {
  input(message: string, opts?: { default?: string; required?: boolean; hint?: string }): Promise<string>;
  password(message: string, opts?: { required?: boolean; hint?: string }): Promise<string>;
  select(message: string, choices: Choice[], opts?: { default?: string; hint?: string }): Promise<string>;
  confirm(message: string, opts?: { default?: boolean }): Promise<boolean>;
  /**
   * A select whose list narrows as the user types (name, value or description containing the
   * text). `free`: what was typed may be answered too, when it is none of the values (an API's
   * list is rarely all the values it takes). A prompter without it: callers use select.
   */
  search?(message: string, choices: Choice[], opts?: { hint?: string; free?: boolean }): Promise<string>;
}

/** A prompter for when prompting is impossible: every question fails with exit 5. */
export function noPrompter(why: string): Prompter {
  const fail = async (message: string): Promise<never> => {
    throw new InputNeededError(`input needed (${message.replace(/[:?]\s*$/, '')}) but ${why}`);
  };
  return { input: fail, password: fail, select: fail, confirm: fail, search: fail };
}

/** The real prompter: @inquirer/prompts on the context's streams; Ctrl-C (the signal) cancels a question. */
export function inquirerPrompter(io: IO, signal?: AbortSignal): Prompter {
  const ctx = { input: io.stdin, output: io.stderr, clearPromptOnDone: false, signal };
  const wrap = async <T>(p: () => Promise<T>): Promise<T> => {
    try {
      return await p();
    } catch (e) {
      const name = (e as Error)?.name;
      if (name === 'ExitPromptError' || name === 'AbortPromptError') throw new CancelError();
      throw e;
    }
  };
  const load = async () => loadModule<typeof import('@inquirer/prompts')>('@inquirer/prompts');
  // The connector's tooltip/description, shown dim above the question.
  const showHint = (hint?: string) => {
    if (!hint) return;
    const line = hint.replace(/\s+/g, ' ').trim();
    io.stderr.write(io.color('stderr') ? `\x1b[2m${line}\x1b[0m\n` : `${line}\n`);
  };
  return {
    async input(message, opts = {}) {
      const { input } = await load();
      showHint(opts.hint);
      return wrap(() =>
        input(
          {
            message,
            default: opts.default,
            required: opts.required,
          },
          ctx,
        ),
      ).then((v) => v.trim());
    },
    async password(message, opts = {}) {
      const { password } = await load();
      showHint(opts.hint);
      return wrap(() =>
        password(
          {
            message,
            mask: '*',
            validate: (v: string) => (opts.required && !v ? 'A value is required' : true),
          },
          ctx,
        ),
      );
    },
    async select(message, choices, opts = {}) {
      const { select } = await load();
      showHint(opts.hint);
      return wrap(() => select({ message, choices, default: opts.default }, ctx));
    },
    async confirm(message, opts = {}) {
      const { confirm } = await load();
      return wrap(() => confirm({ message, default: opts.default }, ctx));
    },
    async search(message, choices, opts = {}) {
      const { search } = await load();
      showHint(opts.hint);
      return wrap(() => search({ message, pageSize: 10, source: async (term?: string) => narrow(choices, term, opts.free) }, ctx));
    },
  };
}

/** search's list for what was typed: the choices containing it (any case), then the text itself when `free` and it is no value. */
export function narrow(choices: Choice[], term: string | undefined, free = false): Choice[] {
  const t = (term ?? '').trim().toLowerCase();
  const hits = t ? choices.filter((c) => [c.name, c.value, c.description ?? ''].some((s) => s.toLowerCase().includes(t))) : choices;
  const typed = (term ?? '').trim();
  return free && typed && !choices.some((c) => c.value === typed) ? [...hits, { name: `Use "${typed}"`, value: typed }] : hits;
}
