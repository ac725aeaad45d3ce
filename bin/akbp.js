#!/usr/bin/env node
// Runs the compiled CLI, bundled by `npm run build` (scripts/bundle.mjs) so it starts fast.
import { main } from '../dist/bundle/main.js';

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(`akbp: internal error: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
