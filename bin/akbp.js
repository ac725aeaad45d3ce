#!/usr/bin/env node
// Runs the compiled CLI; `npm ci` builds dist/ through the prepare script.
import { main } from '../dist/cli/main.js';

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(`akbp: internal error: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
