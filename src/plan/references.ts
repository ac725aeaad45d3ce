// Raw pks in the reference fields of entries identified by pk (authentik's exports). compile has
// turned every pk the file exports into a `!KeyOf`; a raw pk left over must name an object the
// server has, or authentik's serializer refuses it ("Invalid pk") after earlier entries were
// written. Observe reads the target models of exactly these values whole, so "not among them"
// means "exists nowhere".
import type { CompiledEntry, Json, ModelName } from '../model/types.js';
import type { ModelInfo, Registry } from '../authentik/registry.js';
import { literalPks, pkKey, referenceModels, type ObjectIndex } from '../live/index.js';

export interface DanglingPk {
  field: string;
  /** The field, or `field/index` for an element of a list (compile records its range). */
  at: string;
  value: Json;
  /** Models that were searched, for the message. */
  searched: string;
}

export function danglingPks(reg: Registry, info: ModelInfo, e: CompiledEntry, index: ObjectIndex): DanglingPk[] {
  if (!('pk' in e.identifiers)) return [];
  const out: DanglingPk[] = [];
  for (const field of Object.keys(info.references ?? {}).sort()) {
    const v = e.attrs[field];
    const pks = literalPks(v);
    if (pks.length === 0) continue;
    const models = referenceModels(reg, info, field);
    // A model observe could not read decides nothing: the check stays silent rather than guess.
    if (models.length === 0 || !models.every((m) => index.has(m))) continue;
    for (const pk of pks) {
      const found = models.some((m) => index.byPk(m, pk) !== undefined) || (info.references[field]!.policyBindingTarget && index.pkOfPbm(pk) !== undefined);
      const at = Array.isArray(v) ? `${field}/${v.indexOf(pk)}` : field;
      if (!found) out.push({ field, at, value: pk, searched: describeModels(models) });
    }
  }
  return out;
}

function describeModels(models: ModelName[]): string {
  if (models.length === 1) return models[0]!;
  return `${models.length} policy-binding models`;
}

/** Entries of the file that declare this pk, to tell a reference that comes before its export. */
export function laterExport(entries: readonly CompiledEntry[], from: CompiledEntry, pk: Json): CompiledEntry | undefined {
  const k = pkKey(pk);
  return entries.find(
    (o) => o.origin.uri === from.origin.uri && o.origin.range.start > from.origin.range.start && pkKey(o.identifiers.pk as Json | undefined) === k,
  );
}
