// The ownership state apply hands back: objects akbp created (prunable) or adopted, by entry key.
import type { Change, CompiledEntry, Json, JsonObject, OwnershipState } from '../model/index.js';
import type { ApplyWorld } from './world.js';

export function noteUnchanged(state: OwnershipState, c: Change, entry: CompiledEntry | undefined, declared?: (key: string) => boolean): void {
  if (!entry || entry.state === 'absent') {
    // An absent entry with no object, or a recorded object that is gone: forget it.
    if (c.pk === undefined || !entry) {
      delete state.objects[c.key];
      delete state.secrets[c.key];
    }
    return;
  }
  if (c.pk === undefined) return; // skipped by a condition: keep what we knew
  const prev = previousRecord(state, c.key, c.model, c.pk, declared);
  const adopted = prev ? prev.adopted : !claimPending(state, c.key, c.model);
  state.objects[c.key] = { model: c.model, pk: c.pk, identifiers: jsonIdentifiers(c), adopted };
}

/**
 * What akbp knew of this object before: the record under this entry key, or — when the entry
 * moved (a renamed file, another id) — the record of the same object under its old key, which
 * is moved here with its secret digests so ownership survives the move.
 */
export function previousRecord(
  state: OwnershipState,
  key: string,
  model: string,
  pk: string | number,
  declared?: (key: string) => boolean,
): OwnershipState['objects'][string] | undefined {
  const here = state.objects[key];
  if (here && here.model === model && String(here.pk) === String(pk)) return here;
  for (const [k, rec] of Object.entries(state.objects)) {
    if (k === key || rec.model !== model || String(rec.pk) !== String(pk)) continue;
    // Another entry of this run declares the same object (another instance): not a move.
    if (declared?.(k)) continue;
    delete state.objects[k];
    if (state.secrets[k] && !state.secrets[key]) state.secrets[key] = state.secrets[k]!;
    delete state.secrets[k];
    return rec;
  }
  return undefined;
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

/**
 * True when an earlier, interrupted apply announced creating this entry's object: the object now
 * found is the one it created (its answer was lost with the run), so it is akbp's, not adopted.
 */
export function claimPending(state: OwnershipState, key: string, model: string): boolean {
  const p = state.pending?.[key];
  if (!p || p.model !== model) return false;
  delete state.pending![key];
  if (Object.keys(state.pending!).length === 0) delete state.pending;
  return true;
}
