// The URL table under /api/v3, generated from the registry: every model's collection and detail
// path, their detail actions, the polymorphic `/all/` families and the system endpoints. Literal
// segments win over parameters (`/policies/reputation/scores/` before `/policies/reputation/{id}/`).
import type { Schema } from './schema.js';
import { hasRbac, RBAC_ROUTES, type RbacRouteName } from './rbac.js';

export type Action = 'used_by' | 'set_password' | 'set_key' | 'view_key' | 'set_icon_url' | 'set_background_url' | 'apply' | 'add_user' | 'remove_user';

export type Route =
  | { kind: 'collection'; model: string }
  | { kind: 'detail'; model: string }
  | { kind: 'action'; model: string; action: Action }
  | { kind: 'family-list'; family: string }
  | { kind: 'family-detail'; family: string }
  | { kind: 'family-types'; family: string }
  | { kind: 'family-action'; family: string; action: Action }
  | { kind: 'system'; name: 'version' | 'config' | 'models' | 'apps' | 'schema' | 'blueprints-available' | 'me' }
  | { kind: 'rbac'; name: RbacRouteName };

interface Entry {
  segs: (string | null)[];
  route: Route;
  methods: string[];
}

export interface Match {
  route: Route;
  methods: string[];
  /** The value in the `{param}` segment, when there is one. */
  param?: string;
}

const ACTION_METHODS: { [a in Action]: string[] } = {
  used_by: ['GET'],
  set_password: ['POST'],
  set_key: ['POST'],
  view_key: ['GET'],
  set_icon_url: ['POST'],
  set_background_url: ['POST'],
  apply: ['POST'],
  add_user: ['POST'],
  remove_user: ['POST'],
};

function segments(path: string): (string | null)[] {
  return path
    .split('/')
    .filter(Boolean)
    .map((s) => (s.startsWith('{') && s.endsWith('}') ? null : s));
}

export class RouteTable {
  private readonly entries: Entry[] = [];

  constructor(schema: Schema) {
    const add = (path: string, route: Route, methods: string[]) => this.entries.push({ segs: segments(path), route, methods });
    add('/admin/version/', { kind: 'system', name: 'version' }, ['GET']);
    add('/root/config/', { kind: 'system', name: 'config' }, ['GET']);
    add('/admin/models/', { kind: 'system', name: 'models' }, ['GET']);
    add('/admin/apps/', { kind: 'system', name: 'apps' }, ['GET']);
    add('/schema/', { kind: 'system', name: 'schema' }, ['GET']);
    add('/core/users/me/', { kind: 'system', name: 'me' }, ['GET']);
    if (hasRbac(schema.registry)) for (const [path, name, methods] of RBAC_ROUTES) add(path, { kind: 'rbac', name }, methods);

    for (const mv of schema.models.values()) {
      const { apiPath, detailPath, operations: ops } = mv.info;
      if (!apiPath || !detailPath) continue;
      const coll: string[] = [];
      if (ops.list) coll.push('GET');
      if (ops.create) coll.push('POST');
      add(apiPath, { kind: 'collection', model: mv.name }, coll);
      const det: string[] = [];
      if (ops.retrieve) det.push('GET');
      if (ops.update) det.push('PUT');
      if (ops.partialUpdate) det.push('PATCH');
      if (ops.destroy) det.push('DELETE');
      add(detailPath, { kind: 'detail', model: mv.name }, det);
      const actions: Action[] = ['used_by'];
      if (mv.name === 'authentik_core.user') actions.push('set_password');
      if (mv.name === 'authentik_core.token') actions.push('set_key', 'view_key');
      if (mv.name === 'authentik_core.group' && mv.info.fields.users) actions.push('add_user', 'remove_user');
      if (mv.name === 'authentik_blueprints.blueprintinstance') {
        actions.push('apply');
        add(`${apiPath}available/`, { kind: 'system', name: 'blueprints-available' }, ['GET']);
      }
      if (!mv.family && mv.info.blueprintOnlyFields.icon?.via === 'set_icon_url') actions.push('set_icon_url');
      if (mv.info.blueprintOnlyFields.background?.via === 'set_background_url') actions.push('set_background_url');
      for (const a of actions) add(`${detailPath}${a}/`, { kind: 'action', model: mv.name, action: a }, ACTION_METHODS[a]);
    }

    for (const f of schema.families.values()) {
      const ops = f.info.operations;
      const det = ['GET'];
      if (ops.includes('put')) det.push('PUT');
      if (ops.includes('patch')) det.push('PATCH');
      if (ops.includes('delete')) det.push('DELETE');
      add(f.info.path, { kind: 'family-list', family: f.name }, ['GET']);
      add(`${f.info.path}types/`, { kind: 'family-types', family: f.name }, ['GET']);
      add(f.info.detailPath, { kind: 'family-detail', family: f.name }, det);
      add(`${f.info.detailPath}used_by/`, { kind: 'family-action', family: f.name, action: 'used_by' }, ['GET']);
      const icons = f.members.some((m) => schema.model(m)?.info.blueprintOnlyFields.icon?.via === 'set_icon_url');
      if (icons) add(`${f.info.detailPath}set_icon_url/`, { kind: 'family-action', family: f.name, action: 'set_icon_url' }, ['POST']);
    }
  }

  /** The most specific route for a path (with its trailing slash), or undefined. */
  match(path: string): Match | undefined {
    if (path.includes('//')) return undefined;
    const parts = path.split('/').filter(Boolean);
    let best: { e: Entry; score: number[]; param?: string } | undefined;
    for (const e of this.entries) {
      if (e.segs.length !== parts.length) continue;
      let ok = true;
      let param: string | undefined;
      const score: number[] = [];
      for (let i = 0; i < parts.length; i++) {
        const s = e.segs[i];
        if (s === null) {
          param = safeDecode(parts[i]!);
          score.push(0);
        } else if (s === parts[i]) score.push(1);
        else {
          ok = false;
          break;
        }
      }
      if (!ok) continue;
      if (!best || compareScore(score, best.score) > 0) best = param === undefined ? { e, score } : { e, score, param };
    }
    if (!best) return undefined;
    return best.param === undefined ? { route: best.e.route, methods: best.e.methods } : { route: best.e.route, methods: best.e.methods, param: best.param };
  }
}

function compareScore(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
