// authentik's pk rewrite map (BLUEPRINT-SEMANTICS §4.5), the part that is syntax: its exports
// identify objects by the pks of the install they came from and refer to them by those raw pks.
// After an entry identified by a literal `pk`, the importer rewrites later values equal to that pk
// into the pk of the object the entry ended with. Which object that is depends on the server (the
// same pk, a natural-key match, or a new object), so compile turns such a reference into a
// `!KeyOf` of the entry and lets plan and apply finish it as they finish every `!KeyOf`.
//
// Only foreign-key and many-to-many fields whose target models include the entry's model are
// rewritten: authentik rewrites any top-level value, so an integer pk 1 also rewrote `order: 1`.
import type { ModelInfo, Registry } from '../authentik/registry.js';
import { findModel } from '../authentik/registry.js';
import type { CompiledEntry, DesiredValue, ModelName } from '../model/types.js';
import { isDeferred } from '../values/index.js';

/** The exported pk as a map key: uuids compare case-insensitively, integers as their digits. */
function pkText(v: DesiredValue): string | undefined {
  if (typeof v === 'string') return v.trim().toLowerCase();
  if (typeof v === 'number' && Number.isInteger(v)) return String(v);
  return undefined;
}

export class PkRewriteMap {
  private readonly byPk = new Map<string, CompiledEntry>();
  /** Ids given to exported entries so `!KeyOf` can name them; never one the file uses. */
  private readonly taken: Set<string>;

  constructor(
    private readonly registry: Registry,
    fileIds: Iterable<string>,
  ) {
    this.taken = new Set(fileIds);
  }

  /**
   * Replaces this entry's raw references to pks exported earlier in the file by `!KeyOf`s of the
   * exporting entries; returns the keys of the entries it now refers to.
   */
  rewrite(info: ModelInfo, e: CompiledEntry): string[] {
    if (this.byPk.size === 0) return [];
    const deps = new Set<string>();
    for (const [field, ref] of Object.entries(info.references ?? {})) {
      const accepts = (model: ModelName): boolean =>
        ref.targets.includes(model) || (ref.policyBindingTarget === true && findModel(this.registry, model)?.isPolicyBindingModel === true);
      const one = (v: DesiredValue): DesiredValue => {
        const k = pkText(v);
        const target = k === undefined ? undefined : this.byPk.get(k);
        if (!target || !accepts(target.model)) return v;
        deps.add(target.key);
        return { $keyOf: this.idOf(target) };
      };
      // One level, as authentik's rewrite: a scalar, or each element of a list.
      const each = (v: DesiredValue): DesiredValue => (Array.isArray(v) ? v.map(one) : isDeferred(v) ? v : one(v));
      if (field in e.attrs) e.attrs[field] = each(e.attrs[field]!);
      if (field in e.identifiers) e.identifiers[field] = each(e.identifiers[field]!);
    }
    return [...deps];
  }

  /**
   * After the entry: a literal `pk` identifier is remembered for later entries, when the entry
   * ends with an object (authentik fills its map for present, created and must_created).
   */
  remember(e: CompiledEntry, literalPk: boolean): void {
    if (!literalPk || e.state === 'absent') return;
    const k = pkText(e.identifiers.pk ?? null);
    if (k !== undefined) this.byPk.set(k, e);
  }

  private idOf(e: CompiledEntry): string {
    if (e.id !== undefined) return e.id;
    const base = `pk:${String(e.identifiers.pk)}`;
    let id = base;
    for (let n = 2; this.taken.has(id); n++) id = `${base}~${n}`;
    this.taken.add(id);
    e.id = id;
    return id;
  }
}
