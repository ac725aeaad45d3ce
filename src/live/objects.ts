// In-memory index of live objects per model: what observe read. Lookups by pk accept the
// number/string/upper-case forms the same pk arrives in.
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

/**
 * What an index derives from one list: by pk, pbm uuid → pk, and field indexes built on first use.
 * Kept per list (by identity) so that indexes over the same lists share it: akbp watch hands the
 * same unchanged lists to observe and plan on every save.
 */
interface Derived {
  model: ModelName;
  byPk: Map<string, LiveObject>;
  pbm: Map<string, Json> | undefined;
  /** field → coarse value key → objects; null when not indexable. */
  fields: Map<string, Map<string, LiveObject[]> | null>;
}

const derivedOf = new WeakMap<readonly LiveObject[], Derived>();

function derive(reg: Registry, model: ModelName, objs: readonly LiveObject[]): Derived {
  const hit = derivedOf.get(objs);
  if (hit && hit.model === model) return hit;
  const f = findModel(reg, model)?.pbmField;
  const d: Derived = { model, byPk: new Map(), pbm: f ? new Map() : undefined, fields: new Map() };
  for (const o of objs) {
    d.byPk.set(pkKey(o.pk), o);
    if (f && o.body[f] !== undefined && o.body[f] !== null) d.pbm!.set(pkKey(o.body[f]), o.pk);
  }
  derivedOf.set(objs, d);
  return d;
}

export class ObjectIndex implements ObjectSource {
  /** The lists as given (never written to): indexes over the same lists share what they derive. */
  private readonly lists = new Map<ModelName, readonly LiveObject[]>();
  private readonly derived = new Map<ModelName, Derived>();
  /** The pbm maps of the models that have one, gathered on first use. */
  private pbmMaps: Map<string, Json>[] | undefined;

  constructor(
    private readonly reg: Registry,
    from?: ReadonlyMap<ModelName, readonly LiveObject[]>,
  ) {
    if (from) for (const [m, objs] of from) this.set(m, objs);
  }

  has(model: ModelName): boolean {
    return this.lists.has(model);
  }

  set(model: ModelName, objs: readonly LiveObject[]): void {
    this.lists.set(model, objs);
    this.derived.set(model, derive(this.reg, model, objs));
    this.pbmMaps = undefined;
  }

  /**
   * Objects whose scalar `field` may equal `value` (a superset of the exact matches, in list
   * order), or undefined when the field holds non-scalars somewhere and cannot be indexed.
   */
  candidates(model: ModelName, field: string, value: Json): readonly LiveObject[] | undefined {
    const list = this.lists.get(model);
    const d = this.derived.get(model);
    if (!list || !d || (value !== null && typeof value === 'object')) return undefined;
    let ix = d.fields.get(field);
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
      d.fields.set(field, ix);
    }
    return ix === null ? undefined : (ix.get(coarseKey(value)) ?? []);
  }

  objects(model: ModelName): readonly LiveObject[] | undefined {
    return this.lists.get(model);
  }

  byPk(model: ModelName, pk: Json): LiveObject | undefined {
    return this.derived.get(model)?.byPk.get(pkKey(pk));
  }

  pkOfPbm(pbm: Json): Json | undefined {
    const k = pkKey(pbm);
    this.pbmMaps ??= [...this.derived.values()].flatMap((d) => (d.pbm ? [d.pbm] : []));
    for (const m of this.pbmMaps) {
      const pk = m.get(k);
      if (pk !== undefined) return pk;
    }
    return undefined;
  }

  models(): ModelName[] {
    return [...this.lists.keys()].sort();
  }
}

/** Same model, same pk, the same body as JSON.stringify writes it: an object read again that nothing changed. */
export function sameLiveObject(a: LiveObject, b: LiveObject): boolean {
  return a === b || (a.model === b.model && pkKey(a.pk) === pkKey(b.pk) && sameJson(a.body, b.body));
}

/** JSON.stringify(a) === JSON.stringify(b) for parsed JSON, without building the strings (key order counts, as there). */
function sameJson(a: Json | undefined, b: Json | undefined): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i] || !sameJson(a[ka[i]!], b[kb[i]!])) return false;
  return true;
}
