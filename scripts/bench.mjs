#!/usr/bin/env node
// npm run bench: compiles src/ and test/bench/ with tsc (as users run akbp: compiled JavaScript,
// not through a TypeScript loader) and runs the benchmark from .bench/.
import { execFileSync } from 'node:child_process';
import { existsSync, symlinkSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
execFileSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, '-p', `${root}tsconfig.bench.json`], { stdio: 'inherit' });
// The compiled registry loader looks for schemas/ two levels above itself, as it does in dist/.
if (!existsSync(`${root}.bench/schemas`)) symlinkSync('../schemas', `${root}.bench/schemas`);
await import(`${root}.bench/test/bench/run.js`);
