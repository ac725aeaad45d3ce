// The plan's outcomes by entry key, with the creates indexed by model and field value: later
// entries ask "does an earlier create of this run match these identifiers / this `!Find`?", and
// scanning every outcome for each of them made a first plan quadratic.
import type { Json, JsonObject } from '../model/types.js';
import { coarseKey } from '../live/index.js';
import type { Outcome } from './resolver.js';

interface FieldIndex {
  /** Creates whose field holds a scalar, by coarse key (equal under looseEqual ⇒ same key). */
  byKey: Map<string, number[]>;
  /** Creates whose field is absent, null or a collection: a lookup may still match them. */
  other: number[];
}

export class Outcomes extends Map<string, Outcome> {
  /** Every create, in the order the plan decided them (= entry order). */
  private readonly created: Outcome[] = [];
  private readonly byModel = new Map<string, number[]>();
  private readonly fields = new Map<string, Map<string, FieldIndex>>();

  override set(key: string, o: Outcome): this {
    super.set(key, o);
    // Map's constructor calls set before the fields exist; nothing is passed to it here.
    if (!o.creates || this.created === undefined) return this;
    const n = this.created.push(o) - 1;
    const model = o.entry.model;
    let list = this.byModel.get(model);
    if (!list) this.byModel.set(model, (list = []));
    list.push(n);
    for (const [field, ix] of this.fields.get(model) ?? []) addTo(ix, o.body, field, n);
    return this;
  }

  /**
   * Creates of `model`, in decision order, that may match every `field = value` pair (a superset:
   * callers apply their own comparison). `indexable` says which pairs a coarse-key bucket answers.
   */
  createsMatching(model: string, pairs: readonly [string, Json][], indexable: (field: string, value: Json) => boolean): Outcome[] {
    const all = this.byModel.get(model);
    if (!all) return [];
    let best: number[] = all;
    for (const [field, value] of pairs) {
      if (value === null || typeof value === 'object' || !indexable(field, value)) continue;
      const ix = this.fieldIndex(model, field, all);
      const hits = ix.byKey.get(coarseKey(value)) ?? [];
      if (hits.length + ix.other.length >= best.length) continue;
      best = ix.other.length === 0 ? hits : mergeSorted(hits, ix.other);
    }
    return best.map((n) => this.created[n]!);
  }

  private fieldIndex(model: string, field: string, all: readonly number[]): FieldIndex {
    let perModel = this.fields.get(model);
    if (!perModel) this.fields.set(model, (perModel = new Map()));
    let ix = perModel.get(field);
    if (!ix) {
      ix = { byKey: new Map(), other: [] };
      for (const n of all) addTo(ix, this.created[n]!.body, field, n);
      perModel.set(field, ix);
    }
    return ix;
  }
}

function addTo(ix: FieldIndex, body: JsonObject, field: string, n: number): void {
  const v = body[field];
  if (v === undefined || v === null || typeof v === 'object') {
    ix.other.push(n);
    return;
  }
  const k = coarseKey(v);
  const l = ix.byKey.get(k);
  if (l) l.push(n);
  else ix.byKey.set(k, [n]);
}

function mergeSorted(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i]! < b[j]!)) out.push(a[i++]!);
    else out.push(b[j++]!);
  }
  return out;
}
