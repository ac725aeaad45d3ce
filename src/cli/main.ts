// The entry point: builds the commander program, registers every command module, runs it and
// returns the exit code. Only this file (through bin/akbp.js) touches process.exit.
import { Command, CommanderError } from 'commander';
import type { CliContext } from './context.js';
import { commandModules } from './commands/index.js';
import { PACKAGE_VERSION, terminalPrompt } from './tty.js';
import { usageExit } from './run.js';
import { applyProjectConfig } from './config.js';

export function buildProgram(ctx: CliContext): Command {
  const program = new Command('akbp')
    .description('Compile authentik blueprints, plan them against a server and apply exactly that.')
    .version(VERSION, '-V, --version')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (s) => ctx.io.stdout(s), writeErr: (s) => ctx.io.stderr(s) });
  for (const mod of commandModules) mod.register(program, ctx);
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
  const program = buildProgram(c);
  try {
    await program.parseAsync(normaliseArgv(argv));
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
