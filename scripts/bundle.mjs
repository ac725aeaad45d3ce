#!/usr/bin/env node
// After tsc: bundles the compiled CLI (dist/cli/main.js and everything it imports, dependencies
// included) into a few ES module chunks in dist/bundle/, split at the CLI's lazy imports, so a
// command loads a handful of files instead of hundreds: that module resolution was most of
// `akbp validate`'s start-up. Each module keeps the import.meta.url it has in dist/, so the paths
// it computes from it (schemas/, examples/, package.json, validate's generated validators) resolve
// as before.
//   node scripts/bundle.mjs [COMPILED_SRC_DIR]   (default dist/; the bench passes .bench/src/)
import { readFile, rm } from 'node:fs/promises';
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
  banner: { js: "import { createRequire as __akbpCreateRequire } from 'node:module'; const require = __akbpCreateRequire(import.meta.url);" },
  external: ['pg-native'],
  plugins: [keepMetaUrl],
  logLevel: 'warning',
  legalComments: 'none',
  // Less text for V8 to scan at start-up; names stay, so stack traces still read.
  minifyWhitespace: true,
  minifySyntax: true,
});
