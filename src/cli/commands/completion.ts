// `kci completion bash|zsh`: a completion script generated from the command tree itself, so it never
// drifts from the commands.
import { Argument, type Command } from 'commander';
import { examples } from '../context';

interface Entry {
  /** Space-joined command path after `kci`, '' for the top level. */
  path: string;
  words: string[];
}

function entries(program: Command): Entry[] {
  const out: Entry[] = [];
  const walk = (cmd: Command, path: string[]) => {
    const subs = cmd.commands
      .filter((c) => !(c as unknown as { _hidden?: boolean })._hidden)
      .map((c) => c.name());
    const flags = cmd.options.flatMap((o) => [o.long, o.short].filter((f): f is string => Boolean(f)));
    out.push({ path: path.join(' '), words: [...subs, ...flags, '--help'] });
    for (const sub of cmd.commands) walk(sub, [...path, sub.name()]);
  };
  walk(program, []);
  return out;
}

export function bashScript(program: Command): string {
  const cases = entries(program)
    .map((e) => `    "${e.path}") words="${e.words.join(' ')}" ;;`)
    .join('\n');
  return `# kci bash completion: source <(kci completion bash)
_kci_complete() {
  local cur path word i words
  cur="\${COMP_WORDS[COMP_CWORD]}"
  path=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="\${COMP_WORDS[i]}"
    case "$word" in -*) continue ;; esac
    if _kci_has_path "\${path:+$path }$word"; then path="\${path:+$path }$word"; fi
  done
  words=""
  case "$path" in
${cases}
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
  [[ \${#COMPREPLY[@]} -eq 0 ]] && COMPREPLY=($(compgen -f -- "$cur"))
  return 0
}
_kci_has_path() {
  case "$1" in
${entries(program)
  .filter((e) => e.path)
  .map((e) => `    "${e.path}") return 0 ;;`)
  .join('\n')}
  esac
  return 1
}
complete -F _kci_complete kci
`;
}

export function zshScript(program: Command): string {
  return `#compdef kci
# kci zsh completion: source <(kci completion zsh)
autoload -U +X bashcompinit && bashcompinit
${bashScript(program)}`;
}

export function registerCompletion(program: Command): void {
  examples(
    program
      .command('completion')
      .description('print a shell completion script')
      .addArgument(new Argument('<shell>', 'shell').choices(['bash', 'zsh']))
      .action((shell: string) => {
        process.stdout.write(shell === 'zsh' ? zshScript(program) : bashScript(program));
      }),
    [
      'source <(kci completion bash)            # in ~/.bashrc',
      'source <(kci completion zsh)             # in ~/.zshrc',
    ],
  );
}
