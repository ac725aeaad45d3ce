#!/usr/bin/env node
// After tsc: writes validate's ahead-of-time model validators beside the compiled ajv.js, one
// directory per bundled registry (named by the digest of its registry.json, so a registry changed
// after the build is compiled at run time instead of checked by stale code).
//   node scripts/build-validators.mjs [COMPILED_SRC_DIR]   (default dist/; the bench passes .bench/src/)
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const root = new URL('..', import.meta.url);
const out = pathToFileURL(`${resolve(process.argv[2] ?? new URL('dist', root).pathname)}/`);
const { PRECOMPILED_DIR } = await import(new URL('validate/ajv.js', out).href);
const { standaloneValidators } = await import(new URL('validate/standalone.js', out).href);
const { BUNDLED_VERSIONS, bundledRegistry, bundledRegistryDigest } = await import(new URL('authentik/bundled.js', out).href);

rmSync(PRECOMPILED_DIR, { recursive: true, force: true });
for (const version of BUNDLED_VERSIONS) {
  const reg = bundledRegistry(version);
  const dir = new URL(`${bundledRegistryDigest(reg)}/`, PRECOMPILED_DIR);
  mkdirSync(dir, { recursive: true });
  for (const [file, code] of standaloneValidators(reg)) writeFileSync(new URL(file, dir), code);
}
