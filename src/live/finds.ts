// `!Find` queries inside values, and recorded `!Find` answers as live objects: what observe reads
// up front, what plan and apply finish.
import type { DesiredValue, FindQuery, Json, LiveObject, ModelName } from '../model/types.js';
import type { Registry } from '../authentik/registry.js';
import { findModel } from '../authentik/registry.js';
import { findQueryKey, isDeferred, resolveDeferred, type DeferredResolver } from '../values/deferred.js';
import type { ObjectIndex } from './objects.js';

/** A recorded `!Find` answer (a pk, or an object body) as the object it names; null = nothing matched. */
export function answeredObject(reg: Registry, index: ObjectIndex, model: ModelName, known: Json): LiveObject | null {
  if (known === null) return null;
  if (typeof known === 'object' && !Array.isArray(known)) {
    const pk = known[findModel(reg, model)?.pkField ?? 'pk'] ?? known.pk;
    return { model, pk: pk as string | number, body: known };
  }
  return index.byPk(model, known) ?? { model, pk: known as string | number, body: {} };
}

/**
 * `!Find`s whose null answer would land in a field value (not in a condition, an `!If` test or an
 * `!AtIndex` default): those are errors, since authentik would silently write null (#19715).
 */
function requiredFinds(v: DesiredValue, out: FindQuery[] = []): FindQuery[] {
  if (v === null || typeof v !== 'object') return out;
  if (Array.isArray(v)) {
    for (const x of v) requiredFinds(x, out);
    return out;
  }
  if (!isDeferred(v)) {
    for (const x of Object.values(v)) requiredFinds(x, out);
    return out;
  }
  if ('$find' in v) out.push(v.$find);
  else if ('$findObject' in v) out.push(v.$findObject);
  else if ('$format' in v) requiredFinds(v.$format.args, out);
  else if ('$atIndex' in v) requiredFinds(v.$atIndex.obj, out);
  else if ('$if' in v && !v.$if.short) {
    requiredFinds(v.$if.then, out);
    requiredFinds(v.$if.else, out);
  }
  return out;
}

/** Canonical keys of the required finds in v whose queries resolve now. */
export function requiredFindKeys(v: DesiredValue, r: DeferredResolver, fromKey: string): Map<string, FindQuery> {
  const out = new Map<string, FindQuery>();
  for (const q of requiredFinds(v)) {
    const res = resolveDeferred(q.query.map(([k, x]) => [k, x]) as DesiredValue, r, fromKey);
    if (res.ok) out.set(findQueryKey({ model: q.model, query: res.value as [string, Json][] }), q);
  }
  return out;
}

/** Every `!Find`/`!FindObject` inside v, at any depth (observe reads their models up front). */
export function allFinds(v: DesiredValue, out: FindQuery[] = []): FindQuery[] {
  if (v === null || typeof v !== 'object') return out;
  if (Array.isArray(v)) {
    for (const x of v) allFinds(x, out);
    return out;
  }
  if (isDeferred(v)) {
    if ('$find' in v) out.push(v.$find);
    if ('$findObject' in v) out.push(v.$findObject);
  }
  for (const x of Object.values(v)) allFinds(x as DesiredValue, out);
  return out;
}
