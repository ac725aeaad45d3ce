// The CLI from source in a child process (node --import tsx test/helpers/akbp-child.ts ARGS…), for
// tests that kill it or run several at once: the built dist/ may be older than the source.
import { main } from '../../src/cli/main.js';

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`akbp: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
