// Reads what the server grants the roles a plan's permissions name (2024.8+ RBAC): each role's
// global and object permissions, and for users the managed role holding their own ones. Only
// roles and users the entries name are read, each once.
import type { CompiledEntry, DesiredValue, Diagnostic, Json, LiveObject, RbacSnapshot, ServerClient } from '../model/index.js';
import { ApiError } from '../model/index.js';
import type { Registry } from '../authentik/registry.js';
import { findModel } from '../authentik/registry.js';
import { diagnose } from '../diag/index.js';
import { mapLimit } from '../values/index.js';
import { managedRoleName, ROLE_MODEL, USER_MODEL } from '../live/index.js';
import { OBSERVE_CODES } from './codes.js';

type Resolve = (v: DesiredValue, key: string) => { ok: true; value: Json } | { ok: false };

/** Whether the entry may name roles or users whose permissions plan compares (what observeRbac looks at). */
export function mayGrant(e: CompiledEntry, registry: Registry): boolean {
  const info = findModel(registry, e.model);
  if (!info || e.state === 'absent') return false;
  return (e.permissions?.length ?? 0) > 0 || Object.keys(e.secrets).some((f) => info.blueprintOnlyFields[f]?.via === 'rbac');
}

export async function observeRbac(
  entries: readonly CompiledEntry[],
  client: ServerClient,
  registry: Registry,
  byKey: Map<string, LiveObject | null>,
  resolve: Resolve,
  diagnostics: Diagnostic[],
): Promise<RbacSnapshot | undefined> {
  const roles = new Set<string>();
  const users = new Set<string>();
  for (const e of entries) {
    const info = findModel(registry, e.model);
    if (!info || e.state === 'absent') continue;
    const live = byKey.get(e.key);
    const attrPerms = Object.keys(e.secrets).some((f) => info.blueprintOnlyFields[f]?.via === 'rbac');
    if (attrPerms && live) (info.model === USER_MODEL ? users : info.model === ROLE_MODEL ? roles : new Set<string>()).add(String(live.pk));
    for (const p of e.permissions ?? []) {
      for (const [kind, v] of [
        ['role', p.role],
        ['user', p.user],
      ] as const) {
        if (v === undefined) continue;
        const r = resolve(v, e.key);
        if (r.ok && r.value !== null && typeof r.value !== 'object') (kind === 'role' ? roles : users).add(String(r.value));
      }
    }
  }
  if (roles.size === 0 && users.size === 0) return undefined;
  const api = client.rbac;
  const snap: RbacSnapshot = { global: new Map(), object: new Map(), managedRoles: new Map() };
  if (!api) {
    diagnostics.push(diagnose(OBSERVE_CODES.listFailed, 'noRbac', {}));
    return snap;
  }
  const fail = (what: string, e: unknown) =>
    diagnostics.push(diagnose(OBSERVE_CODES.listFailed, 'readFailed', { what, why: e instanceof Error ? e.message : String(e) }));
  await mapLimit([...users], 4, async (u) => {
    try {
      const role = await api.managedRole(managedRoleName(u));
      snap.managedRoles.set(u, role);
      if (role) roles.add(role);
    } catch (e) {
      fail(`the managed role of user ${u}`, e);
    }
  });
  await mapLimit([...roles], 4, async (role) => {
    try {
      const [global, object] = await Promise.all([api.globalPermissions(role), api.objectPermissions(role)]);
      snap.global.set(role, global);
      snap.object.set(
        role,
        object.map((o) => `${o.permission} ${o.model} ${o.objectPk}`),
      );
    } catch (e) {
      // A role that does not exist holds nothing: plan reports the entry naming it.
      if (!(e instanceof ApiError && (e.status === 404 || e.status === 400))) fail(`the permissions of role ${role}`, e);
    }
  });
  return snap;
}
