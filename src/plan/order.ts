// One total order for a plan (DESIGN habit 5): writes by wave then document order; deletes after
// every write, dependants first (reverse waves), so a delete never breaks an object that a write
// of the same run still needs and cascades hit objects akbp deletes anyway.
import type { Change, CompiledEntry, Json, LiveObject } from '../model/types.js';
import type { Registry } from '../authentik/registry.js';
import { findModel } from '../authentik/registry.js';
import { pkKey } from '../live/index.js';

const phase = (c: Change): number => (c.action === 'delete' ? 1 : 0);

export function compareChanges(a: Change, b: Change): number {
  const pa = phase(a);
  const pb = phase(b);
  if (pa !== pb) return pa - pb;
  if (a.wave !== b.wave) return a.wave - b.wave;
  if (pa === 0) {
    if (a.order !== b.order) return a.order - b.order;
    return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
  }
  if (a.order !== b.order) return b.order - a.order;
  return a.key < b.key ? 1 : a.key > b.key ? -1 : 0;
}

/**
 * Delete waves: an object goes in an earlier wave than everything it depends on, whether the
 * dependency is declared (dependsOn) or only visible in the live body (a reference field).
 */
export function assignDeleteWaves(deletes: Change[], live: Map<string, LiveObject>, reg: Registry): void {
  const byKey = new Map(deletes.map((c) => [c.key, c]));
  const byObj = new Map<string, Change>();
  for (const c of deletes) if (c.pk !== undefined) byObj.set(`${c.model}\0${pkKey(c.pk)}`, c);
  // needs[x] = deletes that must run after x (x refers to them)
  const refersTo = new Map<string, Set<string>>();
  for (const c of deletes) {
    const targets = new Set<string>();
    for (const d of c.dependsOn) if (byKey.has(d) && d !== c.key) targets.add(d);
    const obj = live.get(c.key);
    const info = findModel(reg, c.model);
    if (obj && info) {
      for (const [field, ref] of Object.entries(info.references ?? {})) {
        const v = obj.body[field];
        const pks: Json[] = Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
        for (const pk of pks) {
          for (const m of ref.targets) {
            const t = byObj.get(`${m}\0${pkKey(pk)}`);
            if (t && t.key !== c.key) targets.add(t.key);
          }
        }
      }
    }
    refersTo.set(c.key, targets);
  }
  // wave(x) = 0 when nothing refers to x, else 1 + max wave of the deletes referring to x.
  const referredBy = new Map<string, string[]>();
  for (const [from, tos] of refersTo) for (const t of tos) referredBy.set(t, [...(referredBy.get(t) ?? []), from]);
  const memo = new Map<string, number>();
  const visiting = new Set<string>();
  const wave = (k: string): number => {
    const m = memo.get(k);
    if (m !== undefined) return m;
    if (visiting.has(k)) return 0; // a cycle: cascades settle it, 404 on delete counts as done
    visiting.add(k);
    let w = 0;
    for (const r of referredBy.get(k) ?? []) w = Math.max(w, wave(r) + 1);
    visiting.delete(k);
    memo.set(k, w);
    return w;
  };
  for (const c of deletes) c.wave = wave(c.key);
}

/**
 * Write waves: an entry's compile wave, or one after the latest of what it waits for (its
 * dependencies and the creates its values wait for), taken in entry order so each is known.
 */
export function assignWaves(planned: readonly { change: Change; entry: CompiledEntry }[]): void {
  const waves = new Map<string, number>();
  for (const { change, entry } of planned) {
    let wave = entry.wave;
    for (const d of change.dependsOn) {
      const w = waves.get(d);
      if (w !== undefined) wave = Math.max(wave, w + 1);
    }
    change.wave = wave;
    waves.set(change.key, wave);
  }
}
