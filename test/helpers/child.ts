// Argv for running the CLI from source in a child process, whatever the child's working directory.
import { fileURLToPath } from 'node:url';

const entry = fileURLToPath(new URL('./akbp-child.ts', import.meta.url));

export function akbpChildArgv(args: string[]): string[] {
  return ['--import', import.meta.resolve('tsx'), entry, ...args];
}
