// Runs the akbp CLI in-process with captured output, as a user would see it.
import { main } from '../../src/cli/main.js';
import type { CliContext } from '../../src/cli/context.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; isTTY?: boolean; answer?: string } = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const ctx: CliContext = {
    io: {
      stdout: (t) => {
        stdout += t;
      },
      stderr: (t) => {
        stderr += t;
      },
      isTTY: opts.isTTY ?? false,
      ...(opts.answer !== undefined ? { prompt: async () => opts.answer! } : {}),
    },
    env: opts.env ?? { PATH: process.env.PATH, HOME: process.env.HOME },
    cwd: opts.cwd ?? process.cwd(),
    exitCode: 0,
  };
  const code = await main(['node', 'akbp', ...args], ctx);
  return { code, stdout, stderr };
}
