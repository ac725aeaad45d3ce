// authentik's permissions (2024.8+): user/role `permissions` attrs (global permissions) and an
// entry's `permissions` (object permissions on the entry's object for a user or a role). The
// importer only ever adds them (guardian `assign_perm`, later `Role.assign_perms`): one not
// listed is never revoked, so the plan shows only the grants the server lacks. Since 2025.10 a
// user holds permissions through its managed role (`ak-managed-role--user-<pk>`), which the
// RBAC endpoints can extend but no endpoint creates.
import type { Change, CompiledEntry, DesiredValue, Diagnostic, FieldChange, Json, LiveObject, ModelName, RbacSnapshot } from '../model/types.js';
import type { ModelInfo } from '../authentik/registry.js';
import { diag, msg } from '../diag/index.js';
import { describeDeferred, escapePointer, isDeferred, resolveDeferred, type DeferredResolver } from '../values/index.js';
import { ROLE_MODEL, USER_MODEL, type ObjectIndex } from '../live/index.js';

export { managedRoleName, ROLE_MODEL, USER_MODEL } from '../live/index.js';
import { PLAN_CODES } from './codes.js';

/** `app_label.codename`; a bare codename belongs to the object's own app, as guardian reads it. */
export function qualifyPermission(perm: string, appLabel: string): string {
  return perm.includes('.') ? perm : `${appLabel}.${perm}`;
}

/** A grant as a plan FieldChange: `/permission <app.codename>[ for <role|user> <name>]`. */
export interface Grant {
  permission: string;
  /** Global: the entry's own role, or its user's managed role. */
  global: boolean;
  kind?: 'role' | 'user';
  subject?: DesiredValue;
}

const PREFIX = '/permission ';

export function isGrantPath(path: string): boolean {
  return path.startsWith(PREFIX);
}

/** The grant a FieldChange made by `planPermissions` carries, or undefined for other changes. */
export function grantOf(fc: FieldChange): Grant | undefined {
  if (!isGrantPath(fc.path) || fc.op !== 'add') return undefined;
  const permission = fc.path.slice(PREFIX.length).split(' ')[0]!;
  if (fc.after === 'global') return { permission, global: true };
  const a = fc.after;
  if (a === null || typeof a !== 'object' || Array.isArray(a) || isDeferred(a)) return undefined;
  if ('role' in a) return { permission, global: false, kind: 'role', subject: a.role! };
  if ('user' in a) return { permission, global: false, kind: 'user', subject: a.user! };
  return undefined;
}

/**
 * `state: created` on an existing object: never saved (so user/role `permissions` attrs, which the
 * serializer's save assigns, are not), but authentik (2023.10+) records the object and still
 * applies the entry's `permissions`: those grants alone make an update.
 */
export function createdExisting(base: Omit<Change, 'action' | 'reason' | 'patch'>, extras: FieldChange[]): Change {
  const grants = extras.filter((fc) => grantOf(fc)?.global === false);
  if (!grants.length) return { ...base, action: 'noop', reason: 'state created: the object exists, never updated', patch: [] };
  return { ...base, action: 'update', reason: 'state created: the object exists, never updated; its permissions are granted', patch: grants, after: {} };
}

export interface PermissionsInput {
  entry: CompiledEntry;
  info: ModelInfo;
  live: LiveObject | null;
  creating: boolean;
  rbac: RbacSnapshot | undefined;
  resolver: DeferredResolver;
  /** The objects read, for readable names of roles and users. */
  index?: ObjectIndex;
}

function nameOf(index: ObjectIndex | undefined, model: ModelName, pk: Json): string | undefined {
  const body = index?.has(model) ? index.byPk(model, pk)?.body : undefined;
  const n = model === USER_MODEL ? body?.username : body?.name;
  return typeof n === 'string' ? n : undefined;
}

export function planPermissions(x: PermissionsInput): { changes: FieldChange[]; reasons: string[]; diagnostics: Diagnostic[] } {
  const out = { changes: [] as FieldChange[], reasons: [] as string[], diagnostics: [] as Diagnostic[] };
  const { entry: e, info } = x;
  if (e.state === 'absent') return out;
  const at = (range = e.origin.range, field?: string) => ({ entry: e.key, subject: (field && e.origin.fields[field]) || range });
  const held = (role: string | undefined, key: string, map: 'global' | 'object'): boolean =>
    role !== undefined && (x.rbac?.[map].get(role) ?? []).includes(key);
  const managed = (userPk: Json): string | null | undefined => x.rbac?.managedRoles.get(String(userPk));
  let added = 0;

  for (const field of Object.keys(e.secrets).sort()) {
    if (info.blueprintOnlyFields[field]?.via !== 'rbac') continue;
    const r = resolveDeferred(e.secrets[field]!.value, x.resolver, e.key);
    if (!r.ok) {
      out.diagnostics.push(
        diag(PLAN_CODES.unresolved, msg(PLAN_CODES.unresolved, 'cannotComputedBefore', { field }), { ...at(undefined, field), detail: r.missing.join('; ') }),
      );
      continue;
    }
    const list = r.value;
    const bad = Array.isArray(list) ? list.find((p) => typeof p !== 'string' || !/^[a-z0-9_]+\.[a-z0-9_]+$/i.test(p)) : list;
    if (!Array.isArray(list) || bad !== undefined) {
      out.diagnostics.push(
        diag(PLAN_CODES.permissionInvalid, msg(PLAN_CODES.permissionInvalid, 'notPermission', { field, value: JSON.stringify(bad ?? null) }), {
          ...at(undefined, field),
          detail: msg(PLAN_CODES.permissionInvalid, 'notPermissionDetail', {}),
        }),
      );
      continue;
    }
    let role: string | undefined;
    if (info.model === USER_MODEL && x.live) {
      const m = managed(x.live.pk);
      if (!m) {
        out.diagnostics.push(noManagedRole(e.key, at(undefined, field), field));
        continue;
      }
      role = m;
    } else if (info.model === USER_MODEL) {
      out.diagnostics.push(noManagedRole(e.key, at(undefined, field), field));
      continue;
    } else if (x.live) role = String(x.live.pk);
    for (const p of [...new Set(list as string[])].sort()) {
      if (!x.creating && held(role, p, 'global')) continue;
      out.changes.push({ path: `${PREFIX}${p}`, op: 'add', after: 'global' });
      added++;
    }
  }

  for (const p of e.permissions ?? []) {
    const perm = resolveDeferred(p.permission, x.resolver, e.key);
    if (!perm.ok || typeof perm.value !== 'string' || perm.value === '') {
      out.diagnostics.push(
        diag(
          PLAN_CODES.permissionInvalid,
          msg(PLAN_CODES.permissionInvalid, 'permissionNotPermission', {
            permission: perm.ok ? JSON.stringify(perm.value) : 'cannot be computed before apply',
          }),
          {
            ...at(p.range),
            detail: msg(PLAN_CODES.permissionInvalid, 'permissionNotPermissionDetail', {}),
          },
        ),
      );
      continue;
    }
    const permission = qualifyPermission(perm.value, info.appLabel);
    for (const kind of ['role', 'user'] as const) {
      const raw = p[kind];
      if (raw === undefined || raw === null) continue;
      const r = resolveDeferred(raw, x.resolver, e.key);
      const subject: DesiredValue = r.ok ? r.value : raw;
      let role: string | undefined;
      if (r.ok) {
        if (kind === 'role') {
          role = String(r.value);
          if (x.rbac && !x.rbac.global.has(role)) {
            out.diagnostics.push(
              diag(PLAN_CODES.permissionSubjectMissing, msg(PLAN_CODES.permissionSubjectMissing, 'permissionRoleDoes', { permission, role }), {
                ...at(p.range),
                detail: msg(PLAN_CODES.permissionSubjectMissing, 'permissionRoleDoesDetail', {}),
              }),
            );
            continue;
          }
        } else {
          const m = managed(r.value as Json);
          if (!m) {
            out.diagnostics.push(noManagedRole(e.key, at(p.range), `permission ${permission}`));
            continue;
          }
          role = m;
        }
      } else if (kind === 'user') {
        // A user this run creates has no managed role yet, and the REST API cannot create one.
        out.diagnostics.push(noManagedRole(e.key, at(p.range), `permission ${permission}`));
        continue;
      }
      const objectKey = x.live ? `${permission} ${info.model} ${String(x.live.pk)}` : undefined;
      if (!x.creating && objectKey && held(role, objectKey, 'object')) continue;
      const label = r.ok
        ? (nameOf(x.index, kind === 'role' ? ROLE_MODEL : USER_MODEL, r.value as Json) ?? String(r.value))
        : isDeferred(raw)
          ? describeDeferred(raw)
          : '(known after apply)';
      out.changes.push({ path: `${PREFIX}${permission} for ${kind} ${escapePointer(label)}`, op: 'add', after: { [kind]: subject } });
      added++;
    }
  }
  if (added) out.reasons.push(`grants ${added} permission${added === 1 ? '' : 's'}`);
  return out;
}

function noManagedRole(entry: string, where: { entry: string; subject: Diagnostic['subject'] }, what: string): Diagnostic {
  return diag(PLAN_CODES.userPermissions, msg(PLAN_CODES.userPermissions, 'userNoManaged', { what }), {
    ...where,
    entry,
    detail: msg(PLAN_CODES.userPermissions, 'userNoManagedDetail', {}),
  });
}
