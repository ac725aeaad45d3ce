// Which lists to read. Default: the whole collection of every model involved, since with
// page_size at the server's maximum that is ceil(N / max) requests (1 on 2023.6, which has no
// cap), fetched in parallel, and it answers every entry, `!Find` and prune check at once. A model
// with very few entries (≤ filteredMax, default 1) whose identifiers are literal exact list
// filters is read filtered instead: one request, and it stays one request however large the
// collection is (users on a big instance). Results are re-checked client-side either way,
// because authentik ignores unknown filter names (API-NOTES §4).
import type { CompiledEntry, DesiredValue, ListQuery, ModelName, OwnershipState } from '../model/index.js';
import type { ModelInfo, Registry } from '../authentik/registry.js';
import { findModel } from '../authentik/registry.js';
import { isDeferred } from '../values/index.js';
import { allFinds, literalPks, referenceModels } from '../live/index.js';

export interface ModelRead {
  model: ModelName;
  /** Empty: list the whole collection. Else one filtered list per element. */
  filters: ListQuery[];
  /** Why the model is read (entries, finds, relation lookups, prune, policy-binding targets). */
  why: string[];
}

export function chooseReads(
  entries: readonly CompiledEntry[],
  reg: Registry,
  opts: { state?: OwnershipState; filteredMax?: number },
): { reads: ModelRead[]; unreadable: [ModelName, string][] } {
  const why = new Map<ModelName, Set<string>>();
  const unreadable = new Map<ModelName, string>();
  const need = (name: string, reason: string): void => {
    const info = findModel(reg, name);
    if (!info) return;
    if (!info.apiPath || !info.operations.list) {
      if (info.kind !== 'meta') unreadable.set(info.model, 'no list endpoint');
      return;
    }
    const s = why.get(info.model) ?? new Set<string>();
    s.add(reason);
    why.set(info.model, s);
  };
  const byModel = new Map<string, CompiledEntry[]>();
  let pbmTargets = false;
  for (const e of entries) {
    const info = findModel(reg, e.model);
    // metacleanblueprint deletes every object of its model_name: plan needs them all.
    if (e.model === 'authentik_blueprints.metacleanblueprint' && typeof e.attrs.model_name === 'string') need(e.attrs.model_name, 'metacleanblueprint');
    if (!info || info.kind === 'meta') continue;
    need(info.model, 'entries');
    // Appending in place: copying the list per entry made 20k entries cost seconds in akbp watch.
    const own = byModel.get(info.model);
    if (own) own.push(e);
    else byModel.set(info.model, [e]);
    const lookups = Object.keys(e.identifiers);
    for (const v of [e.identifiers, e.attrs, ...Object.values(e.secrets).map((x) => x.value), ...e.conditions]) {
      for (const q of allFinds(v)) {
        need(q.model, 'finds');
        for (const [k] of q.query) relationTargets(reg, q.model, k).forEach((m) => need(m, 'relation lookups'));
      }
    }
    for (const k of lookups) relationTargets(reg, info.model, k).forEach((m) => need(m, 'relation lookups'));
    // An exported entry's raw pks that compile did not rewrite must exist on the server: plan checks.
    if ('pk' in e.identifiers) {
      for (const f of Object.keys(info.references ?? {})) {
        if (literalPks(e.attrs[f]).length === 0) continue;
        for (const m of referenceModels(reg, info, f)) need(m, 'references');
      }
    }
    // Policy-binding targets read back as the target's own pk while !KeyOf gives the pbm uuid.
    if (!pbmTargets && Object.values(info.references ?? {}).some((r) => r.policyBindingTarget)) {
      pbmTargets = true;
      for (const m of Object.values(reg.models)) if (m.pbmField && m.pbmField !== m.pkField) need(m.model, 'policy-binding targets');
    }
  }
  // Orphans are read even without prune: plan then says what --prune would delete.
  if (opts.state) {
    const declared = new Set(entries.map((e) => e.key));
    for (const [k, rec] of Object.entries(opts.state.objects)) if (!declared.has(k) && !rec.adopted) need(rec.model, 'prune');
  }
  const max = opts.filteredMax ?? 1;
  const reads: ModelRead[] = [];
  for (const model of [...why.keys()].sort()) {
    const reasons = why.get(model)!;
    const own = byModel.get(model) ?? [];
    let filters: ListQuery[] = [];
    if (reasons.size === 1 && reasons.has('entries') && own.length <= max) {
      const fs = own.map((e) => literalFilters(findModel(reg, model)!, e.identifiers));
      if (fs.every((f): f is ListQuery => f !== null)) filters = fs;
    }
    reads.push({ model, filters, why: [...reasons].sort() });
  }
  return { reads, unreadable: [...unreadable.entries()].sort() };
}

/**
 * The models whose objects decide an entry's match and values: its own, those its `!Find`s and
 * relation lookups read, and the policy-binding targets. When one of them could not be read the
 * entry cannot be planned (observe reports it as blocked by that read).
 */
export function modelsOf(e: CompiledEntry, reg: Registry): Set<string> {
  const out = new Set<string>();
  const add = (name: string): void => {
    const m = findModel(reg, name)?.model;
    if (m) out.add(m);
  };
  const info = findModel(reg, e.model);
  if (!info) return out;
  add(info.model);
  for (const k of Object.keys(e.identifiers)) relationTargets(reg, info.model, k).forEach(add);
  for (const v of [e.identifiers, e.attrs, ...Object.values(e.secrets).map((x) => x.value), ...e.conditions]) {
    for (const q of allFinds(v)) {
      add(q.model);
      for (const [k] of q.query) relationTargets(reg, q.model, k).forEach(add);
    }
  }
  if (Object.values(info.references ?? {}).some((r) => r.policyBindingTarget)) {
    for (const m of Object.values(reg.models)) if (m.pbmField && m.pbmField !== m.pkField) out.add(m.model);
  }
  return out;
}

/** Models a `rel__field` lookup walks into, when the relation has a single target model. */
function relationTargets(reg: Registry, model: string, lookup: string): string[] {
  const parts = lookup.split('__');
  if (parts.length < 2) return [];
  const ref = findModel(reg, model)?.references?.[parts[0]!];
  return ref && ref.targets.length === 1 ? ref.targets : [];
}

function literalFilters(info: ModelInfo, ids: { [k: string]: DesiredValue }): ListQuery | null {
  const names = new Map(info.listFilters.filter((f) => !f.generic).map((f) => [f.name, f]));
  const filters: NonNullable<ListQuery['filters']> = {};
  const keys = Object.keys(ids);
  if (keys.length === 0) return null;
  for (const k of keys) {
    const v = ids[k]!;
    const f = names.get(k);
    // pk ORs with the rest and mapping values are JSON containment: neither is an exact filter.
    if (k === 'pk' || !f || f.type === 'array' || v === null || typeof v === 'object' || isDeferred(v)) return null;
    if (f.type === 'string' && typeof v !== 'string') return null;
    filters[k] = v;
  }
  return { filters };
}
