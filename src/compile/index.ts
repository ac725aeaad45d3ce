// Public API of the compile stage: ParsedBlueprint[] + context + env → CompiledEntry[] with
// dependencies, waves and a total order. The Deferred helpers later stages use live in values/.
import type { CompiledEntry, CompileResult, ParsedBlueprint } from '../model/types.js';
import { Compilation, type CompileOptions } from './compiler.js';
import { EvalLimitExceeded } from './evaluate.js';
import { revivePointerMap } from '../values/pointer-map.js';

export type { CompileOptions } from './compiler.js';
export { C as compileCodes } from './codes.js';

export { DEFAULT_EVAL_LIMITS, type EvalLimits } from './evaluate.js';
export { dependentInstances, type BrokenFile } from './instances.js';

export function compileBlueprints(bps: ParsedBlueprint[], opts: CompileOptions): CompileResult {
  // In the daemon's worker the blueprints are structured clones.
  for (const bp of [...bps, ...(opts.library ?? [])]) bp.pointers = revivePointerMap(bp.pointers);
  try {
    return new Compilation(bps, opts).compile();
  } catch (e) {
    // A run over its evaluation limits is abandoned whole: what it built so far is partial.
    if (e instanceof EvalLimitExceeded) return { entries: [], dropped: [], diagnostics: [e.diagnostic] };
    throw e;
  }
}

/**
 * Key of the entry a `!KeyOf id` inside `from` points at: the earlier entry of the same file with
 * that id which records an object (compile already chose it and listed it in dependsOn).
 */
export function keyOfTarget(from: CompiledEntry, id: string, byKey: ReadonlyMap<string, CompiledEntry>): string | undefined {
  return from.dependsOn.find((k) => {
    const e = byKey.get(k);
    return e !== undefined && e.id === id && e.origin.uri === from.origin.uri;
  });
}
