// Where the raw pks of a reference field live: observe reads those models for exported entries'
// leftover raw references, and plan looks the pks up in them (plan/references.ts).
import type { DesiredValue, Json, ModelName } from '../model/types.js';
import type { ModelInfo, Registry } from '../authentik/registry.js';
import { isDeferred } from '../values/index.js';

/** The model a reference field's pks are looked up in: the family's base model, else each target. */
export function referenceModels(reg: Registry, info: ModelInfo, field: string): ModelName[] {
  const ref = info.references?.[field];
  if (!ref) return [];
  const base = (family: string): ModelName | undefined => Object.values(reg.models).find((m) => m.kind === 'base' && m.polymorphicFamily === family)?.model;
  if (ref.family) {
    const b = base(ref.family);
    if (b) return [b];
  }
  if (ref.policyBindingTarget) {
    // Any policy-binding model; a family of them (sources) is one list of its base model.
    const models = new Set<ModelName>();
    for (const m of Object.values(reg.models)) {
      if (m.kind !== 'model' || !m.isPolicyBindingModel || !m.apiPath) continue;
      models.add((m.polymorphicFamily && base(m.polymorphicFamily)) || m.model);
    }
    return [...models].sort();
  }
  return ref.targets;
}

/** Literal, non-null pks of a reference value (one level: a scalar or the elements of a list). */
export function literalPks(v: DesiredValue | undefined): Json[] {
  if (v === undefined || v === null || isDeferred(v)) return [];
  const all = Array.isArray(v) ? v : [v];
  return all.filter((x): x is string | number => typeof x === 'string' || typeof x === 'number');
}
