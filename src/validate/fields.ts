// Field-name knowledge the rules share: which names a model's serializer accepts in a blueprint,
// which names its ORM lookups accept, and the closest known name for a hint.
import type { ModelInfo, Registry } from '../authentik/registry.js';
import { writableFields } from '../authentik/blueprint-schema.js';
import type { Diagnostic, Severity } from '../model/types.js';

/**
 * `--lenient`: a field the model does not know is a warning, as authentik (which drops it) would
 * have it, instead of the error a review tool reports by default — a typo silently does nothing.
 */
export function lenientUnknownFields(ds: Diagnostic[]): Diagnostic[] {
  return ds.map((d) => (d.code === 'AKB2004' && d.severity === 'error' ? { ...d, severity: 'warning' } : d));
}

/**
 * An unknown field within two edits of a known one (`nmae`, `slgu`) is a typo: an error, since
 * authentik would drop it silently and the blueprint would quietly do less than it says. Other
 * unknown fields are most often fields of another authentik release (authentik's own shipped
 * blueprints carry several, e.g. `consumer_secret_ref`, `prompt_type`): a warning, as before.
 */
export function unknownFieldSeverity(key: string, nearMatch: string | undefined): Severity {
  return nearMatch !== undefined && editDistance(key.toLowerCase(), nearMatch.toLowerCase()) <= 2 ? 'error' : 'warning';
}

/** `2023.6` → 202306, for "since" comparisons. */
export function versionNumber(v: string): number {
  const [y = 0, m = 0] = v.split('.').map((p) => Number.parseInt(p, 10));
  return y * 100 + m;
}

/**
 * Blueprint-only fields of BLUEPRINT-SEMANTICS.md §8, by the release that introduced them. The
 * registry lists them too; this table covers registries built from a server's schema, whose facts
 * may lag behind.
 */
const BLUEPRINT_ONLY: { model: RegExp; field: string; since: number }[] = [
  { model: /^authentik_core\.token$/, field: 'key', since: 202304 },
  { model: /^authentik_core\.application$/, field: 'icon', since: 202305 },
  { model: /^authentik_sources_(oauth\.oauthsource|saml\.samlsource|plex\.plexsource)$/, field: 'icon', since: 202305 },
  { model: /^authentik_flows\.flow$/, field: 'background', since: 202305 },
  { model: /^authentik_core\.user$/, field: 'password', since: 202306 },
  { model: /^authentik_core\.user$|^authentik_rbac\.role$/, field: 'permissions', since: 202408 },
  { model: /^authentik_stages_invitation\.invitation$/, field: 'created_by', since: 202512 },
  { model: /^authentik_endpoints_connectors_agent\.enrollmenttoken$/, field: 'key', since: 202508 },
  { model: /^authentik_core\.user$/, field: 'password_hash', since: 202605 },
];

const writableCache = new WeakMap<ModelInfo, Set<string>>();

/** Attribute names the blueprint serializer of this version accepts for the model. */
export function acceptedAttrs(reg: Registry, m: ModelInfo): Set<string> {
  let s = writableCache.get(m);
  if (s) return s;
  s = new Set(writableFields(m));
  const v = versionNumber(reg.version);
  for (const b of BLUEPRINT_ONLY) if (v >= b.since && b.model.test(m.model)) s.add(b.field);
  writableCache.set(m, s);
  return s;
}

const lookupCache = new WeakMap<ModelInfo, Set<string>>();

/**
 * Names an ORM filter on the model accepts as a first lookup segment. The API shows serializer
 * fields only, so model fields it hides (`uuid`, `pbm_uuid`) come from uniqueness, search and
 * filter facts; computed serializer fields are accepted too rather than risk a false error.
 */
export function lookupFields(m: ModelInfo): Set<string> {
  let s = lookupCache.get(m);
  if (s) return s;
  s = new Set(['pk', ...Object.keys(m.fields), ...m.uniqueFields, ...m.uniqueTogether.flat(), ...m.searchFields]);
  for (const f of m.listFilters) if (!f.generic) s.add(f.name);
  for (const k of Object.keys(m.blueprintOnlyFields)) s.add(k);
  if (m.pkField) s.add(m.pkField);
  // Django's implicit auto field; models with a uuid primary key declare their own instead.
  if (m.pkType === 'integer') s.add('id');
  if (m.pbmField) s.add(m.pbmField);
  if (m.isPolicyBindingModel) s.add('pbm_uuid');
  lookupCache.set(m, s);
  return s;
}

/** True when the registry knows nothing of the model's fields (a model without a REST mapping). */
export function fieldsUnknown(m: ModelInfo): boolean {
  return m.kind === 'model' && Object.keys(m.fields).length === 0;
}

/** Django lookup `rel__slug` / `name__iexact` → its first segment `rel` / `name`. */
export function lookupHead(key: string): string {
  const i = key.indexOf('__');
  return i < 0 ? key : key.slice(0, i);
}

function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}

/** Closest candidate within a distance that still looks like a typo, ties broken by name. */
export function closest(name: string, candidates: Iterable<string>): string | undefined {
  const limit = Math.max(2, Math.floor(name.length / 3));
  let best: string | undefined;
  let bestD = Infinity;
  const lower = name.toLowerCase();
  for (const c of candidates) {
    const d = editDistance(lower, c.toLowerCase());
    if (d < bestD || (d === bestD && best !== undefined && c < best)) {
      best = c;
      bestD = d;
    }
  }
  return bestD <= limit ? best : undefined;
}
