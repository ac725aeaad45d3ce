// Deletes as Django's collector performs them, from the registry's `references.onDelete`: CASCADE
// removes dependants (recursively), SET_NULL clears the field, REMOVE_MEMBER drops the pk from
// M2M lists, PROTECT refuses the whole delete. Planned first, applied only when nothing refuses.
import type { Json, JsonObject } from '../model/types.js';
import { displayName, findTarget, type World } from './render.js';
import type { RefView } from './schema.js';
import type { Rec } from './store.js';

export interface DeletePlan {
  deletes: Rec[];
  updates: { rec: Rec; field: string; ref: RefView }[];
  protectedBy: Rec[];
}

function refersTo(ref: RefView, value: Json | undefined, target: Rec): boolean {
  if (value === undefined || value === null) return false;
  if (ref.policyBindingTarget) return target.pbm !== undefined && value === target.pbm;
  if (!ref.targetModels.includes(target.model)) return false;
  return Array.isArray(value) ? value.includes(target.pk) : value === target.pk;
}

export function planDelete(w: World, root: Rec): DeletePlan {
  const deleted = new Set<Rec>();
  const queue: Rec[] = [root];
  const updates: DeletePlan['updates'] = [];
  const protectedBy: Rec[] = [];
  while (queue.length) {
    const r = queue.shift()!;
    if (deleted.has(r)) continue;
    deleted.add(r);
    const mv = w.schema.model(r.model);
    // Reverse FKs shown as lists on the owner (application.backchannel_providers) die with it.
    for (const [field, ref] of Object.entries(mv?.refs ?? {})) {
      if (!ref.deleteTargetsWithOwner) continue;
      const v = r.data[field];
      for (const pk of Array.isArray(v) ? v : v === null || v === undefined ? [] : [v]) {
        const t = findTarget(w, ref.targetModels, pk as string | number);
        if (t) queue.push(t);
      }
    }
    for (const ref of w.schema.referrersOf(r.model)) {
      for (const o of w.store.all(ref.model)) {
        if (o === r || !refersTo(ref.ref, o.data[ref.field], r)) continue;
        switch (ref.ref.onDelete) {
          case 'CASCADE':
            if (ref.ref.many) updates.push({ rec: o, field: ref.field, ref: ref.ref });
            else queue.push(o);
            break;
          case 'PROTECT':
            protectedBy.push(o);
            break;
          default:
            updates.push({ rec: o, field: ref.field, ref: ref.ref });
        }
      }
    }
  }
  return { deletes: [...deleted], updates, protectedBy };
}

export function applyDelete(w: World, plan: DeletePlan): void {
  const gone = new Set(plan.deletes);
  const goneKeys = new Set(plan.deletes.map((r) => `${r.model}|${String(r.pk)}`));
  const gonePbm = new Set(plan.deletes.map((r) => r.pbm).filter((p): p is string => Boolean(p)));
  const isGone = (ref: RefView, v: Json): boolean =>
    ref.policyBindingTarget ? gonePbm.has(String(v)) : ref.targetModels.some((m) => goneKeys.has(`${m}|${String(v)}`));
  for (const u of plan.updates) {
    if (gone.has(u.rec)) continue;
    const v = u.rec.data[u.field];
    if (Array.isArray(v)) u.rec.data[u.field] = v.filter((x) => !isGone(u.ref, x));
    else if (v !== undefined && v !== null && isGone(u.ref, v)) u.rec.data[u.field] = null;
  }
  for (const r of plan.deletes) w.store.remove(r);
}

/** `GET <detail>/used_by/`: direct dependants and what a delete would do to them. */
export function usedBy(w: World, target: Rec): JsonObject[] {
  const out: JsonObject[] = [];
  for (const ref of w.schema.referrersOf(target.model)) {
    const mv = w.schema.model(ref.model);
    if (!mv) continue;
    for (const o of w.store.all(ref.model)) {
      if (o.hidden || !refersTo(ref.ref, o.data[ref.field], target)) continue;
      const action = ref.ref.many ? 'CASCADE_MANY' : ref.ref.onDelete === 'SET_NULL' ? 'SET_NULL' : 'CASCADE';
      if (ref.ref.onDelete === 'PROTECT') continue;
      out.push({ app: mv.info.appLabel, model_name: mv.info.modelName, pk: String(o.pk), name: displayName(o), action });
    }
  }
  return out;
}
