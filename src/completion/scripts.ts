import { script } from '@bomb.sh/tab';
import type { Shell } from './candidates.js';

/**
 * The completion script for a shell: @bomb.sh/tab's, which calls `connector complete -- <words>`
 * and reads `value\tdescription` lines and a `:directive` line back.
 *
 * tab's bash script is patched in three places (cobra's bash script does the same):
 * - it needs bash-completion's `_get_comp_words_by_ref`; without that package a small
 *   stand-in reads the line up to the cursor instead of failing on every TAB;
 * - it filtered with `compgen -W`, which expands `$(…)` and backquotes in the candidates: a
 *   value a server sent (dynamic values) could run a command. A plain loop filters instead,
 *   and each candidate is inserted quoted (`printf %q`);
 * - readline replaces only the text after the last `=` or `:` (COMP_WORDBREAKS), so a
 *   candidate `petId=available` for `petId=av` is inserted without its `petId=`; and where the
 *   answer allows files (an import source, a suite) bash offers them.
 *
 * tab's zsh script inserted candidates with `_describe -Q` (no quoting): a value
 * `$(touch x)` went onto the command line as shell syntax, to run on Enter. Without `-Q` zsh
 * quotes what it inserts. Its zsh and fish scripts took the flag prefix of `--flag=value` with
 * the greedy `-.*=`, so `--param=status=` became the prefix of `status=open` (inserted as
 * `--param=status=status=open`); the prefix now ends at the flag's own `=`, as in bash. fish
 * escapes what it inserts by itself (test/cli/completion-shells.test.ts checks both shells).
 */
export function completionScript(shell: Shell): string {
  const lines: string[] = [];
  const log = console.log;
  console.log = (...parts: unknown[]) => void lines.push(parts.join(' ')); // tab prints the script; it is returned instead
  try {
    script(shell, 'connector', 'connector');
  } finally {
    console.log = log;
  }
  const text = `${lines.join('\n')}\n`;
  if (shell === 'bash') return patchBash(text);
  if (shell === 'zsh') return patchZsh(text);
  if (shell === 'fish') return patchFish(text);
  return text;
}

const FALLBACK = `# Without bash-completion: the words up to the cursor, split at blanks (quotes are not parsed).
if ! declare -F _get_comp_words_by_ref >/dev/null 2>&1; then
_get_comp_words_by_ref() {
    local line=\${COMP_LINE:0:COMP_POINT}
    read -ra words <<< "$line"
    if [[ -z $line || $line == *[[:blank:]] ]]; then words+=(""); fi
    cword=$(( \${#words[@]} - 1 ))
    cur=\${words[cword]}
    prev=\${words[cword-1]}
}
fi
`;

const FILTER = `COMPREPLY=( $(compgen -W "\${completions[*]}" -- "$cur") )`;

const SAFE_FILTER = `COMPREPLY=()
    local c q brk=""
    if [[ $cur == -*=* ]]; then cur=\${cur#*=}; fi
    if [[ $cur == *[=:]* ]]; then brk=\${cur%"\${cur##*[=:]}"}; fi
    for c in "\${completions[@]}"; do
        [[ -n $c && $c == "$cur"* ]] || continue
        printf -v q %q "\${c#"$brk"}"
        COMPREPLY+=("$q")
    done
    if [[ $((directive & (ShellCompDirectiveNoFileComp | ShellCompDirectiveFilterDirs))) -eq 0 ]]; then
        compopt -o filenames 2>/dev/null
        local f
        while IFS= read -r f; do COMPREPLY+=("$f"); done < <(compgen -f -- "$cur")
    fi`;

function patchBash(text: string): string {
  if (!text.includes(FILTER) || !text.includes('__connector_complete() {'))
    throw new Error('@bomb.sh/tab bash script changed: review src/completion/scripts.ts');
  return (
    text
      .replace('# Function to handle completions', `${FALLBACK}\n# Function to handle completions`)
      .replace(FILTER, SAFE_FILTER)
      // plain assignments: sourcing the script again (a new ~/.bashrc) must not fail on `readonly variable`
      .replace(/^readonly (ShellCompDirective\w+=\d+)$/gm, '$1')
  );
}

const ZSH_INSERT = 'eval _describe $keepOrder "completions" completions -Q ${flagPrefix} ${noSpace}';
const ZSH_PREFIX = `[[ "\${lastParam}" =~ '-.*=' ]]`;
const FISH_PREFIX = `(string match -r -- '-.*=' "$lastArg")`;

function patchZsh(text: string): string {
  if (!text.includes(ZSH_INSERT) || !text.includes(ZSH_PREFIX)) throw new Error('@bomb.sh/tab zsh script changed: review src/completion/scripts.ts');
  return text.replace(ZSH_INSERT, ZSH_INSERT.replace(' -Q', '')).replace(ZSH_PREFIX, `[[ "\${lastParam}" =~ '^-[^=]*=' ]]`);
}

function patchFish(text: string): string {
  if (!text.includes(FISH_PREFIX)) throw new Error('@bomb.sh/tab fish script changed: review src/completion/scripts.ts');
  return text.replace(FISH_PREFIX, `(string match -r -- '^-[^=]*=' "$lastArg")`);
}
