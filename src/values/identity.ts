// How people name one object, wherever akbp prints it: plan headers, apply results, prune lines,
// diagnostics, graphs and JSON. `flow slug=akbp-login`: the model without its app label (unique
// within authentik) and the identifiers' values, references described as plans describe them.
import { describeDeferred, isDeferred } from './deferred.js';

/** The identifiers part, e.g. `slug=akbp-login`; `(no identifiers)` when there are none. */
export function objectLabel(identifiers: { readonly [k: string]: unknown }): string {
  const parts = Object.entries(identifiers).map(([k, v]) => {
    const shown = isDeferred(v) ? describeDeferred(v) : typeof v === 'string' ? v : JSON.stringify(v);
    return `${k}=${shown}`;
  });
  return parts.join(' ') || '(no identifiers)';
}

/** `authentik_flows.flow` → `flow`. */
function modelKind(model: string): string {
  return model.slice(model.indexOf('.') + 1);
}

/**
 * The readable identity of an object. Without identifiers (a record from an older state, an entry
 * found by pk) the pk names it, so two such objects never print alike.
 */
export function formatIdentity(model: string, identifiers: { readonly [k: string]: unknown } | undefined, pk?: string | number): string {
  const ids = identifiers ?? {};
  const label = Object.keys(ids).length === 0 && pk !== undefined ? `pk=${String(pk)}` : objectLabel(ids);
  return `${modelKind(model)} ${label}`;
}
