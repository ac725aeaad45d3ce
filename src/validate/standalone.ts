// Ahead-of-time code of the model validators (ajv's standalone output), generated at build time by
// scripts/build-validators.mjs into ajv.ts's PRECOMPILED_DIR: `akbp validate` then requires one small
// module per model it meets instead of loading ajv and compiling the registry's schema on every run.
// Pure: returns the code; the build script writes it.
import { createRequire } from 'node:module';
import type { Registry } from '../authentik/registry.js';
import { isBlueprintModel } from '../authentik/registry.js';
import { modelSchemaRef, precompiledFile, registryAjv } from './ajv.js';

const requireHere = createRequire(import.meta.url);

/** File name (see `precompiledFile`) → CommonJS module exporting `validate`, for every blueprint model. */
export function standaloneValidators(reg: Registry): Map<string, string> {
  const { Ajv } = requireHere('ajv') as typeof import('ajv');
  const standaloneCode = (requireHere('ajv/dist/standalone') as typeof import('ajv/dist/standalone/index.js')).default;
  // The runtime options plus the generated source kept for export: the code, and so every error
  // object fieldErrors turns into a message, is what ajv.ts compiles at run time.
  const ajv = registryAjv(Ajv, reg, { code: { source: true } });
  const out = new Map<string, string>();
  for (const [name, info] of Object.entries(reg.models)) {
    if (!isBlueprintModel(info)) continue;
    out.set(precompiledFile(name), withoutRuntimeRequire(standaloneCode(ajv, { validate: modelSchemaRef(name) })));
  }
  return out;
}

const UCS2LENGTH = 'require("ajv/dist/runtime/ucs2length").default';

/**
 * ajv's code counts a string's length in code points (as authentik's Python does) with a helper it
 * requires from its runtime; resolving `ajv` from the validator's directory was a measurable part of
 * `akbp validate`'s start-up, so the module carries its own copy.
 */
function withoutRuntimeRequire(code: string): string {
  if (!code.includes(UCS2LENGTH)) return code;
  const own = 'function codePoints(s) { let n = 0; for (const _ of s) n++; return n; }';
  return code.replace('"use strict";', `"use strict";${own}`).replaceAll(UCS2LENGTH, 'codePoints');
}
