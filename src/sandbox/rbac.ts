// authentik's RBAC permission endpoints (2024.8+; as in 2026.5, where roles hold every
// permission): the permission catalogue, a role's global and object permissions, the
// assigned-by-roles listing per object, and assign/unassign. Assignments live in the store as
// records of a model no route serves, so they persist with the state file.
import type { HttpResponse } from '../model/ports.js';
import type { Json, JsonObject } from '../model/types.js';
import type { Registry } from '../authentik/registry.js';
import { paginate, type PageOpts } from './query.js';
import type { World } from './render.js';
import type { Rec } from './store.js';

const ASSIGNMENT = 'akbp_sandbox.rolepermission';
const ROLE = 'authentik_rbac.role';

/** Routes below /api/v3 this module answers, with their methods. */
export const RBAC_ROUTES: [path: string, name: RbacRouteName, methods: string[]][] = [
  ['/rbac/permissions/', 'permissions', ['GET']],
  ['/rbac/permissions/{id}/', 'permission', ['GET']],
  ['/rbac/permissions/roles/', 'role-object-permissions', ['GET']],
  ['/rbac/permissions/assigned_by_roles/', 'assigned-by-roles', ['GET']],
  ['/rbac/permissions/assigned_by_roles/{uuid}/assign/', 'assign', ['POST']],
  ['/rbac/permissions/assigned_by_roles/{uuid}/unassign/', 'unassign', ['PATCH']],
];

export type RbacRouteName = 'permissions' | 'permission' | 'role-object-permissions' | 'assigned-by-roles' | 'assign' | 'unassign';

/** Whether this registry's server has the endpoints (roles exist since 2023.10). */
export function hasRbac(reg: Registry): boolean {
  return reg.models[ROLE] !== undefined && reg.entryPermissions;
}

interface Permission {
  id: number;
  appLabel: string;
  model: string;
  codename: string;
  name: string;
}

// Permissions Django's defaults do not derive from the models (Meta.permissions in authentik).
const CUSTOM: [app: string, model: string, codename: string, name: string][] = [
  ['authentik_rbac', 'role', 'assign_role_permissions', 'Can assign permissions to roles'],
  ['authentik_rbac', 'role', 'unassign_role_permissions', 'Can unassign permissions from roles'],
  ['authentik_rbac', 'systempermission', 'view_system_info', 'Can view system info'],
  ['authentik_rbac', 'systempermission', 'view_system_tasks', 'Can view system tasks'],
  ['authentik_rbac', 'systempermission', 'view_user_directory', 'Can view users in the user directory'],
  ['authentik_rbac', 'systempermission', 'run_system_tasks', 'Can run system tasks'],
  ['authentik_rbac', 'systempermission', 'access_admin_interface', 'Can access admin interface'],
  ['authentik_rbac', 'systempermission', 'view_system_settings', 'Can view system settings'],
  ['authentik_rbac', 'systempermission', 'edit_system_settings', 'Can edit system settings'],
  ['authentik_core', 'user', 'reset_user_password', 'Reset Password'],
  ['authentik_core', 'user', 'impersonate', 'Can impersonate other users'],
  ['authentik_core', 'token', 'view_token_key', 'View token key'],
  // Granted by 2026.5's shipped default/rbac-role-agents.yaml.
  ['authentik_agents', 'agent', 'add_agent_self_service', 'Can create agents for themselves'],
];

const catalogues = new WeakMap<Registry, Permission[]>();

/** Django's four default permissions of every concrete model, plus authentik's own ones. */
function catalogue(reg: Registry): Permission[] {
  let list = catalogues.get(reg);
  if (list) return list;
  const rows: Omit<Permission, 'id'>[] = [];
  for (const m of Object.values(reg.models)) {
    if (m.kind !== 'model') continue;
    for (const action of ['add', 'change', 'delete', 'view']) {
      rows.push({ appLabel: m.appLabel, model: m.modelName, codename: `${action}_${m.modelName}`, name: `Can ${action} ${m.verboseName}` });
    }
  }
  for (const [appLabel, model, codename, name] of CUSTOM) rows.push({ appLabel, model, codename, name });
  rows.sort((a, b) => (a.appLabel + a.codename < b.appLabel + b.codename ? -1 : 1));
  list = rows.map((r, i) => ({ ...r, id: i + 1 }));
  catalogues.set(reg, list);
  return list;
}

function show(p: Permission): JsonObject {
  return {
    id: p.id,
    name: p.name,
    codename: p.codename,
    model: p.model,
    app_label: p.appLabel,
    app_label_verbose: p.appLabel,
    model_verbose: p.model,
  };
}

function roleOf(w: World, uuid: string): Rec | undefined {
  const want = uuid.toLowerCase();
  return w.store.all(ROLE).find((r) => String(r.pk).toLowerCase() === want);
}

function assignments(w: World, role?: string): Rec[] {
  const live = new Set(w.store.all(ROLE).map((r) => String(r.pk)));
  return w.store.all(ASSIGNMENT).filter((a) => live.has(String(a.data.role)) && (role === undefined || a.data.role === role));
}

function json(status: number, body: Json): HttpResponse {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

export function rbacRoute(
  w: World,
  name: RbacRouteName,
  param: string | undefined,
  params: URLSearchParams,
  body: Json | undefined,
  page: PageOpts,
): { res: HttpResponse; mutated: boolean } {
  const reg = w.schema.registry;
  const cat = catalogue(reg);
  const read = (res: HttpResponse) => ({ res, mutated: false });
  switch (name) {
    case 'permissions': {
      let rows = cat;
      const role = params.get('role');
      if (role !== null && role !== '') {
        const r = UUID.test(role) ? roleOf(w, role) : undefined;
        if (!r) return read(json(400, { role: ['Select a valid choice. That choice is not one of the available choices.'] }));
        const held = new Set(
          assignments(w, String(r.pk))
            .filter((a) => a.data.object_pk === null)
            .map((a) => a.data.permission),
        );
        rows = rows.filter((p) => held.has(`${p.appLabel}.${p.codename}`));
      }
      const eq = (param: string, get: (p: Permission) => string) => {
        const v = params.get(param);
        if (v !== null && v !== '') rows = rows.filter((p) => get(p) === v);
      };
      eq('codename', (p) => p.codename);
      eq('content_type__app_label', (p) => p.appLabel);
      eq('content_type__model', (p) => p.model);
      const q = params.get('search')?.toLowerCase();
      if (q) rows = rows.filter((p) => [p.name, p.codename, p.model, p.appLabel].some((s) => s.toLowerCase().includes(q)));
      rows = [...rows].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.id - b.id));
      const out = paginate(rows, params, page, show);
      return read(json(out.status, out.body));
    }
    case 'permission': {
      const p = /^\d+$/.test(param ?? '') ? cat.find((x) => x.id === Number(param)) : undefined;
      return read(p ? json(200, show(p)) : json(404, { detail: 'No Permission matches the given query.' }));
    }
    case 'role-object-permissions': {
      const uuid = params.get('uuid');
      if (uuid !== null && uuid !== '' && !UUID.test(uuid)) return read(json(400, { uuid: ['Enter a valid UUID.'] }));
      const role = uuid ? roleOf(w, uuid) : undefined;
      const rows = uuid && !role ? [] : assignments(w, role ? String(role.pk) : undefined).filter((a) => a.data.object_pk !== null);
      const out = paginate(rows, params, page, (a) => objectPermission(cat, a, true));
      return read(json(out.status, out.body));
    }
    case 'assigned-by-roles': {
      const model = params.get('model');
      if (!model) return read(json(400, { model: ['This field is required.'] }));
      if (!reg.models[model] || reg.models[model]!.kind !== 'model')
        return read(json(400, { model: [`Select a valid choice. ${model} is not one of the available choices.`] }));
      const objectPk = params.get('object_pk');
      const [app, mdl] = model.split('.') as [string, string];
      const roles = w.store
        .all(ROLE)
        .map((r) => {
          const mine = assignments(w, String(r.pk)).filter((a) => permOf(cat, a)?.appLabel === app && permOf(cat, a)?.model === mdl);
          const object = mine.filter((a) => a.data.object_pk !== null && (objectPk === null || a.data.object_pk === objectPk));
          const global = mine.filter((a) => a.data.object_pk === null);
          return { r, object, global };
        })
        .filter((x) => x.object.length > 0 || (objectPk === null && x.global.length > 0))
        .sort((a, b) => (String(a.r.data.name) < String(b.r.data.name) ? -1 : 1));
      const out = paginate(roles, params, page, (x) => ({
        role_pk: String(x.r.pk),
        name: String(x.r.data.name),
        object_permissions: x.object.map((a) => objectPermission(cat, a, false)),
        model_permissions: x.global.map((a) => {
          const p = permOf(cat, a)!;
          return { id: a.pk as number, codename: p.codename, model: p.model, app_label: p.appLabel, name: p.name };
        }),
      }));
      return read(json(out.status, out.body));
    }
    case 'assign':
    case 'unassign': {
      const role = UUID.test(param ?? '') ? roleOf(w, param!) : undefined;
      if (!role) return read(json(404, { detail: 'No Role matches the given query.' }));
      const req = body !== null && typeof body === 'object' && !Array.isArray(body) ? body : {};
      const perms = req.permissions;
      if (name === 'assign' && perms === undefined) return read(json(400, { permissions: ['This field is required.'] }));
      if (perms !== undefined && (!Array.isArray(perms) || perms.some((p) => typeof p !== 'string' || p === ''))) {
        return read(json(400, { permissions: ['Expected a list of items but got type "str".'] }));
      }
      const model = req.model;
      const objectPk = req.object_pk;
      if (model !== undefined && (typeof model !== 'string' || !reg.models[model] || reg.models[model]!.kind !== 'model')) {
        return read(json(400, { model: [`"${String(model)}" is not a valid choice.`] }));
      }
      if ((model === undefined) !== (objectPk === undefined)) {
        return read(json(400, { non_field_errors: ['The fields model, object_pk must be given together.'] }));
      }
      const list = (perms ?? []) as string[];
      if (model === undefined && !list.every((p) => p.includes('.'))) {
        return read(json(400, { permissions: 'When assigning global permissions, codename must be given as app_label.codename' }));
      }
      const [app] = typeof model === 'string' ? model.split('.') : [''];
      const resolved: Permission[] = [];
      for (const p of list) {
        const [a, c] = p.includes('.') ? (p.split('.', 2) as [string, string]) : [app!, p];
        const hit = cat.find((x) => x.appLabel === a && x.codename === c);
        if (!hit) return read(json(400, { permissions: [`Permission "${p}" does not exist.`] }));
        resolved.push(hit);
      }
      // authentik looks the object up and, when it is gone, assigns the permission globally.
      const target = typeof model === 'string' && objectPk !== undefined ? objectRec(w, model, String(objectPk)) : undefined;
      const scope = target ? String(target.pk) : null;
      const roleKey = String(role.pk);
      const existing = assignments(w, roleKey);
      const out: JsonObject[] = [];
      let mutated = false;
      for (const p of resolved) {
        const key = `${p.appLabel}.${p.codename}`;
        const have = existing.find((a) => a.data.permission === key && a.data.object_pk === scope);
        if (name === 'unassign') {
          if (have) {
            w.store.remove(have);
            mutated = true;
          }
          continue;
        }
        if (have) {
          out.push({ id: String(have.pk) });
          continue;
        }
        const pk = w.store.nextCounter(ASSIGNMENT);
        const rec: Rec = {
          model: ASSIGNMENT,
          pk,
          seq: w.store.nextSeq(),
          created: new Date().toISOString(),
          hidden: true,
          data: { role: roleKey, permission: key, object_pk: scope },
          secret: {},
        };
        w.store.insert(rec);
        mutated = true;
        out.push({ id: String(pk) });
      }
      return name === 'assign' ? { res: json(200, out), mutated } : { res: { status: 204, headers: {}, body: '' }, mutated };
    }
  }
}

function permOf(cat: Permission[], a: Rec): Permission | undefined {
  const [app, codename] = String(a.data.permission).split('.', 2);
  return cat.find((p) => p.appLabel === app && p.codename === codename);
}

function objectPermission(cat: Permission[], a: Rec, extra: boolean): JsonObject {
  const p = permOf(cat, a)!;
  const out: JsonObject = {
    id: a.pk as number,
    codename: p.codename,
    model: p.model,
    app_label: p.appLabel,
    object_pk: String(a.data.object_pk),
    name: p.name,
  };
  if (extra) Object.assign(out, { app_label_verbose: p.appLabel, model_verbose: p.model, object_description: null });
  return out;
}

function objectRec(w: World, model: string, pk: string): Rec | undefined {
  return w.store.all(model).find((r) => !r.hidden && String(r.pk).toLowerCase() === pk.toLowerCase());
}
