import { defineCommand } from './spec.js';

export default defineCommand({
  name: 'completion',
  description: 'print the shell completion script (bash, zsh, fish or powershell)',
  arguments: [{ name: '<shell>', description: 'bash, zsh, fish or powershell' }],
  notes: `Install (once; a new shell then completes commands, flags, connectors, operations,
connections, parameter names and values):
  bash        echo 'source <(connector completion bash)' >> ~/.bashrc
  zsh         echo 'source <(connector completion zsh)' >> ~/.zshrc    # after compinit
  fish        connector completion fish > ~/.config/fish/completions/connector.fish
  powershell  Add-Content $PROFILE 'connector completion powershell | Out-String | Invoke-Expression'
Values of a parameter with dynamic values come from calling its source operation with the
default connection (or the -c given), for at most 2 s; nothing is ever prompted for.`,
  examples: ['connector completion bash > ~/.local/share/bash-completion/completions/connector', 'source <(connector completion zsh)'],
  action: () => import('./completion.action.js'),
});
