// Records → response bodies, as authentik's serializers write them: stored fields, the pk under its
// response name, computed read-only fields (`*_obj` expansions, `component`, counts, names of
// related objects), and write-only fields never. Fields the sandbox cannot compute get the
// neutral value of their declared type so every body still matches the OpenAPI response schema.
import { createHash, randomUUID } from 'node:crypto';
import type { FieldInfo } from '../authentik/registry.js';
import type { Json, JsonObject } from '../model/types.js';
import type { ModelView, Schema } from './schema.js';
import type { Rec, Store } from './store.js';

export interface World {
  schema: Schema;
  store: Store;
  /**
   * Reverse lookups (bindings of a policy, application of a provider, …) kept for a batch of
   * reads with no write in between, so a list page builds each once instead of once per object.
   */
  memo?: Map<string, Map<Json, Rec[]>>;
}

/** A world whose reverse lookups are built once; only for reads (a write would make them stale). */
export function readOnlyWorld(w: World): World {
  return { schema: w.schema, store: w.store, memo: new Map() };
}

/**
 * Records of `model` whose `field` holds `pk` (as its value or in its list), in creation order.
 * The index behind it is built per call, or once per batch when the world has a memo.
 */
export function referringRecords(w: World, model: string, field: string, pk: Json): Rec[] {
  const memoKey = `${model}|${field}`;
  let index = w.memo?.get(memoKey);
  if (!index) {
    index = new Map();
    for (const r of w.store.all(model)) {
      const v = r.data[field];
      for (const k of Array.isArray(v) ? v : v === undefined ? [] : [v]) {
        const list = index.get(k);
        if (!list) index.set(k, [r]);
        else if (list[list.length - 1] !== r) list.push(r);
      }
    }
    w.memo?.set(memoKey, index);
  }
  return index.get(pk) ?? [];
}

/** `_obj` expansions stop at this depth, as authentik's nested serializers do after one level. */
const MAX_DEPTH = 2;

export function render(w: World, rec: Rec, depth = 0, props?: { [name: string]: FieldInfo }): JsonObject {
  const mv = w.schema.model(rec.model);
  if (!mv) return {};
  const names = props ? Object.keys(props) : mv.readable;
  const out: JsonObject = {};
  for (const name of names) {
    const fi = props?.[name] ?? mv.info.fields[name];
    if (!fi || fi.writeOnly) continue;
    const v = fieldValue(w, mv, rec, name, fi, depth);
    if (v !== undefined) out[name] = v;
  }
  return out;
}

/** The lookup value that goes into a detail path for this record. */
export function lookupValue(mv: ModelView, rec: Rec): string {
  const lf = mv.info.lookupField;
  if (!lf || lf === 'pk' || lf === mv.info.pkField) return String(rec.pk);
  return String(rec.data[lf] ?? rec.pk);
}

/** Display name authentik uses in `used_by` (its `str(obj)`). */
export function displayName(rec: Rec): string {
  for (const k of ['name', 'username', 'identifier', 'slug', 'field_key', 'domain']) {
    const v = rec.data[k];
    if (typeof v === 'string' && v) return v;
  }
  return String(rec.pk);
}

function fieldValue(w: World, mv: ModelView, rec: Rec, name: string, fi: FieldInfo, depth: number): Json | undefined {
  const info = mv.info;
  if (name === info.pkField || (name === 'pk' && !info.fields[info.pkField ?? 'pk'])) return rec.pk;
  if (name === 'pk' && info.pkField !== 'pk') return rec.pk;
  if (info.pbmField && name === info.pbmField) return rec.pbm ?? String(rec.pk);
  const ref = mv.refs[name];
  if (ref?.policyBindingTarget && typeof rec.data[name] === 'string') {
    const target = w.store.byPbmUuid(rec.data[name] as string);
    return target ? target.pk : (rec.data[name] as string);
  }
  if (Object.hasOwn(rec.data, name)) return rec.data[name] as Json;
  const c = computed(w, mv, rec, name, fi, depth);
  if (c !== undefined) return c;
  return neutral(fi, rec, name);
}

function computed(w: World, mv: ModelView, rec: Rec, name: string, fi: FieldInfo, depth: number): Json | undefined {
  const { store, schema } = w;
  switch (name) {
    case 'component':
      return mv.component;
    case 'verbose_name':
      return mv.info.verboseName;
    case 'verbose_name_plural':
      return mv.verbosePlural;
    case 'meta_model_name':
      return mv.name;
  }
  if (name.endsWith('_obj')) {
    const base = name.slice(0, -4);
    const ref = mv.refs[base];
    if (ref) {
      const raw = rec.data[base];
      // Nested schemas in the registry describe one level; deeper levels use the target model's own.
      const own = mv.info.fields[name];
      if (ref.many || fi.type === 'array') {
        if (depth >= MAX_DEPTH || !Array.isArray(raw)) return fi.nullable && depth >= MAX_DEPTH ? null : [];
        const out: Json[] = [];
        for (const pk of raw) {
          const t = findTarget(w, ref.targetModels, pk as string | number);
          if (t) out.push(render(w, t, depth + 1, fi.items?.properties ?? own?.items?.properties));
        }
        return out;
      }
      if (raw === null || raw === undefined || depth >= MAX_DEPTH) return null;
      const t = findTarget(w, ref.targetModels, raw as string | number);
      return t ? render(w, t, depth + 1, fi.properties ?? own?.properties) : null;
    }
  }
  const model = mv.info.modelName;
  if (fi.type === 'object' && !mv.refs[name] && (name === 'created_by' || name === 'user') && rec.creator !== undefined) {
    const u = store.get('authentik_core.user', rec.creator);
    if (u && depth < MAX_DEPTH) return render(w, u, depth + 1, fi.properties);
  }
  switch (name) {
    case 'is_superuser':
      if (model === 'user') return isSuperuser(w, rec);
      break;
    case 'uid':
      if (model === 'user') return createHash('sha256').update(`akbp-sandbox-${rec.pk}`).digest('hex');
      break;
    case 'avatar':
      return '/static/dist/assets/images/user_default.png';
    case 'parent_name': {
      // authentik serializes `parent.name`; DRF yields null when the parent is null.
      const p = typeof rec.data.parent === 'string' ? store.get('authentik_core.group', rec.data.parent) : undefined;
      return p ? ((p.data.name as string) ?? null) : null;
    }
    case 'bound_to':
      return countBindings(w, rec);
    case 'stages':
      if (model === 'flow') return flowBindings(w, rec).map((b) => b.data.stage as Json);
      break;
    case 'policies':
      if (model === 'flow')
        return bindingsOf(w, rec)
          .map((b) => b.data.policy)
          .filter((p): p is string => typeof p === 'string');
      break;
    case 'export_url':
      return `/api/v3/flows/instances/${String(rec.data.slug)}/export/`;
    case 'background':
    case 'background_url':
      return '/static/dist/assets/images/flow_background.jpg';
    case 'assigned_application_slug':
    case 'assigned_application_name':
    case 'assigned_backchannel_application_slug':
    case 'assigned_backchannel_application_name': {
      const app = name.includes('backchannel')
        ? referringRecords(w, 'authentik_core.application', 'backchannel_providers', rec.pk)[0]
        : referringRecords(w, 'authentik_core.application', 'provider', rec.pk)[0];
      if (!app) return fi.nullable || !schema.legacy ? null : '';
      return (name.endsWith('slug') ? app.data.slug : app.data.name) as Json;
    }
    case 'launch_url':
      return typeof rec.data.meta_launch_url === 'string' && rec.data.meta_launch_url ? rec.data.meta_launch_url : null;
    case 'token_identifier':
      return `ak-outpost-${rec.pk}-api`;
    case 'status':
      if (model === 'blueprintinstance') return 'unknown';
      break;
    case 'last_applied':
    case 'password_change_date':
    case 'date_joined':
    case 'created':
    case 'last_updated':
      return rec.created;
    case 'children':
      if (model === 'group') return referringRecords(w, mv.name, 'parents', rec.pk).map((g) => g.pk);
      break;
  }
  return undefined;
}

/** The neutral value of a declared type: what a field the sandbox does not model shows. */
export function neutral(fi: FieldInfo, rec?: Rec, name = ''): Json {
  if (fi.default !== undefined) return fi.default as Json;
  if (fi.nullable) return null;
  if (fi.enum && fi.enum.length) return fi.enum.find((e) => e !== null) ?? null;
  switch (fi.type) {
    case 'string':
      if (fi.format === 'uuid') return rec ? stableUuid(`${rec.model}:${rec.pk}:${name}`) : randomUUID();
      if (fi.format === 'date-time') return rec?.created ?? new Date().toISOString();
      if (fi.format === 'uri') return 'http://localhost/';
      if (fi.format === 'email') return 'system@authentik.local';
      // A constrained string (slug, username, minimum length) gets a value its pattern accepts.
      if ((fi.minLength ?? 0) > 0 || (fi.pattern && !safeTest(fi.pattern, ''))) return 'default';
      return '';
    case 'integer':
    case 'number':
      return NAMED_NUMBER_DEFAULTS[name] ?? 0;
    case 'boolean':
      return false;
    case 'array':
      return [];
    case 'object': {
      const o: JsonObject = {};
      for (const k of fi.required ?? []) {
        const p = fi.properties?.[k];
        if (p) o[k] = neutral(p, rec, `${name}.${k}`);
      }
      return o;
    }
    default:
      return null;
  }
}

export function findTarget(w: World, models: string[], pk: string | number): Rec | undefined {
  for (const m of models) {
    const r = w.store.get(m, pk);
    if (r && !r.hidden) return r;
  }
  return undefined;
}

/** A user's groups and all their ancestors (`parent` in 2023.6, `parents` later), as authentik's all_groups(). */
export function memberGroups(w: World, user: Rec): Rec[] {
  const seen = new Set<Rec>();
  const queue = [...((Array.isArray(user.data.groups) ? user.data.groups : []) as Json[])];
  while (queue.length) {
    const g = w.store.get('authentik_core.group', queue.shift() as string);
    if (!g || seen.has(g)) continue;
    seen.add(g);
    if (typeof g.data.parent === 'string') queue.push(g.data.parent);
    if (Array.isArray(g.data.parents)) queue.push(...g.data.parents);
  }
  return [...seen];
}

export function isSuperuser(w: World, user: Rec): boolean {
  return memberGroups(w, user).some((g) => g.data.is_superuser === true);
}

function bindingsOf(w: World, target: Rec): Rec[] {
  return target.pbm ? referringRecords(w, 'authentik_policies.policybinding', 'target', target.pbm) : [];
}

function countBindings(w: World, policy: Rec): number {
  return referringRecords(w, 'authentik_policies.policybinding', 'policy', policy.pk).length;
}

function flowBindings(w: World, flow: Rec): Rec[] {
  return [...referringRecords(w, 'authentik_flows.flowstagebinding', 'target', flow.pk)].sort(
    (a, b) => Number(a.data.order) - Number(b.data.order) || a.seq - b.seq,
  );
}

/** A uuid4-shaped id derived from a seed, so an unmodelled uuid field reads the same on every GET. */
function stableUuid(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** authentik's model defaults for numeric fields whose schema forbids 0. */
const NAMED_NUMBER_DEFAULTS: { [field: string]: number } = { sync_page_size: 100 };

function safeTest(pattern: string, v: string): boolean {
  try {
    return new RegExp(pattern.replace(/\\Z$/, '$')).test(v);
  } catch {
    return true;
  }
}
