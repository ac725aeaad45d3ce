// Public API of the compile stage: ParsedBlueprint[] + context + env → CompiledEntry[] with
// dependencies, waves and a total order; plus the helpers later stages use on Deferred values.
import type { CompileResult, ParsedBlueprint } from '../model/types.js';
import { Compilation, type CompileOptions } from './compiler.js';

export type { CompileOptions } from './compiler.js';
export { describeDeferred, findQueryKey, isDeferred, resolveDeferred, containsDeferred } from './deferred.js';
export type { DeferredResolver, ResolveResult } from './deferred.js';
export { C as compileCodes } from './codes.js';

export function compileBlueprints(bps: ParsedBlueprint[], opts: CompileOptions): CompileResult {
  return new Compilation(bps, opts).compile();
}
