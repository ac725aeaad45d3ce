// The entry point: builds the commander program, registers the commands, runs it and returns
// the exit code. Only this file (through bin/akbp.js) touches process.exit.
import { Command, CommanderError } from 'commander';
import type { CliContext } from './context.js';
import { PACKAGE_VERSION, terminalPrompt } from './tty.js';
import { usageExit } from './errors.js';
import { applyProjectConfig } from './config.js';

export interface CommandModule {
  register(program: Command, ctx: CliContext): void;
}

interface CommandEntry {
  name: string;
  /** The line `akbp --help` shows (the module's own description, kept equal by a test). */
  summary: string;
  load: () => Promise<CommandModule>;
}

/**
 * Every command, in --help order, one line each. A command's module (and what it imports:
 * undici, simple-git, chokidar, ajv…) is loaded only when that command runs or shows its help,
 * so `akbp --help` and `akbp validate` start without loading the rest.
 */
export const COMMANDS: CommandEntry[] = [
  {
    name: 'validate',
    summary: 'Check blueprints against the JSON schema and semantic rules of an authentik version',
    load: () => import('./commands/validate.js'),
  },
  {
    name: 'compile',
    summary: 'Evaluate context, !Env, !File, !Format, !If, !Condition, !Enumerate…; print the ordered entries',
    load: () => import('./commands/compile.js'),
  },
  { name: 'plan', summary: 'Show exactly what apply would change on the server (reads only)', load: () => import('./commands/plan.js') },
  { name: 'apply', summary: 'Apply blueprints (or a saved plan) to the server: ordered, idempotent writes', load: () => import('./commands/apply.js') },
  {
    name: 'sandbox',
    summary: 'Run the authentik API emulator as a local HTTP server (a toy authentik to try akbp on)',
    load: () => import('./commands/sandbox.js'),
  },
  { name: 'oci', summary: 'publish blueprints to / fetch them from an OCI registry', load: () => import('./commands/oci.js') },
  {
    name: 'watch',
    summary: 'Re-validate and re-plan a directory on every change; with --apply, apply valid states',
    load: () => import('./commands/watch.js'),
  },
  { name: 'serve', summary: 'GitOps daemon: reconcile on webhooks and on an interval; /healthz, /metrics, /status', load: () => import('./commands/serve.js') },
  { name: 'hook', summary: 'Git server hooks that feed akbp', load: () => import('./commands/hook.js') },
  { name: 'graph', summary: 'Print the dependency graph of the compiled entries (Mermaid or Graphviz DOT)', load: () => import('./commands/graph.js') },
  { name: 'schema', summary: 'Generate the registry and blueprint JSON Schema of an authentik version', load: () => import('./commands/schema.js') },
  {
    name: 'export',
    summary: 'Write the live server as portable blueprints (no pks, secrets as !Env) that plan to zero changes',
    load: () => import('./commands/export.js'),
  },
  {
    name: 'import',
    summary: 'Record an existing object as adopted by a blueprint entry (terraform import); writes only the state',
    load: () => import('./commands/import.js'),
  },
  { name: 'state', summary: "Inspect and repair akbp's ownership record (list, show, rm, mv, pull, push, migrate)", load: () => import('./commands/state.js') },
  {
    name: 'demo',
    summary: 'Apply the bundled examples to the embedded sandbox, then plan again (expect no changes)',
    load: () => import('./commands/demo.js'),
  },
  { name: 'explain', summary: 'Explain a diagnostic code (AKB1234), or list every code with --list', load: () => import('./commands/explain.js') },
  { name: 'completion', summary: 'Print a shell completion script (bash, zsh or fish)', load: () => import('./commands/completion.js') },
];

/** The command an argv runs (`akbp help X` shows X's help): the first word that is not an option. */
function invoked(argv: readonly string[]): string | undefined {
  const words = argv.slice(2).filter((a) => !a.startsWith('-'));
  return words[0] === 'help' ? words[1] : words[0];
}

/**
 * The program for `argv`: the invoked command fully registered, every other one as a name and
 * summary for the command list (pass `all` to register every command fully).
 */
export async function buildProgram(ctx: CliContext, argv: readonly string[] = [], all = false): Promise<Command> {
  const program = new Command('akbp')
    .description('Compile authentik blueprints, plan them against a server and apply exactly that.')
    .version(VERSION, '-V, --version')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (s) => ctx.io.stdout(s), writeErr: (s) => ctx.io.stderr(s) });
  const name = invoked(argv);
  // Completion describes every command's options, so it needs them all registered.
  const full = all || name === 'completion';
  for (const c of COMMANDS) {
    if (full || c.name === name) (await c.load()).register(program, ctx);
    else program.command(c.name).description(c.summary);
  }
  program.hook('preAction', (_program, actionCommand) => applyProjectConfig(actionCommand, ctx));
  return program;
}

export const VERSION = PACKAGE_VERSION;

/**
 * `--sandbox [STATE_FILE]` takes an optional value, and commander would take the next word even
 * when it is the blueprint source (`akbp plan --sandbox examples/`). A sandbox state file is
 * JSON, so a following word that does not end in `.json` stays a source.
 */
export function normaliseArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = argv[i + 1];
    if (a === '--sandbox' && next !== undefined && !next.startsWith('-') && !next.endsWith('.json')) out.push('--sandbox=');
    else out.push(a);
  }
  return out;
}

export async function main(argv: string[], ctx?: CliContext): Promise<number> {
  const c: CliContext = ctx ?? {
    io: {
      stdout: (t) => process.stdout.write(t),
      stderr: (t) => process.stderr.write(t),
      isTTY: Boolean(process.stdout.isTTY) && process.env.CI !== 'true',
      ...(process.env.CI !== 'true' && terminalPrompt() ? { prompt: terminalPrompt()! } : {}),
    },
    env: process.env,
    cwd: process.cwd(),
    exitCode: 0,
  };
  const args = normaliseArgv(argv);
  const program = await buildProgram(c, args);
  try {
    await program.parseAsync(args);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here with code 0; usage errors with 2 (already printed), or 1
      // under --detailed-exitcode, where 2 means "changes" to CI scripts.
      return err.exitCode === 0 ? 0 : usageExit(argv.includes('--detailed-exitcode'));
    }
    throw err;
  }
  return c.exitCode;
}
