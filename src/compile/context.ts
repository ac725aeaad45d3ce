// The effective context of one blueprint: its own `context:` block with the run's --context
// overrides always-merged over it, as authentik merges an instance's context (lists append).
import type { Registry } from '../authentik/registry.js';
import type { Json, Value } from '../model/types.js';
import { alwaysMerge } from './merge.js';
import { setOwn } from '../values/index.js';

type ContextMap = { [key: string]: Value };

/**
 * Overrides may use dotted keys. Where the version walks dotted paths (`dotted`), `a.b=1` is
 * placed at `{a: {b: 1}}` unless the blueprint defines the literal key `a.b`, which authentik's
 * lookup would prefer; elsewhere a dotted key stays literal because lookups are exact.
 */
export function buildContext(own: ContextMap, overrides: { [key: string]: Json } | undefined, dotted: boolean, builtins: ContextMap = {}): ContextMap {
  // authentik always-merges the blueprint's context over its defaults, like every later layer.
  own = Object.keys(builtins).length > 0 ? (alwaysMerge(builtins as Json, own as Json) as ContextMap) : own;
  if (!overrides) return own;
  let layer: { [key: string]: Json } = {};
  for (const [k, v] of Object.entries(overrides)) {
    if (dotted && k.includes('.') && !Object.prototype.hasOwnProperty.call(own, k)) {
      const parts = k.split('.');
      let nested: Json = v;
      for (let i = parts.length - 1; i >= 0; i--) {
        const m: { [key: string]: Json } = {};
        setOwn(m, parts[i]!, nested);
        nested = m;
      }
      layer = alwaysMerge(layer, nested) as { [key: string]: Json };
    } else {
      const m: { [key: string]: Json } = {};
      setOwn(m, k, v);
      layer = alwaysMerge(layer, m) as { [key: string]: Json };
    }
  }
  // Tag nodes in the blueprint's context are opaque to the merge (they are not plain mappings
  // to merge into), so an override of a tag-valued key replaces it, as in authentik.
  const out: ContextMap = { ...own };
  for (const [k, v] of Object.entries(layer)) {
    const base = out[k];
    setOwn(out, k, base !== undefined && !isTagLike(base) ? (alwaysMerge(base as Json, v) as Value) : v);
  }
  return out;
}

function isTagLike(v: Value): boolean {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && '$tag' in v;
}

/**
 * Keys authentik puts under every blueprint's context (≥2023.10 licence flag, ≥2024 RBAC model
 * map: model name → app label of every model, as the shipped read-only role blueprint expects).
 * The licence state is the server's; it defaults to false and --context can set it.
 */
export function builtinContext(registry: Registry): ContextMap {
  const out: ContextMap = {};
  if (versionBefore(registry.version, '2023.10')) return out;
  out['goauthentik.io/enterprise/licensed'] = false;
  if (versionBefore(registry.version, '2024.2')) return out;
  const models: { [name: string]: Json } = {};
  for (const m of Object.values(registry.models)) if (m.kind === 'model') setOwn(models, m.modelName, m.appLabel);
  out['goauthentik.io/rbac/models'] = models;
  return out;
}

export function versionBefore(version: string, than: string): boolean {
  const a = version.split('.').map(Number);
  const b = than.split('.').map(Number);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x < y;
  }
  return false;
}
