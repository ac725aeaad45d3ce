#!/usr/bin/env node
// After tsc: bundles the compiled CLI (dist/cli/main.js and everything it imports, dependencies
// included) into a few ES module chunks in dist/bundle/, split at the CLI's lazy imports, so a
// command loads a handful of files instead of hundreds: that module resolution was most of
// `akbp validate`'s start-up. Each module keeps the import.meta.url it has in dist/, so the paths
// it computes from it (schemas/, examples/, package.json, validate's generated validators) resolve
// as before.
//   node scripts/bundle.mjs [COMPILED_SRC_DIR]   (default dist/; the bench passes .bench/src/)
import { readFile, rm } from 'node:fs/promises';
import { builtinModules, createRequire } from 'node:module';
import { relative, resolve, dirname } from 'node:path';
import { build } from 'esbuild';

const src = resolve(process.argv[2] ?? new URL('../dist', import.meta.url).pathname);
const out = resolve(src, 'bundle');

const keepMetaUrl = {
  name: 'keep-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /\.js$/ }, async (args) => {
      if (!args.path.startsWith(`${src}/`) || args.path.startsWith(`${out}/`)) return undefined;
      const code = await readFile(args.path, 'utf8');
      if (!code.includes('import.meta.url')) return undefined;
      const rel = relative(out, args.path);
      return {
        contents: code.replaceAll('import.meta.url', `new URL(${JSON.stringify(rel)}, import.meta.url).href`),
        loader: 'js',
        resolveDir: dirname(args.path),
      };
    });
  },
};

// Node's built-ins, for the code we bundle, are taken through `require` and loaded on first use:
// - `import { x } from 'node:fs'` in an ES module builds an ESM facade that reads every export of the
//   built-in, and fs's lazy getters then load all of node's streams (15 ms of `akbp validate`);
// - commander requires child_process at start-up for the subcommand executables akbp never runs.
// A built-in whose exports are a plain object becomes an object with one getter per export (its
// names read here, at build time) that requires the real module the first time a property is read;
// one whose exports are a function or class (events, stream, assert) is required as it is.
const builtinNames = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
const lazyBuiltins = {
  name: 'lazy-builtins',
  setup(b) {
    b.onResolve({ filter: /^[a-z_:/]+$/ }, (args) =>
      builtinNames.has(args.path) ? { path: args.path.replace(/^node:/, ''), namespace: 'builtin' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'builtin' }, (args) => {
      const id = JSON.stringify(`node:${args.path}`);
      const real = createRequire(import.meta.url)(args.path);
      if (typeof real === 'function') return { contents: `module.exports = __akbpRequire(${id});`, loader: 'js' };
      const names = JSON.stringify(Object.keys(real).filter((k) => k !== 'default'));
      return {
        contents:
          `let real; const load = () => (real ??= __akbpRequire(${id}));\n` +
          `for (const k of ${names}) Object.defineProperty(exports, k, { enumerable: true, get: () => load()[k] });`,
        loader: 'js',
      };
    });
  },
};

await rm(out, { recursive: true, force: true });
await build({
  entryPoints: { main: resolve(src, 'cli/main.js') },
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outdir: out,
  chunkNames: 'chunk-[hash]',
  // Bundled CommonJS dependencies require node's built-ins at run time.
  banner: {
    js: "import { createRequire as __akbpCreateRequire } from 'node:module'; const require = __akbpCreateRequire(import.meta.url); const __akbpRequire = require;",
  },
  external: ['pg-native'],
  plugins: [keepMetaUrl, lazyBuiltins],
  logLevel: 'warning',
  legalComments: 'none',
  // Less text for V8 to scan at start-up; names stay, so stack traces still read.
  minifyWhitespace: true,
  minifySyntax: true,
});
