// What every command gets from the entry point: streams, environment and working directory.
// Commands read argv/env only through this, so tests can run them in-process.
interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** True when stdout is a terminal (colour, progress, confirmation prompts). */
  isTTY: boolean;
  /** Reads one line from the terminal for confirmations; undefined when there is no TTY. */
  prompt?: (question: string) => Promise<string>;
}

export interface CliContext {
  io: CliIO;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Set by a command to choose the process exit code (0 when never set). */
  exitCode: number;
}
