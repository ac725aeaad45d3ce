// The terminal, when there is one: the confirmation prompt `apply` asks on. Only a real terminal
// on both ends can answer; a pipe or closed stdin gets no prompt, so apply refuses instead of
// reading a "yes" nobody typed.
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

export function terminalPrompt(): ((question: string) => Promise<string>) | undefined {
  if (!process.stdin.isTTY || !process.stdout.isTTY) return undefined;
  return (question) =>
    new Promise((resolve) => {
      const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
      let answered = false;
      rl.question(question, (answer) => {
        answered = true;
        rl.close();
        resolve(answer);
      });
      // Ctrl-D or Ctrl-C at the prompt is a "no".
      rl.on('close', () => {
        if (!answered) {
          process.stdout.write('\n');
          resolve('');
        }
      });
    });
}

/** The version in package.json, the one place it is written. */
export const PACKAGE_VERSION: string = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
