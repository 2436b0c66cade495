import type { CommandSpec, OptionSpec, ProgramSpec } from '../commands/spec.js';
import { longFlag, optionsOf } from '../commands/spec.js';

/**
 * What a command line being completed says, read with the command specs (the same metadata
 * the program is built from): which command it reaches, its positional words, the option
 * values given so far. The completion handlers need these facts (`run <connector> <TAB>`
 * needs the connector), which @bomb.sh/tab does not pass to them.
 */
export interface Line {
  /** Canonical command names (aliases resolved): ['connection', 'show']. */
  path: string[];
  /** The command reached, if any. */
  spec?: CommandSpec;
  /** Words after the command path that are neither options nor their values, before the current word. */
  positionals: string[];
  /** Values by long flag (`--param`), in order, before the current word. */
  values: Map<string, string[]>;
  /** The word under the cursor ('' after a space). */
  current: string;
  /** The option whose value the current word is (`-p <TAB>`, `--connection=<TAB>`), if any. */
  valueFor?: OptionSpec;
  /** The words as @bomb.sh/tab should parse them: aliases resolved, `--opt=value` split before the current word. */
  words: string[];
}

const takesValue = (o: OptionSpec) => /[<[]/.test(o.flags);

/** `-c, --connection <name>` → ['-c', '--connection']. */
const flagsOf = (o: OptionSpec): string[] => o.flags.match(/(?<![\w-])--?[\w-]+/g) ?? [];

function findOption(options: readonly OptionSpec[], flag: string): OptionSpec | undefined {
  return options.find((o) => flagsOf(o).includes(flag));
}

function findCommand(specs: readonly CommandSpec[], word: string): CommandSpec | undefined {
  return specs.find((c) => c.name === word || c.aliases?.includes(word));
}

/** Read `words` (what follows the program name; the last one is the word being completed). */
export function readLine(program: ProgramSpec, commands: readonly CommandSpec[], words: string[]): Line {
  const before = words.slice(0, -1);
  const current = words.at(-1) ?? '';
  const line: Line = { path: [], positionals: [], values: new Map(), current, words: [] };
  let options: OptionSpec[] = [...program.options];
  let specs = commands;
  let operands = false; // after `--`
  const record = (o: OptionSpec, value: string) => {
    const key = longFlag(o);
    line.values.set(key, [...(line.values.get(key) ?? []), value]);
  };
  for (let i = 0; i < before.length; i++) {
    const w = before[i];
    if (!operands && w === '--') {
      operands = true;
      line.words.push(w);
      continue;
    }
    if (!operands && w.length > 1 && w.startsWith('-')) {
      const eq = w.startsWith('--') ? w.indexOf('=') : -1;
      const flag = eq > 0 ? w.slice(0, eq) : w;
      const o = findOption(options, flag);
      line.words.push(flag);
      if (o && takesValue(o)) {
        if (eq > 0) {
          record(o, w.slice(eq + 1));
          line.words.push(w.slice(eq + 1));
        } else if (i + 1 < before.length) {
          record(o, before[++i]);
          line.words.push(before[i]);
        } else line.valueFor = o; // the current word is its value
      }
      continue;
    }
    const sub = !operands && line.positionals.length === 0 && (!line.spec || line.spec.subcommands) ? findCommand(specs, w) : undefined;
    if (sub) {
      line.path.push(sub.name);
      line.spec = sub;
      specs = sub.subcommands ?? [];
      options = [...program.options, ...optionsOf(sub)];
      line.words.push(sub.name);
    } else {
      line.positionals.push(w);
      line.words.push(w);
    }
  }
  if (!line.valueFor && !operands && current.startsWith('--') && current.includes('=')) {
    const o = findOption(options, current.slice(0, current.indexOf('=')));
    if (o && takesValue(o)) line.valueFor = o;
  }
  // tab reads `a=b` as an option with an inline value: a value being completed after `-p ` goes in empty,
  // so that tab hands it to the option's handler (the handlers filter with `current` themselves).
  line.words.push(line.valueFor && !current.startsWith('-') ? '' : current);
  return line;
}

/** The text the candidates are matched against: a `--opt=` prefix is the shell's, not the value's. */
export function valuePrefix(line: Line): string {
  return line.current.startsWith('--') && line.valueFor ? line.current.slice(line.current.indexOf('=') + 1) : line.current;
}
