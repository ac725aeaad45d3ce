// Turns the plan's blueprint-only / secret FieldChanges into writes. Secret values never travel in
// the plan: they come from the re-compiled entries, and must hash to the digest the plan recorded.
import type { Change, CompiledEntry, Diagnostic, Json, JsonObject, LiveObject, PermissionAssignment, ServerAction, ServerClient } from '../model/index.js';
import type { ModelInfo } from '../authentik/registry.js';
import { diag, msg } from '../diag/index.js';
import { extraSpec, grantOf, isGrantPath, managedRoleName, ROLE_MODEL, secretText, type Grant, type SensitiveFieldChange } from '../plan/index.js';
import { unescapePointer } from '../values/index.js';
import { APPLY_CODES } from './codes.js';
import type { ApplyWorld } from './world.js';
import { mayHaveLanded, who } from './diagnostics.js';
import type { Undo } from './rollback.js';

export interface ExtraWrite {
  field: string;
  /** Set in the create/patch body. */
  bodyField?: string;
  action?: Exclude<ServerAction, 'view_key' | 'apply'>;
  value: Json;
  /** Recorded in state after the write succeeds (secrets and unreadable values). */
  digest?: string;
}

const ACTION_BODY: { [a: string]: string } = { set_password: 'password', set_key: 'key', set_icon_url: 'url', set_background_url: 'url' };

export function actionPayload(w: ExtraWrite): JsonObject {
  return { [ACTION_BODY[w.action!]!]: w.value };
}

export function isExtraChange(fc: SensitiveFieldChange, entry: CompiledEntry | undefined): boolean {
  const f = unescapePointer(fc.path.slice(1));
  return fc.sensitive === true || isGrantPath(fc.path) || (entry !== undefined && f in entry.secrets);
}

/**
 * Grants the change's permissions through the RBAC assign endpoint once its object exists: the
 * global ones to the role itself (or the user's managed role), object ones on this object. The
 * endpoint only adds, as the importer does. Throws the server's error (400: unknown permission).
 * Each assign is preceded by a read of what the role holds in that scope, so rollback takes back
 * only what this run added (unassign), never a permission the role held before.
 */
export async function applyGrants(
  c: Change,
  obj: LiveObject,
  client: ServerClient,
  world: ApplyWorld,
  counted: <T>(p: () => Promise<T>) => Promise<T>,
  undoable: (u: Undo) => void,
  label: () => string,
): Promise<void> {
  const grants = c.patch.map(grantOf).filter((g): g is Grant => g !== undefined);
  if (!grants.length) return;
  const shown = label();
  const api = client.rbac;
  if (!api) throw new Error(`${who(c)}: this client cannot reach authentik's RBAC endpoints`);
  // One read per user, however many of its permissions the change grants.
  const roles = new Map<string, Promise<string | null>>();
  const managed = async (user: Json): Promise<string> => {
    const name = managedRoleName(String(user));
    if (!roles.has(name)) roles.set(name, api.managedRole(name));
    const role = await roles.get(name)!;
    if (!role) throw new Error(`${who(c)}: user ${String(user)} has no managed role to hold permissions (only authentik itself creates one)`);
    return role;
  };
  // One assign per (role, scope): the endpoint takes a list.
  const batches = new Map<string, { role: string; global: boolean; permissions: string[] }>();
  for (const g of grants) {
    let role: string;
    if (g.global) role = c.model === ROLE_MODEL ? String(obj.pk) : await managed(obj.pk);
    else {
      await world.prepare(g.subject!);
      const r = world.resolve(g.subject!, c.key);
      if (!r.ok) throw new Error(`${who(c)}: the ${g.kind} of permission ${g.permission} could not be computed: ${r.why}`);
      role = g.kind === 'role' ? String(r.value) : await managed(r.value);
    }
    const k = `${role}|${g.global}`;
    const b = batches.get(k) ?? { role, global: g.global, permissions: [] };
    b.permissions.push(g.permission);
    batches.set(k, b);
  }
  for (const b of batches.values()) {
    const a: PermissionAssignment = b.global ? { permissions: b.permissions } : { permissions: b.permissions, model: c.model, object_pk: String(obj.pk) };
    const held = new Set(
      b.global
        ? await api.globalPermissions(b.role)
        : (await api.objectPermissions(b.role)).filter((p) => p.model === a.model && p.objectPk === a.object_pk).map((p) => p.permission),
    );
    const added = [...new Set(b.permissions)].filter((p) => !held.has(p));
    const back: Undo = { kind: 'unassign', change: c, pk: obj.pk, role: b.role, assignment: { ...a, permissions: added }, label: shown };
    try {
      await counted(() => api.assign(b.role, a));
    } catch (e) {
      if (added.length && mayHaveLanded(e)) undoable(back);
      throw e;
    }
    if (added.length) undoable(back);
  }
}

export { unescapePointer };

export async function extraWrites(
  change: Change,
  entry: CompiledEntry | undefined,
  info: ModelInfo,
  world: ApplyWorld,
  digest: (entryKey: string, field: string, value: string) => string,
): Promise<{ writes: ExtraWrite[] } | { error: Diagnostic }> {
  const writes: ExtraWrite[] = [];
  for (const fc of change.patch as SensitiveFieldChange[]) {
    if (!isExtraChange(fc, entry) || isGrantPath(fc.path)) continue;
    const field = unescapePointer(fc.path.slice(1));
    const subject = entry?.origin.fields[field] ?? entry?.origin.range;
    const at = { entry: change.key, ...(subject ? { subject } : {}) };
    const source = entry?.secrets[field]?.value ?? entry?.attrs[field];
    const raw = fc.sensitive ? source : (fc.after ?? source);
    if (raw === undefined) {
      return { error: diag(APPLY_CODES.secretMissing, msg(APPLY_CODES.secretMissing, 'missing', { key: change.key, field }), at) };
    }
    await world.prepare(raw);
    const r = world.resolve(raw, change.key);
    if (!r.ok) return { error: diag(APPLY_CODES.unresolved, msg(APPLY_CODES.unresolved, 'extraField', { key: change.key, field, why: r.why }), at) };
    const spec = extraSpec(info, field, fc.sensitive === true);
    if (spec === 'unsupported') continue;
    const d = digest(change.key, field, secretText(r.value));
    if (fc.sensitive && fc.digest !== undefined && fc.digest !== d) {
      return { error: diag(APPLY_CODES.secretChanged, msg(APPLY_CODES.secretChanged, 'notPlanned', { key: change.key, field }), at) };
    }
    const w: ExtraWrite = { field, value: r.value, digest: d };
    if (spec.via === 'body') w.bodyField = spec.bodyField;
    else w.action = spec.via;
    writes.push(w);
  }
  return { writes };
}
