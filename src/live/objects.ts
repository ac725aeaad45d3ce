// In-memory index of live objects per model: what observe read, extended by apply with what it
// writes. Lookups by pk accept the number/string/upper-case forms the same pk arrives in.
import type { Json, LiveObject, ModelName } from '../model/types.js';
import type { Registry } from '../authentik/registry.js';
import { findModel } from '../authentik/registry.js';
import type { ObjectSource } from './match.js';

export function pkKey(v: Json | undefined): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object' && !Array.isArray(v) && 'pk' in v) return pkKey(v.pk);
  return String(v).toLowerCase();
}

/** What `!KeyOf` yields for an object: its pk, or for a policy-binding target its pbm uuid. */
export function keyOfValue(reg: Registry, o: LiveObject, pbm: boolean): Json {
  const f = pbm ? findModel(reg, o.model)?.pbmField : undefined;
  return (f ? o.body[f] : undefined) ?? o.pk;
}

/** Equal under looseEqual ⇒ equal keys (numbers and numeric strings alike, case folded). */
export function coarseKey(v: Json): string {
  if (typeof v === 'string') {
    const t = v.trim();
    return t !== '' && Number.isFinite(Number(t)) ? String(Number(t)) : v.toLowerCase();
  }
  return String(v);
}

export class ObjectIndex implements ObjectSource {
  private readonly lists = new Map<ModelName, LiveObject[]>();
  private readonly pks = new Map<ModelName, Map<string, LiveObject>>();
  private readonly pbm = new Map<string, Json>();
  /** model → field → coarse value key → objects, built on first use; null when not indexable. */
  private readonly fieldIndexes = new Map<ModelName, Map<string, Map<string, LiveObject[]> | null>>();

  constructor(
    private readonly reg: Registry,
    from?: Map<ModelName, LiveObject[]>,
  ) {
    if (from) for (const [m, objs] of from) this.set(m, objs);
  }

  has(model: ModelName): boolean {
    return this.lists.has(model);
  }

  set(model: ModelName, objs: readonly LiveObject[]): void {
    const m = model;
    this.lists.set(m, [...objs]);
    const byPk = new Map<string, LiveObject>();
    for (const o of objs) {
      byPk.set(pkKey(o.pk), o);
      this.notePbm(m, o);
    }
    this.pks.set(m, byPk);
    this.fieldIndexes.delete(m);
  }

  /**
   * Objects whose scalar `field` may equal `value` (a superset of the exact matches, in list
   * order), or undefined when the field holds non-scalars somewhere and cannot be indexed.
   */
  candidates(model: ModelName, field: string, value: Json): readonly LiveObject[] | undefined {
    const m = model;
    const list = this.lists.get(m);
    if (!list || (value !== null && typeof value === 'object')) return undefined;
    let perModel = this.fieldIndexes.get(m);
    if (!perModel) this.fieldIndexes.set(m, (perModel = new Map()));
    let ix = perModel.get(field);
    if (ix === undefined) {
      ix = new Map();
      for (const o of list) {
        const v = o.body[field];
        if (v === undefined || (v !== null && typeof v === 'object')) {
          ix = null;
          break;
        }
        const k = coarseKey(v);
        const bucket = ix.get(k);
        if (bucket) bucket.push(o);
        else ix.set(k, [o]);
      }
      perModel.set(field, ix);
    }
    return ix === null ? undefined : (ix.get(coarseKey(value)) ?? []);
  }

  /** Position in the server's list order (for "first match" across several candidate sets). */
  position(model: ModelName, obj: LiveObject): number {
    const list = this.lists.get(model) ?? [];
    return list.indexOf(obj);
  }

  /** Adds or replaces one object (after a create or patch), keeping list order for existing ones. */
  upsert(obj: LiveObject): void {
    const m = obj.model;
    const list = this.lists.get(m) ?? [];
    const byPk = this.pks.get(m) ?? new Map<string, LiveObject>();
    const k = pkKey(obj.pk);
    const i = list.findIndex((o) => pkKey(o.pk) === k);
    if (i >= 0) list[i] = obj;
    else list.push(obj);
    byPk.set(k, obj);
    this.lists.set(m, list);
    this.fieldIndexes.delete(m);
    this.pks.set(m, byPk);
    this.notePbm(m, obj);
  }

  remove(model: ModelName, pk: Json): void {
    const m = model;
    const k = pkKey(pk);
    const list = this.lists.get(m);
    if (list)
      this.lists.set(
        m,
        list.filter((o) => pkKey(o.pk) !== k),
      );
    this.pks.get(m)?.delete(k);
    this.fieldIndexes.delete(m);
  }

  private notePbm(model: ModelName, o: LiveObject): void {
    const f = findModel(this.reg, model)?.pbmField;
    if (f && o.body[f] !== undefined && o.body[f] !== null) this.pbm.set(pkKey(o.body[f]), o.pk);
  }

  objects(model: ModelName): readonly LiveObject[] | undefined {
    return this.lists.get(model);
  }

  byPk(model: ModelName, pk: Json): LiveObject | undefined {
    return this.pks.get(model)?.get(pkKey(pk));
  }

  pkOfPbm(pbm: Json): Json | undefined {
    return this.pbm.get(pkKey(pbm));
  }

  models(): ModelName[] {
    return [...this.lists.keys()].sort();
  }
}
