#!/usr/bin/env node
// npm run bench: compiles src/ and test/bench/ with tsc (as users run akbp: compiled JavaScript,
// not through a TypeScript loader) and runs the benchmark from .bench/.
import { execFileSync } from 'node:child_process';
import { existsSync, symlinkSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
execFileSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, '-p', `${root}tsconfig.bench.json`], { stdio: 'inherit' });
// The compiled registry loader looks for schemas/ two levels above itself, as it does in dist/.
if (!existsSync(`${root}.bench/schemas`)) symlinkSync('../schemas', `${root}.bench/schemas`);
// The version is read from package.json two levels above the CLI module, as in dist/.
if (!existsSync(`${root}.bench/package.json`)) symlinkSync('../package.json', `${root}.bench/package.json`);
// validate's ahead-of-time validators, as `npm run build` writes them into dist/.
execFileSync(process.execPath, [`${root}scripts/build-validators.mjs`, `${root}.bench/src`], { stdio: 'inherit' });
execFileSync(process.execPath, [`${root}scripts/bundle.mjs`, `${root}.bench/src`], { stdio: 'inherit' });
// `akbp` as users start it, for the start-up figures: the bundle of the bench build, as bin/akbp.js runs dist/'s.
writeFileSync(`${root}.bench/akbp.mjs`, "import { main } from './src/bundle/main.js';\nmain(process.argv).then((code) => { process.exitCode = code; });\n");
if (process.argv.includes('--watch-split')) {
  // One save's time by stage at 1,000 files: npm run bench -- --watch-split
  await import(`${root}.bench/test/bench/watch-split.js`);
} else if (process.argv.includes('--apply-concurrency')) {
  // Only apply at --concurrency 16 vs its round-trip floor: npm run bench -- --apply-concurrency [--apply-runs 3]
  await import(`${root}.bench/test/bench/perf.js`);
} else if (process.argv.includes('--watch-scale')) {
  // Only the 1,000-file watch case (part of --scale too): npm run bench -- --watch-scale
  await import(`${root}.bench/test/bench/watch-scale.js`);
} else if (process.argv.includes('--scale')) {
  // The large sizes (minutes): npm run bench -- --scale [--sizes 5000,50000] [--apply-runs 5]
  await import(`${root}.bench/test/bench/scale.js`);
} else {
  await import(`${root}.bench/test/bench/run.js`);
  await import(`${root}.bench/test/bench/perf.js`);
}
