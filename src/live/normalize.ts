// Values compared the way the server stores them, so an unchanged blueprint plans no change:
// DRF trims strings, numbers come back as numbers, many-to-many lists are sets, references are
// pks (policy-binding targets read back as the target's own pk), JSON fields compare by content.
import type { Json, JsonObject } from '../model/types.js';
import type { FieldInfo, ModelInfo } from '../authentik/registry.js';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Scalar equality across the representations a blueprint and the API use for the same value. */
export function looseEqual(a: Json | undefined, b: Json | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a === null || b === null) return false;
  if (typeof a === 'number' && typeof b === 'string') return b.trim() !== '' && Number(b) === a;
  if (typeof a === 'string' && typeof b === 'number') return a.trim() !== '' && Number(a) === b;
  if (typeof a === 'string' && typeof b === 'string') return UUID_RE.test(a) && UUID_RE.test(b) && a.toLowerCase() === b.toLowerCase();
  if (typeof a === 'object' && typeof b === 'object') return canonicalString(a) === canonicalString(b);
  return false;
}

/** PostgreSQL `@>`: objects contain sub-objects key by key, arrays contain every element of the other. */
export function containsJson(container: Json, sub: Json): boolean {
  if (Array.isArray(container)) {
    if (Array.isArray(sub)) return sub.every((s) => container.some((c) => containsJson(c, s)));
    return container.some((c) => (c === null || typeof c !== 'object' ? looseEqual(c, sub) : false));
  }
  if (container !== null && typeof container === 'object') {
    if (sub === null || typeof sub !== 'object' || Array.isArray(sub)) return false;
    return Object.entries(sub).every(([k, v]) => k in container && containsJson(container[k]!, v));
  }
  return looseEqual(container, sub);
}

/** JSON text with object keys sorted: equal content, equal string. */
export function canonicalString(v: Json | undefined): string {
  return JSON.stringify(canonical(v ?? null));
}

function canonical(v: Json): Json {
  if (Array.isArray(v)) return v.map(canonical);
  if (v !== null && typeof v === 'object') {
    const out: JsonObject = {};
    for (const k of Object.keys(v).sort()) out[k] = canonical(v[k]!);
    return out;
  }
  return v;
}

export interface NormalizeContext {
  /** pbm uuid → own pk of flows / flow-stage bindings (policy-binding `target` reads back as own pk). */
  pkOfPbm(pbm: Json): Json | undefined;
}

function scalarByType(fi: FieldInfo | undefined, v: Json): Json {
  if (v === null || fi === undefined) return v;
  switch (fi.type) {
    case 'integer':
    case 'number':
      return typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : v;
    case 'boolean':
      if (typeof v === 'string' && /^(true|false)$/i.test(v)) return v.toLowerCase() === 'true';
      return v;
    case 'string':
    case 'enum':
      // An enum of strings ('6', '8') takes the blueprint's 6 and returns "6"; and the reverse.
      if (fi.type === 'enum' && typeof v === 'number' && fi.enum?.some((x) => x === String(v))) return String(v);
      if (fi.type === 'enum' && typeof v === 'string' && fi.enum?.some((x) => typeof x === 'number' && String(x) === v)) return Number(v);
      if (typeof v === 'number' && fi.type === 'string') return String(v);
      if (typeof v !== 'string') return v;
      if (fi.format === 'uuid' || UUID_RE.test(v)) return v.toLowerCase();
      // `2030-01-01T00:00:00Z` and `…+00:00` are the same instant.
      if (fi.format === 'date-time' && !Number.isNaN(Date.parse(v))) return new Date(v).toISOString();
      return fi.type === 'string' ? v.trim() : v;
    default:
      return v;
  }
}

function refValue(v: Json, ctx: NormalizeContext, pbmTarget: boolean): Json {
  if (v === null) return null;
  if (typeof v === 'object' && !Array.isArray(v) && 'pk' in v) v = v.pk ?? null;
  if (pbmTarget) {
    const own = ctx.pkOfPbm(v);
    if (own !== undefined) v = own;
  }
  if (typeof v === 'string') {
    if (/^-?\d+$/.test(v)) return Number(v);
    return v.toLowerCase();
  }
  return v;
}

/** One field's value in the form the server would return it, for comparison only. */
export function normalizeField(info: ModelInfo | undefined, field: string, v: Json, ctx: NormalizeContext): Json {
  const fi = info?.fields[field];
  const ref = info?.references?.[field];
  const m2m = info?.manyToManyFields.includes(field) ?? false;
  if (ref || m2m) {
    const pbm = ref?.policyBindingTarget === true;
    if (Array.isArray(v)) {
      const items = v.map((x) => refValue(x, ctx, pbm));
      return uniqueSorted(items);
    }
    return refValue(v, ctx, pbm);
  }
  if (Array.isArray(v)) {
    return v.map((x) => (x !== null && typeof x === 'object' ? canonical(x) : scalarByType(fi?.items, x)));
  }
  if (v !== null && typeof v === 'object') return canonical(v);
  return scalarByType(fi, v);
}

function uniqueSorted(items: Json[]): Json[] {
  const seen = new Map<string, Json>();
  for (const x of items) seen.set(canonicalString(x), x);
  return [...seen.keys()].sort().map((k) => seen.get(k)!);
}

export function sameField(info: ModelInfo | undefined, field: string, desired: Json, live: Json | undefined, ctx: NormalizeContext): boolean {
  if (live === undefined) return false;
  return canonicalString(normalizeField(info, field, desired, ctx)) === canonicalString(normalizeField(info, field, live, ctx));
}

/** A live body with every secret field removed: what a plan may carry as `before`. */
export function redactBody(info: ModelInfo | undefined, body: JsonObject): JsonObject {
  const secret = new Set([...(info?.secretFields ?? []), ...(info?.writeOnlyFields ?? [])]);
  const out: JsonObject = {};
  for (const k of Object.keys(body).sort()) if (!secret.has(k)) out[k] = body[k]!;
  return out;
}
