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
  const needs = new ReadNeeds(reg);
  for (const e of entries) needs.add(e);
  return needs.reads(opts.state ? stateNeeds(opts.state, new Set(entries.map((e) => e.key))) : [], opts.filteredMax);
}

/** Orphans are read even without prune: plan then says what --prune would delete. */
export function stateNeeds(state: OwnershipState, declared: { has(key: string): boolean }): string[] {
  const out: string[] = [];
  for (const k in state.objects) {
    const rec = state.objects[k]!;
    if (!declared.has(k) && !rec.adopted) out.push(rec.model);
  }
  return out;
}

/**
 * What a set of entries asks to be read, counted, so that akbp watch can take out the entries a
 * save replaced and add their successors instead of going over every entry again.
 */
export class ReadNeeds {
  /** model → reason → how many entries give it. */
  private readonly why = new Map<ModelName, Map<string, number>>();
  private readonly unreadable = new Map<ModelName, number>();
  /** The entries of each model (for the filtered reads of a model with very few). */
  private readonly own = new Map<ModelName, Set<CompiledEntry>>();
  private pbmTargets = 0;

  constructor(private readonly reg: Registry) {}

  add(e: CompiledEntry): void {
    this.count(e, 1);
  }

  remove(e: CompiledEntry): void {
    this.count(e, -1);
  }

  private count(e: CompiledEntry, by: 1 | -1): void {
    const n = entryNeeds(e, this.reg);
    for (const [m, reason] of n.needs) this.need(m, reason, by);
    if (n.model) {
      let s = this.own.get(n.model);
      if (!s) this.own.set(n.model, (s = new Set()));
      if (by > 0) s.add(e);
      else s.delete(e);
    }
    if (n.pbmTargets) this.pbmTargets += by;
  }

  private need(name: string, reason: string, by: number): void {
    const info = findModel(this.reg, name);
    if (!info) return;
    if (!info.apiPath || !info.operations.list) {
      if (info.kind !== 'meta') this.unreadable.set(info.model, (this.unreadable.get(info.model) ?? 0) + by);
      return;
    }
    let r = this.why.get(info.model);
    if (!r) this.why.set(info.model, (r = new Map()));
    r.set(reason, (r.get(reason) ?? 0) + by);
  }

  /** The reads for these entries and the models of the state's orphans (`stateNeeds`). */
  reads(orphanModels: readonly string[], filteredMax = 1): { reads: ModelRead[]; unreadable: [ModelName, string][] } {
    const why = new Map<ModelName, Set<string>>();
    const unreadable = new Map<ModelName, string>();
    const need = (name: string, reason: string): void => {
      const info = findModel(this.reg, name);
      if (!info) return;
      if (!info.apiPath || !info.operations.list) {
        if (info.kind !== 'meta') unreadable.set(info.model, 'no list endpoint');
        return;
      }
      const s = why.get(info.model) ?? new Set<string>();
      s.add(reason);
      why.set(info.model, s);
    };
    for (const [m, reasons] of this.why) for (const [reason, n] of reasons) if (n > 0) need(m, reason);
    for (const [m, n] of this.unreadable) if (n > 0) unreadable.set(m, 'no list endpoint');
    // Policy-binding targets read back as the target's own pk while !KeyOf gives the pbm uuid.
    if (this.pbmTargets > 0)
      for (const m of Object.values(this.reg.models)) if (m.pbmField && m.pbmField !== m.pkField) need(m.model, 'policy-binding targets');
    for (const m of orphanModels) need(m, 'prune');
    const reads: ModelRead[] = [];
    for (const model of [...why.keys()].sort()) {
      const reasons = why.get(model)!;
      const own = this.own.get(model);
      let filters: ListQuery[] = [];
      if (reasons.size === 1 && reasons.has('entries') && (own?.size ?? 0) <= filteredMax) {
        const fs = [...(own ?? [])].sort((a, b) => a.order - b.order).map((e) => literalFilters(findModel(this.reg, model)!, e.identifiers));
        if (fs.every((f): f is ListQuery => f !== null)) filters = fs;
      }
      reads.push({ model, filters, why: [...reasons].sort() });
    }
    return { reads, unreadable: [...unreadable.entries()].sort() };
  }
}

/** What one entry asks to be read; the same for the same compiled entry, so kept per entry. */
interface EntryNeeds {
  reg: Registry;
  /** The entry's own model, unless it is a meta model or unknown. */
  model?: ModelName;
  needs: [string, string][];
  /** It references policy-binding targets. */
  pbmTargets: boolean;
}

const needsOf = new WeakMap<CompiledEntry, EntryNeeds>();

function entryNeeds(e: CompiledEntry, reg: Registry): EntryNeeds {
  const hit = needsOf.get(e);
  if (hit && hit.reg === reg) return hit;
  const out: EntryNeeds = { reg, needs: [], pbmTargets: false };
  needsOf.set(e, out);
  const need = (m: string, reason: string) => out.needs.push([m, reason]);
  const info = findModel(reg, e.model);
  // metacleanblueprint deletes every object of its model_name: plan needs them all.
  if (e.model === 'authentik_blueprints.metacleanblueprint' && typeof e.attrs.model_name === 'string') need(e.attrs.model_name, 'metacleanblueprint');
  if (!info || info.kind === 'meta') return out;
  out.model = info.model;
  need(info.model, 'entries');
  for (const v of [e.identifiers, e.attrs, ...Object.values(e.secrets).map((x) => x.value), ...e.conditions]) {
    for (const q of allFinds(v)) {
      need(q.model, 'finds');
      for (const [k] of q.query) relationTargets(reg, q.model, k).forEach((m) => need(m, 'relation lookups'));
    }
  }
  for (const k of Object.keys(e.identifiers)) relationTargets(reg, info.model, k).forEach((m) => need(m, 'relation lookups'));
  // An exported entry's raw pks that compile did not rewrite must exist on the server: plan checks.
  if ('pk' in e.identifiers) {
    for (const f of Object.keys(info.references ?? {})) {
      if (literalPks(e.attrs[f]).length === 0) continue;
      for (const m of referenceModels(reg, info, f)) need(m, 'references');
    }
  }
  out.pbmTargets = Object.values(info.references ?? {}).some((r) => r.policyBindingTarget);
  return out;
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
