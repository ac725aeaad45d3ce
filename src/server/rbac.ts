// authentik's RBAC endpoints (2024.8+; roles hold every permission since 2025.10): a role's
// global permissions (`/rbac/permissions/?role=`), its object permissions
// (`/rbac/permissions/roles/?uuid=`), the assign action, which only ever adds, and unassign, which
// rollback uses to take back what assign added.
import type { PermissionAssignment, RbacApi } from '../model/ports.js';
import type { Json, JsonObject } from '../model/types.js';
import { queryString, type QueryValue } from './endpoints.js';
import type { Http } from './http.js';

const PAGE = 100;

export class RbacEndpoints implements RbacApi {
  constructor(private readonly http: Http) {}

  /** Every row of a paginated list, following `next` (the server caps page sizes). */
  private async all(path: string, params: { [k: string]: QueryValue }): Promise<JsonObject[]> {
    const rows: JsonObject[] = [];
    for (let page = 1; page > 0; ) {
      const r = await this.http.json('GET', path + queryString({ ...params, page, page_size: PAGE }));
      const body = r.body as { results?: Json[]; pagination?: { next?: Json } } | null;
      for (const row of body?.results ?? []) if (row && typeof row === 'object' && !Array.isArray(row)) rows.push(row);
      const next = body?.pagination?.next;
      page = typeof next === 'number' && next > page ? next : 0;
    }
    return rows;
  }

  async globalPermissions(role: string): Promise<string[]> {
    const rows = await this.all('/rbac/permissions/', { role, ordering: 'codename' });
    return rows.map((r) => `${String(r.app_label)}.${String(r.codename)}`);
  }

  async objectPermissions(role: string): Promise<{ permission: string; model: string; objectPk: string }[]> {
    const rows = await this.all('/rbac/permissions/roles/', { uuid: role });
    return rows.map((r) => ({
      permission: `${String(r.app_label)}.${String(r.codename)}`,
      model: `${String(r.app_label)}.${String(r.model)}`,
      objectPk: String(r.object_pk),
    }));
  }

  async managedRole(name: string): Promise<string | null> {
    const rows = await this.all('/rbac/roles/', { managed: name });
    const pk = rows[0]?.pk;
    return typeof pk === 'string' ? pk : null;
  }

  async assign(role: string, a: PermissionAssignment): Promise<void> {
    await this.http.json('POST', `/rbac/permissions/assigned_by_roles/${encodeURIComponent(role)}/assign/`, { ...a }, 'safe');
  }

  async unassign(role: string, a: PermissionAssignment): Promise<void> {
    await this.http.json('PATCH', `/rbac/permissions/assigned_by_roles/${encodeURIComponent(role)}/unassign/`, { ...a }, 'safe');
  }
}
