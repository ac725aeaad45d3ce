// Creating and updating records: pks of the right kind, model defaults for omitted fields, values
// authentik generates itself (OAuth2 client credentials, group num_pk, user uuid), PUT resets of
// serializer defaults, and both ends of two-sided memberships kept in step.
import { randomBytes, randomUUID } from 'node:crypto';
import type { Json, JsonObject } from '../model/types.js';
import type { ModelInfo } from '../authentik/registry.js';
import { neutral, type World } from './render.js';
import type { ModelView } from './schema.js';
import type { Rec } from './store.js';

/** Model defaults the OpenAPI document does not state (authentik's model field defaults). */
/**
 * Django model defaults the OpenAPI document does not state, shared by whole families: without
 * them a new source would be disabled and a binding model's engine mode would be the first enum
 * value ('all') instead of authentik's 'any'.
 */
function familyDefault(info: ModelInfo, field: string): Json | undefined {
  if (field === 'policy_engine_mode' && info.isPolicyBindingModel) return 'any';
  if (info.polymorphicFamily === 'sources') {
    if (field === 'enabled') return true;
    if (field === 'user_matching_mode') return 'identifier';
  }
  if (info.model === 'authentik_providers_saml.samlprovider') {
    if (field === 'digest_algorithm') return 'http://www.w3.org/2001/04/xmlenc#sha256';
    if (field === 'signature_algorithm') return 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
  }
  if (info.model === 'authentik_providers_ldap.ldapprovider') {
    if (field === 'uid_start_number') return 2000;
    if (field === 'gid_start_number') return 4000;
    if (field === 'base_dn') return 'DC=ldap,DC=goauthentik,DC=io';
    if (field === 'mfa_support') return true;
  }
  return undefined;
}

const MODEL_DEFAULTS: { [model: string]: { [field: string]: () => Json } } = {
  'authentik_core.token': { intent: () => 'api', expiring: () => true, expires: () => new Date(Date.now() + 30 * 60_000).toISOString(), description: () => '' },
  'authentik_core.user': { is_active: () => true, path: () => 'users', attributes: () => ({}), name: () => '', email: () => '' },
  'authentik_core.group': { is_superuser: () => false, attributes: () => ({}) },
  'authentik_core.application': {
    policy_engine_mode: () => 'any',
    open_in_new_tab: () => false,
    meta_launch_url: () => '',
    meta_description: () => '',
    meta_publisher: () => '',
    group: () => '',
  },
  'authentik_flows.flow': {
    policy_engine_mode: () => 'any',
    compatibility_mode: () => false,
    denied_action: () => 'message_continue',
    layout: () => 'stacked',
  },
  'authentik_flows.flowstagebinding': {
    evaluate_on_plan: () => false,
    re_evaluate_policies: () => true,
    policy_engine_mode: () => 'any',
    invalid_response_action: () => 'retry',
  },
  'authentik_policies.policybinding': { enabled: () => true, negate: () => false, timeout: () => 30 },
  'authentik_blueprints.blueprintinstance': { enabled: () => true, path: () => '', content: () => '', context: () => ({}) },
  'authentik_providers_oauth2.oauth2provider': {
    client_type: () => 'confidential',
    client_id: () => randomBytes(30).toString('base64url').slice(0, 40),
    client_secret: () => randomBytes(96).toString('base64url').slice(0, 128),
    access_code_validity: () => 'minutes=1',
    access_token_validity: () => 'minutes=5',
    refresh_token_validity: () => 'days=30',
    include_claims_in_id_token: () => true,
    sub_mode: () => 'hashed_user_id',
    issuer_mode: () => 'per_provider',
  },
};

/** Serializer defaults DRF re-applies on PUT when the field is omitted (API-NOTES §6). */
const PUT_RESETS: { [model: string]: { [field: string]: () => Json } } = {
  'authentik_core.user': { groups: () => [] },
};

function newPk(w: World, mv: ModelView): string | number {
  if (mv.info.pkType === 'integer') return w.store.nextCounter(mv.counterKey);
  return randomUUID();
}

export function buildRecord(w: World, mv: ModelView, values: JsonObject, callerPk: string | number | undefined): Rec {
  const now = new Date().toISOString();
  const pk = newPk(w, mv);
  const rec: Rec = { model: mv.name, pk, seq: w.store.nextSeq(), created: now, data: {}, secret: {} };
  if (callerPk !== undefined) rec.creator = callerPk;
  if (mv.info.isPolicyBindingModel) rec.pbm = mv.separatePbm ? randomUUID() : String(pk);
  const defaults = MODEL_DEFAULTS[mv.name] ?? {};
  for (const f of mv.writable) {
    if (Object.hasOwn(values, f)) {
      rec.data[f] = values[f]!;
      continue;
    }
    const fi = mv.info.fields[f]!;
    const ref = mv.refs[f];
    const shared = defaults[f] ? undefined : familyDefault(mv.info, f);
    if (defaults[f]) rec.data[f] = defaults[f]!();
    else if (shared !== undefined) rec.data[f] = shared;
    else if (fi.default !== undefined) rec.data[f] = structuredClone(fi.default) as Json;
    else if (ref) rec.data[f] = ref.many ? [] : null;
    else rec.data[f] = neutral(fi, undefined, f);
  }
  if (mv.name === 'authentik_core.token' && !Object.hasOwn(values, 'user') && callerPk !== undefined) {
    rec.data.user = callerPk;
  }
  if (mv.name === 'authentik_core.token') rec.secret.key = randomBytes(48).toString('base64url');
  if (mv.name === 'authentik_core.user') {
    rec.data.uuid = randomUUID();
    rec.secret.password = '!';
  }
  if (mv.name === 'authentik_core.group' && mv.info.fields.num_pk) rec.data.num_pk = w.store.nextCounter('group:num_pk');
  return rec;
}

export function applyUpdate(mv: ModelView, rec: Rec, values: JsonObject, put: boolean): void {
  for (const [f, v] of Object.entries(values)) rec.data[f] = v;
  if (!put) return;
  const omitted = (f: string) => !(f in values) && mv.writable.includes(f);
  for (const [f, make] of Object.entries(PUT_RESETS[mv.name] ?? {})) if (omitted(f)) rec.data[f] = make();
  for (const f of mv.writable) {
    const d = mv.info.fields[f]!.default;
    if (omitted(f) && d !== undefined) rec.data[f] = structuredClone(d) as Json;
  }
  // DRF gives a nullable unique-together member without a model default `default=None`, so a PUT
  // that omits it clears it: a group's `parent` (2023.6), a policy binding's `policy`.
  for (const set of mv.info.uniqueTogether) {
    for (const f of set) {
      const fi = mv.info.fields[f];
      if (fi?.nullable && fi.default === undefined && omitted(f)) rec.data[f] = null;
    }
  }
}

/** After `rec.data[field]` changed, make the other end of a two-sided membership agree. */
export function syncMirrors(w: World, mv: ModelView, rec: Rec, fields: string[]): void {
  // `backchannel_providers` is the reverse side of a provider's one `backchannel_application`:
  // an application claiming a provider takes it from whichever application had it.
  if (mv.name === 'authentik_core.application' && fields.includes('backchannel_providers')) {
    const claimed = new Set((Array.isArray(rec.data.backchannel_providers) ? rec.data.backchannel_providers : []).map((x) => String(x)));
    for (const o of w.store.all(mv.name)) {
      if (o === rec || !Array.isArray(o.data.backchannel_providers)) continue;
      const kept = o.data.backchannel_providers.filter((x) => !claimed.has(String(x)));
      if (kept.length !== o.data.backchannel_providers.length) o.data.backchannel_providers = kept;
    }
  }
  for (const f of fields) {
    const m = mv.mirror[f];
    if (!m) continue;
    const want = new Set((Array.isArray(rec.data[f]) ? rec.data[f] : []) as Json[]);
    for (const o of w.store.all(m.model)) {
      const cur = Array.isArray(o.data[m.field]) ? (o.data[m.field] as Json[]) : [];
      const has = cur.includes(rec.pk);
      if (want.has(o.pk) && !has) o.data[m.field] = [...cur, rec.pk];
      else if (!want.has(o.pk) && has) o.data[m.field] = cur.filter((x) => x !== rec.pk);
    }
  }
}
