// `akbp completion bash|zsh|fish`: a completion script generated from the commands and options
// registered here, so it never lists a flag that does not exist.
import type { Command } from 'commander';
import { Argument } from 'commander';
import type { CliContext } from '../context.js';
import { action } from '../run.js';

interface Spec {
  name: string;
  description: string;
  options: { long: string; description: string; choices?: readonly string[] }[];
  subcommands: Spec[];
}

function specOf(cmd: Command): Spec {
  return {
    name: cmd.name(),
    description: cmd.description(),
    options: [
      ...cmd.options.filter((o) => o.long).map((o) => ({ long: o.long!, description: o.description, ...(o.argChoices ? { choices: o.argChoices } : {}) })),
      { long: '--help', description: 'show help' },
    ],
    subcommands: cmd.commands.map(specOf),
  };
}

const shellWords = (xs: string[]) => xs.join(' ');
const fishq = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

export function bashScript(root: Spec): string {
  const lines = [
    '# akbp bash completion: eval "$(akbp completion bash)" or save to /etc/bash_completion.d/akbp',
    '_akbp() {',
    '  local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}" path="" w i',
    '  for ((i = 1; i < COMP_CWORD; i++)); do w="${COMP_WORDS[i]}"; case "$w" in -*) ;; *) case " $(_akbp_subs "$path") " in *" $w "*) path="${path:+$path }$w" ;; esac ;; esac; done',
    '  local choices; choices="$(_akbp_choices "$path" "$prev")"',
    '  if [ -n "$choices" ]; then COMPREPLY=( $(compgen -W "$choices" -- "$cur") ); return; fi',
    '  if [[ "$cur" == -* ]]; then COMPREPLY=( $(compgen -W "$(_akbp_opts "$path")" -- "$cur") ); return; fi',
    '  local subs; subs="$(_akbp_subs "$path")"',
    '  if [ -n "$subs" ]; then COMPREPLY=( $(compgen -W "$subs" -- "$cur") ); else COMPREPLY=( $(compgen -f -- "$cur") ); fi',
    '}',
  ];
  const subs: string[] = [];
  const opts: string[] = [];
  const choices: string[] = [];
  const walk = (s: Spec, path: string) => {
    subs.push(`    ${JSON.stringify(path)}) echo ${JSON.stringify(shellWords(s.subcommands.map((c) => c.name)))} ;;`);
    opts.push(`    ${JSON.stringify(path)}) echo ${JSON.stringify(shellWords(s.options.map((o) => o.long)))} ;;`);
    for (const o of s.options) if (o.choices) choices.push(`    ${JSON.stringify(`${path}|${o.long}`)}) echo ${JSON.stringify(shellWords([...o.choices]))} ;;`);
    for (const c of s.subcommands) walk(c, path ? `${path} ${c.name}` : c.name);
  };
  walk(root, '');
  lines.push('_akbp_subs() {', '  case "$1" in', ...subs, '  esac', '}');
  lines.push('_akbp_opts() {', '  case "$1" in', ...opts, '  esac', '}');
  lines.push('_akbp_choices() {', '  case "$1|$2" in', ...choices, '  esac', '}');
  lines.push('complete -o default -F _akbp akbp', '');
  return lines.join('\n');
}

export function zshScript(root: Spec): string {
  // zsh runs bash completion functions through bashcompinit; one script, one behaviour.
  return ['#compdef akbp', '# akbp zsh completion: eval "$(akbp completion zsh)"', 'autoload -U +X bashcompinit && bashcompinit', bashScript(root)].join('\n');
}

export function fishScript(root: Spec): string {
  const lines = ['# akbp fish completion: akbp completion fish > ~/.config/fish/completions/akbp.fish', 'complete -c akbp -f'];
  const top = root.subcommands.map((c) => c.name).join(' ');
  for (const c of root.subcommands) {
    lines.push(`complete -c akbp -n "not __fish_seen_subcommand_from ${top}" -a ${fishq(c.name)} -d ${fishq(c.description)}`);
    for (const sub of c.subcommands)
      lines.push(`complete -c akbp -n "__fish_seen_subcommand_from ${c.name}" -a ${fishq(sub.name)} -d ${fishq(sub.description)}`);
    for (const o of [...c.options, ...c.subcommands.flatMap((s) => s.options)]) {
      lines.push(
        `complete -c akbp -n "__fish_seen_subcommand_from ${c.name}" -l ${o.long.slice(2)} -d ${fishq(o.description)}${o.choices ? ` -x -a ${fishq(o.choices.join(' '))}` : ''}`,
      );
    }
    lines.push(`complete -c akbp -n "__fish_seen_subcommand_from ${c.name}" -F`);
  }
  return lines.join('\n') + '\n';
}

export function register(program: Command, ctx: CliContext): void {
  program
    .command('completion')
    .description('Print a shell completion script (bash, zsh or fish)')
    .addArgument(new Argument('<shell>', 'the shell').choices(['bash', 'zsh', 'fish']))
    .addHelpText(
      'after',
      '\nExamples:\n  eval "$(akbp completion bash)"          # in ~/.bashrc\n  akbp completion fish > ~/.config/fish/completions/akbp.fish\n',
    )
    .action(
      action(ctx, async (shell: 'bash' | 'zsh' | 'fish') => {
        const spec = specOf(program);
        ctx.io.stdout(shell === 'bash' ? bashScript(spec) : shell === 'zsh' ? zshScript(spec) : fishScript(spec));
      }),
    );
}
