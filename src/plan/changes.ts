// The Change shapes that carry a patch: a create (every sendable field added) and an update (only
// the fields whose normalised values differ, JSON and M2M replaced whole), of a live object or of
// one an earlier declaration creates. Whether there is anything to update is decide's (decide.ts).
import type { Change, DesiredValue, FieldChange, Json, JsonObject, LiveObject } from '../model/types.js';
import type { ModelInfo } from '../authentik/registry.js';
import { containsDeferred, escapePointer } from '../values/index.js';
import { canonicalString, normalizeField, redactBody, sameField } from '../live/index.js';
import type { ObjectIndex } from '../live/index.js';

export function createChange(base: Omit<Change, 'action' | 'reason' | 'patch'>, after: { [k: string]: DesiredValue }, extras: FieldChange[]): Change {
  const patch: FieldChange[] = Object.keys(after)
    .sort()
    .map((f) => ({ path: `/${escapePointer(f)}`, op: 'add' as const, after: after[f]! }));
  patch.push(...extras);
  return { ...base, action: 'create', reason: 'no matching object on the server', patch, after };
}

export function updateChange(
  base: Omit<Change, 'action' | 'reason' | 'patch'>,
  info: ModelInfo,
  live: LiveObject,
  diff: FieldDiff,
  index: ObjectIndex,
  extras: FieldChange[],
  extraReasons: string[],
): Change {
  const { patch, changedAfter } = diff;
  const fields = patch.filter((p) => !extras.includes(p)).map((p) => p.path.slice(1) + removals(info, p, index));
  const reason = [fields.length ? `${fields.join(', ')} differ${fields.length === 1 ? 's' : ''}` : '', ...extraReasons].filter(Boolean).join('; ');
  return { ...base, action: 'update', reason: reason || 'blueprint-only fields to set', patch, before: redactBody(info, live.body), after: changedAfter };
}

export interface FieldDiff {
  patch: FieldChange[];
  changedAfter: { [k: string]: DesiredValue };
}

/**
 * The fields of `after` whose normalised values differ from `current` (unresolved ones always
 * differ), as patch operations in field order, then the blueprint-only extras.
 */
export function fieldDiff(
  info: ModelInfo,
  current: JsonObject,
  after: { [k: string]: DesiredValue },
  resolved: JsonObject,
  unresolved: Set<string>,
  index: ObjectIndex,
  extras: FieldChange[],
): FieldDiff {
  const patch: FieldChange[] = [];
  const changedAfter: { [k: string]: DesiredValue } = {};
  for (const f of Object.keys(after).sort()) {
    const before = current[f];
    if (!unresolved.has(f) && sameField(info, f, resolved[f]!, before, index)) continue;
    const fc: FieldChange = { path: `/${escapePointer(f)}`, op: before === undefined ? 'add' : 'replace', after: after[f]! };
    if (before !== undefined) fc.before = before;
    patch.push(fc);
    changedAfter[f] = after[f]!;
  }
  patch.push(...extras);
  return { patch, changedAfter };
}

/** " (removes 2 members)" / " (removes keys a, b)": what a whole-value replace drops. */
function removals(info: ModelInfo, fc: FieldChange, index: ObjectIndex): string {
  const f = fc.path.slice(1);
  const before = fc.before;
  const after = fc.after;
  if (Array.isArray(before) && Array.isArray(after) && !after.some((x) => containsDeferred(x))) {
    const norm = (v: Json): string[] => (normalizeField(info, f, v, index) as Json[]).map((x) => canonicalString(x));
    const keep = new Set(norm(after as Json[]));
    const gone = norm(before).filter((x) => !keep.has(x)).length;
    return gone ? ` (removes ${gone} member${gone === 1 ? '' : 's'})` : '';
  }
  if (
    before &&
    after &&
    typeof before === 'object' &&
    typeof after === 'object' &&
    !Array.isArray(before) &&
    !Array.isArray(after) &&
    !containsDeferred(after)
  ) {
    const gone = Object.keys(before)
      .filter((k) => !(k in after))
      .sort();
    return gone.length ? ` (removes key${gone.length === 1 ? '' : 's'} ${gone.join(', ')})` : '';
  }
  return '';
}

/**
 * A later declaration of an object an earlier change of this run creates (another instance
 * declares it too): only the fields it sets differently are patched, after the create.
 */
export function sameObjectChange(base: Omit<Change, 'action' | 'reason' | 'patch'>, creator: string, diff: FieldDiff): Change {
  const fields = Object.keys(diff.changedAfter);
  return {
    ...base,
    sameObjectAs: creator,
    action: 'update',
    before: {},
    after: diff.changedAfter,
    patch: diff.patch,
    reason: `${creator} creates it; this later declaration sets ${fields.length ? fields.join(', ') : 'blueprint-only fields'}`,
  };
}
