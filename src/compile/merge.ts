// The "always merge" deep merge authentik uses for context layers, identifiers → attrs and
// `!Enumerate … MAP`: mappings merge key by key, lists concatenate (existing + new), anything
// else is replaced by the newer value. Deferred values and tag nodes are opaque: never merged into.
import type { DesiredValue } from '../model/types.js';
import { isDeferred } from '../values/index.js';
import { setOwn } from '../values/index.js';

type Mapping = { [key: string]: DesiredValue };

function isMapping(v: unknown): v is Mapping {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || isDeferred(v)) return false;
  // Unevaluated tag nodes (context layers) are values, not mappings to merge into.
  return !('$tag' in v && 'range' in v);
}

/** Returns a new value; neither input is modified. */
export function alwaysMerge(base: DesiredValue, next: DesiredValue): DesiredValue {
  if (Array.isArray(base) && Array.isArray(next)) return [...base, ...next];
  if (isMapping(base) && isMapping(next)) {
    const out: Mapping = { ...base };
    for (const [k, v] of Object.entries(next)) {
      setOwn(out, k, Object.prototype.hasOwnProperty.call(out, k) ? alwaysMerge(out[k]!, v) : v);
    }
    return out;
  }
  return next;
}

export function mergeMappings(base: Mapping, next: Mapping): Mapping {
  return alwaysMerge(base, next) as Mapping;
}
