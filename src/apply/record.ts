// The ownership state apply hands back: objects akbp created (prunable) or adopted, by entry key.
import type { Change, CompiledEntry, Json, JsonObject } from '../model/index.js';
import type { OwnershipState } from '../state/index.js';
import type { ApplyWorld } from './world.js';

export function noteUnchanged(state: OwnershipState, c: Change, entry: CompiledEntry | undefined): void {
  if (!entry || entry.state === 'absent') {
    // An absent entry with no object, or a recorded object that is gone: forget it.
    if (c.pk === undefined || !entry) {
      delete state.objects[c.key];
      delete state.secrets[c.key];
    }
    return;
  }
  if (c.pk === undefined) return; // skipped by a condition: keep what we knew
  const prev = state.objects[c.key];
  const adopted = prev && String(prev.pk) === String(c.pk) ? prev.adopted : true;
  state.objects[c.key] = { model: c.model, pk: c.pk, identifiers: jsonIdentifiers(c), adopted };
}

export function jsonIdentifiers(c: Change, world?: ApplyWorld): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(c.identifiers)) {
    if (world) {
      const r = world.resolve(v, c.key);
      if (r.ok) out[k] = r.value;
    } else if (!hasDeferredShape(v)) {
      out[k] = v as Json;
    }
  }
  return out;
}

function hasDeferredShape(v: unknown): boolean {
  if (v === null || typeof v !== 'object') return false;
  if (Array.isArray(v)) return v.some(hasDeferredShape);
  return Object.keys(v).some((k) => k.startsWith('$')) || Object.values(v).some(hasDeferredShape);
}

