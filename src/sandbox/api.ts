// One request → one response, in the order authentik's stack decides: URL resolution (404, or 301
// to the slashed path), authentication (403), method (405), content type (415), then the view.
import { createHash, randomBytes, scrypt } from 'node:crypto';
import { stringify as yamlStringify } from 'yaml';
import { registryToOpenApi } from '../authentik/openapi-out.js';
import type { OpenApiDoc } from '../authentik/openapi.js';
import type { FamilyInfo, ListFilter } from '../authentik/registry.js';
import type { HttpRequest, HttpResponse } from '../model/ports.js';
import type { Json, JsonObject } from '../model/types.js';
import { applyDelete, planDelete, usedBy } from './cascade.js';
import { blueprintMetadata } from './dryrun.js';
import { applyFilters, applyOrdering, applySearch, paginate } from './query.js';
import { applyUpdate, buildRecord, syncMirrors } from './records.js';
import { isSuperuser, lookupValue, memberGroups, readOnlyWorld, render, type World } from './render.js';
import { RouteTable, type Action, type Route } from './routes.js';
import { rbacRoute } from './rbac.js';
import type { FamilyView, ModelView } from './schema.js';
import { isJsonObject, type Rec } from './store.js';
import { normalizeUuid, toInteger, validateBody, type Mode } from './validate.js';

export interface Outcome {
  res: HttpResponse;
  /** The request changed state (persist it). */
  mutated: boolean;
}

const JSON_HEADERS = { 'content-type': 'application/json' };

function json(status: number, body: Json, extra: { [h: string]: string } = {}): HttpResponse {
  return { status, headers: { ...JSON_HEADERS, ...extra }, body: JSON.stringify(body) };
}

function empty(status: number): HttpResponse {
  return { status, headers: {}, body: '' };
}

function html(status: number, text: string): HttpResponse {
  return { status, headers: { 'content-type': 'text/html; charset=utf-8' }, body: text };
}

const ok = (res: HttpResponse, mutated = false): Outcome => ({ res, mutated });

export class Api {
  readonly routes: RouteTable;
  private readonly version: string;
  private schemaDoc: OpenApiDoc | undefined;
  /**
   * Filtered and ordered lists by model and query (page and page size left out), kept until the
   * next write and for a few seconds at most: a client reading every page of a model then pays for
   * one sort, not one per page, as a database with an index would.
   */
  private readonly lists = new Map<string, { at: number; recs: Rec[] }>();

  constructor(
    private readonly w: World,
    private readonly maxPageSize: number | null,
  ) {
    this.routes = new RouteTable(w.schema);
    this.version = w.schema.registry.authentikVersion;
  }

  async dispatch(req: HttpRequest): Promise<Outcome> {
    const out = await this.answer(req);
    // Any write may change what a list shows (records are updated in place): drop the kept lists.
    if (out.mutated || req.method.toUpperCase() !== 'GET') this.lists.clear();
    return out;
  }

  private async answer(req: HttpRequest): Promise<Outcome> {
    const headers = lowerKeys(req.headers);
    const method = req.method.toUpperCase();
    const qIndex = req.path.indexOf('?');
    const pathOnly = qIndex < 0 ? req.path : req.path.slice(0, qIndex);
    const query = qIndex < 0 ? '' : req.path.slice(qIndex);
    const params = new URLSearchParams(query);

    let match = this.routes.match(pathOnly);
    if (!match || !pathOnly.endsWith('/')) {
      // Django's APPEND_SLASH: redirect when the slashed path exists, else its HTML 404.
      if (!pathOnly.endsWith('/') && this.routes.match(`${pathOnly}/`)) {
        return ok({ status: 301, headers: { location: `/api/v3${pathOnly}/${query}` }, body: '' });
      }
      match = undefined;
    }
    if (!match) return ok(html(404, '<h1>Not Found</h1><p>The requested resource was not found on this server.</p>'));

    const isPublic = match.route.kind === 'system' && (match.route.name === 'config' || match.route.name === 'schema');
    const auth = this.authenticate(headers.authorization);
    if (auth.error) return ok(json(403, { detail: auth.error }));
    if (!auth.user && !isPublic) return ok(json(403, { detail: 'Authentication credentials were not provided.' }));
    // Any authenticated user may read itself (/core/users/me/); everything else needs a superuser.
    const selfOnly = match.route.kind === 'system' && match.route.name === 'me';
    if (auth.user && !isPublic && !selfOnly && !isSuperuser(this.w, auth.user)) {
      return ok(json(403, { detail: 'You do not have permission to perform this action.' }));
    }

    // Django serves HEAD as GET without a body; DRF answers OPTIONS with view metadata.
    if (method === 'HEAD' && match.methods.includes('GET')) {
      const out = await this.route(match.route, 'GET', match.param, params, undefined, auth.user, headers.accept ?? '');
      return ok({ ...out.res, body: '' });
    }
    if (method === 'OPTIONS') {
      return ok(
        json(
          200,
          { name: 'authentik', description: '', renders: ['application/json'], parses: ['application/json'] },
          { allow: [...match.methods, 'OPTIONS'].join(', ') },
        ),
      );
    }
    if (!match.methods.includes(method)) {
      return ok(json(405, { detail: `Method "${method}" not allowed.` }, { allow: [...match.methods, 'OPTIONS'].join(', ') }));
    }

    let body: Json | undefined;
    if (req.body !== undefined && req.body !== '' && method !== 'GET' && method !== 'DELETE') {
      const ct = (headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      if (ct !== 'application/json') return ok(json(415, { detail: `Unsupported media type "${ct}" in request.` }));
      try {
        body = JSON.parse(req.body) as Json;
      } catch (err) {
        return ok(json(400, { detail: `JSON parse error - ${(err as Error).message}` }));
      }
    }

    return this.route(match.route, method, match.param, params, body, auth.user, headers.accept ?? '');
  }

  private authenticate(header: string | undefined): { user?: Rec; error?: string } {
    if (header === undefined) return {};
    const cred = header.trim();
    if (cred === '' || !cred.includes(' ')) return {};
    const sp = cred.indexOf(' ');
    const scheme = cred.slice(0, sp);
    const key = cred.slice(sp + 1);
    if (scheme.toLowerCase() !== 'bearer') {
      // 2023.6 rejects other schemes; later releases treat the request as anonymous.
      return this.w.schema.legacy ? { error: 'Unsupported authentication type' } : {};
    }
    if (key === '') return { error: 'Malformed header' };
    const now = Date.now();
    const token = this.w.store.all('authentik_core.token').find((t) => {
      if (t.secret.key !== key || t.data.intent !== 'api') return false;
      if (t.data.expiring === true && typeof t.data.expires === 'string' && Date.parse(t.data.expires) < now) return false;
      return true;
    });
    if (!token) return { error: 'Token invalid/expired' };
    const user = this.w.store.get('authentik_core.user', token.data.user as number);
    if (!user || user.data.is_active === false) return { error: 'Token invalid/expired' };
    return { user };
  }

  private notFound(mv?: ModelView): HttpResponse {
    if (this.w.schema.legacy || !mv) return json(404, { detail: 'Not found.' });
    // Django names the model class; the verbose name squeezed together is it when the letters agree.
    const squeezed = mv.info.verboseName.replace(/[^A-Za-z0-9]/g, '');
    const model = mv.info.modelName;
    const className = squeezed.toLowerCase() === model ? squeezed : model.charAt(0).toUpperCase() + model.slice(1);
    return json(404, { detail: `No ${className} matches the given query.` });
  }

  private async route(
    route: Route,
    method: string,
    param: string | undefined,
    params: URLSearchParams,
    body: Json | undefined,
    user: Rec | undefined,
    accept: string,
  ): Promise<Outcome> {
    const { schema } = this.w;
    switch (route.kind) {
      case 'system':
        return ok(this.system(route.name, params, accept, user));
      case 'rbac':
        return rbacRoute(this.w, route.name, param, params, body, this.pageOpts());
      case 'collection': {
        const mv = schema.model(route.model)!;
        if (method === 'GET') return ok(this.list(mv, params));
        return this.create(mv, body === undefined ? {} : body, user);
      }
      case 'detail': {
        const mv = schema.model(route.model)!;
        const rec = this.find(mv, param!);
        if (!rec) return ok(this.notFound(mv));
        if (method === 'GET') return ok(json(200, render(this.w, rec)));
        if (method === 'DELETE') return this.destroy(rec);
        return this.update(mv, rec, body === undefined ? {} : body, method === 'PUT' ? 'update' : 'partial');
      }
      case 'action': {
        const mv = schema.model(route.model)!;
        const rec = this.find(mv, param!);
        if (!rec) return ok(this.notFound(mv));
        return this.action(mv, rec, route.action, body);
      }
      case 'family-list': {
        const f = schema.families.get(route.family)!;
        return ok(this.familyList(f, params));
      }
      case 'family-types':
        return ok(json(200, this.familyTypes(schema.families.get(route.family)!)));
      case 'family-detail':
      case 'family-action': {
        const f = schema.families.get(route.family)!;
        const rec = this.findInFamily(f, param!);
        if (!rec) return ok(this.notFound());
        const mv = schema.model(rec.model)!;
        if (route.kind === 'family-action') return this.action(mv, rec, route.action, body);
        if (method === 'GET') return ok(json(200, this.familyRender(f, rec)));
        if (method === 'DELETE') return this.destroy(rec);
        const restricted = isJsonObject(body) ? Object.fromEntries(Object.entries(body).filter(([k]) => f.baseFields.includes(k))) : body;
        const out = await this.update(mv, rec, restricted ?? {}, method === 'PUT' ? 'update' : 'partial');
        if (out.res.status === 200) out.res = json(200, this.familyRender(f, rec));
        return out;
      }
    }
  }

  private find(mv: ModelView, param: string): Rec | undefined {
    const lf = mv.info.lookupField;
    if (!lf || lf === 'pk' || lf === mv.info.pkField) return this.findByPk(mv, param);
    return this.w.store.all(mv.name).find((r) => !r.hidden && lookupValue(mv, r) === param);
  }

  private findByPk(mv: ModelView, param: string): Rec | undefined {
    let pk: string | number | undefined = param;
    if (mv.info.pkType === 'integer') pk = /^\d+$/.test(param) ? Number(param) : undefined;
    else if (mv.info.pkType === 'uuid') pk = normalizeUuid(param);
    const r = pk === undefined ? undefined : this.w.store.get(mv.name, pk);
    return r && !r.hidden ? r : undefined;
  }

  private findInFamily(f: FamilyView, param: string): Rec | undefined {
    for (const m of f.members) {
      const mv = this.w.schema.model(m);
      if (!mv) continue;
      const rec = f.lookupField === 'pk' ? this.findByPk(mv, param) : this.w.store.all(m).find((r) => !r.hidden && String(r.data[f.lookupField]) === param);
      if (rec) return rec;
    }
    return undefined;
  }

  private list(mv: ModelView, params: URLSearchParams): HttpResponse {
    const w = readOnlyWorld(this.w);
    const key = listKey(mv.name, params);
    let ordered = this.kept(key);
    if (!ordered) {
      const recs = w.store.all(mv.name).filter((r) => !r.hidden);
      const filtered = applyFilters(w, mv, mv.info.listFilters, recs, params);
      if (!filtered.ok) return json(filtered.status, filtered.body);
      const searched = applySearch(w, mv.info.searchFields, filtered.recs, params);
      const orderable = mv.readable.filter((f) => !f.endsWith('_obj'));
      ordered = this.keep(key, applyOrdering(w, orderable, mv.info.defaultOrdering, searched, params));
    }
    const page = paginate(ordered, params, this.pageOpts(), (r) => render(w, r));
    return json(page.status, page.body);
  }

  private kept(key: string): Rec[] | undefined {
    const k = this.lists.get(key);
    return k && Date.now() - k.at < 5000 ? k.recs : undefined;
  }

  private keep(key: string, recs: Rec[]): Rec[] {
    // A handful of queries are read page by page at a time; older ones are dropped.
    this.lists.delete(key);
    if (this.lists.size >= 32) this.lists.delete(this.lists.keys().next().value!);
    this.lists.set(key, { at: Date.now(), recs });
    return recs;
  }

  private pageOpts() {
    return { maxPageSize: this.maxPageSize, autocomplete: !this.w.schema.legacy };
  }

  private familyRender(f: FamilyView, rec: Rec, w: World = this.w): JsonObject {
    return render(w, rec, 0, f.baseProps);
  }

  private familyList(f: FamilyView, params: URLSearchParams): HttpResponse {
    const w = readOnlyWorld(this.w);
    const key = listKey(`family:${f.members.join(',')}`, params);
    const cached = this.kept(key);
    if (cached) {
      const page = paginate(cached, params, this.pageOpts(), (r) => this.familyRender(f, r, w));
      return json(page.status, page.body);
    }
    const recs = f.members.flatMap((m) => w.store.all(m)).filter((r) => !r.hidden);
    const filters = familyFilters(w, f);
    // Family filters resolve against each member's own fields.
    let kept: Rec[] = [];
    for (const m of f.members) {
      const mv = w.schema.model(m)!;
      const mine = recs.filter((r) => r.model === m);
      const res = applyFilters(w, mv, filters, mine, params);
      if (!res.ok) return json(res.status, res.body);
      kept = kept.concat(res.recs);
    }
    const searchFields = commonSearchFields(w, f);
    const searched = applySearch(w, searchFields, kept, params);
    const defaults = f.baseFields.includes('name') ? ['name'] : [];
    const ordered = this.keep(key, applyOrdering(w, f.baseFields, defaults, searched, params));
    const page = paginate(ordered, params, this.pageOpts(), (r) => this.familyRender(f, r, w));
    return json(page.status, page.body);
  }

  private familyTypes(f: FamilyView): Json {
    return f.members.map((m) => {
      const mv = this.w.schema.model(m)!;
      const t: JsonObject = { name: mv.info.verboseName, description: mv.info.verboseName, component: mv.component, model_name: mv.info.modelName };
      if (!this.w.schema.legacy) Object.assign(t, { icon_url: null, requires_enterprise: false, deprecated: false });
      return t;
    });
  }

  private create(mv: ModelView, body: Json, user: Rec | undefined): Outcome {
    const v = validateBody(this.w, mv, body, 'create');
    if (!v.ok) return ok(v.status === 500 ? html(500, v.body) : json(400, v.body));
    const rec = buildRecord(this.w, mv, v.values, user?.pk);
    this.w.store.insert(rec);
    syncMirrors(this.w, mv, rec, Object.keys(v.values));
    return ok(json(201, render(this.w, rec)), true);
  }

  private update(mv: ModelView, rec: Rec, body: Json, mode: Mode): Outcome {
    const v = validateBody(this.w, mv, body, mode, rec);
    if (!v.ok) return ok(v.status === 500 ? html(500, v.body) : json(400, v.body));
    const before = Object.keys(mv.mirror).map((f) => JSON.stringify(rec.data[f]));
    applyUpdate(mv, rec, v.values, mode === 'update');
    const changed = Object.keys(mv.mirror).filter((f, i) => JSON.stringify(rec.data[f]) !== before[i]);
    syncMirrors(this.w, mv, rec, changed);
    return ok(json(200, render(this.w, rec)), true);
  }

  private destroy(rec: Rec): Outcome {
    const plan = planDelete(this.w, rec);
    if (plan.protectedBy.length) return ok(html(500, '<h1>Server Error (500)</h1>'));
    applyDelete(this.w, plan);
    return ok(empty(204), true);
  }

  private async action(mv: ModelView, rec: Rec, action: Action, body: Json | undefined): Promise<Outcome> {
    const data = isJsonObject(body) ? body : {};
    switch (action) {
      case 'used_by':
        return ok(json(200, usedBy(this.w, rec)));
      case 'set_password': {
        const pw = data.password;
        if (!this.w.schema.legacy) {
          if (pw === undefined) return ok(json(400, { password: ['This field is required.'] }));
          if (pw === null) return ok(json(400, { password: ['This field may not be null.'] }));
          if (typeof pw !== 'string') return ok(json(400, { password: ['Not a valid string.'] }));
          if (pw === '') return ok(json(400, { password: ['This field may not be blank.'] }));
        } else if (pw !== undefined && pw !== null && typeof pw !== 'string') {
          return ok(empty(400));
        }
        // 2023.6: no password in the body sets an unusable password and still answers 204.
        rec.secret.password = typeof pw === 'string' ? await hashPassword(pw) : `!${randomBytes(30).toString('base64url')}`;
        if (mv.info.fields.password_change_date) rec.data.password_change_date = new Date().toISOString();
        return ok(empty(204), true);
      }
      case 'set_key': {
        const key = data.key;
        if (typeof key !== 'string' || key === '') return ok(empty(400));
        rec.secret.key = key;
        return ok(empty(204), true);
      }
      case 'view_key':
        return ok(json(200, { key: rec.secret.key ?? '' }));
      case 'set_icon_url':
      case 'set_background_url': {
        const url = data.url;
        if (typeof url !== 'string') return ok(empty(400));
        const field = action === 'set_background_url' ? 'background' : mv.info.fields.meta_icon ? 'meta_icon' : 'icon';
        rec.data[field] = url;
        return ok(json(200, {}), true);
      }
      case 'apply': {
        // The task hashes the content it retrieved and stores the blueprint's metadata; files and
        // OCI references cannot be retrieved here, so they keep an empty hash.
        const content = typeof rec.data.content === 'string' ? rec.data.content : '';
        const meta = content ? blueprintMetadata(content) : undefined;
        if (meta) rec.data.metadata = meta;
        rec.data.status = 'successful';
        rec.data.last_applied = new Date().toISOString();
        rec.data.last_applied_hash = content ? createHash('sha512').update(content).digest('hex') : '';
        return ok(json(200, render(this.w, rec)), true);
      }
      case 'add_user':
      case 'remove_user': {
        const users = this.w.schema.model('authentik_core.user')!;
        // Django's filter(pk=...) takes "3" as well as 3.
        const pk = data.pk === undefined || data.pk === null || typeof data.pk === 'object' ? undefined : toInteger(data.pk);
        const u = pk === undefined ? undefined : this.w.store.get(users.name, pk);
        if (!u || u.hidden) return ok(this.notFound(users));
        const cur = Array.isArray(rec.data.users) ? (rec.data.users as Json[]) : [];
        rec.data.users = action === 'add_user' ? (cur.includes(u.pk) ? cur : [...cur, u.pk]) : cur.filter((x) => x !== u.pk);
        syncMirrors(this.w, mv, rec, ['users']);
        return ok(empty(204), true);
      }
    }
  }

  /**
   * UserSelf: the user's own fields as its detail shows them (uid, avatar), groups and roles as
   * `{name, pk}`. 2023.6 lists the direct groups; later releases all groups (ancestors too) and all
   * roles (direct and through groups), ordered by name.
   */
  private userSelf(user: Rec): JsonObject {
    const full = render(this.w, user);
    const named = (recs: Rec[]): Json[] => recs.map((r) => ({ name: String(r.data.name ?? ''), pk: r.pk }));
    const byName = (a: Rec, b: Rec) => String(a.data.name ?? '').localeCompare(String(b.data.name ?? ''));
    const direct = ((user.data.groups as string[] | undefined) ?? []).flatMap((g) => this.w.store.get('authentik_core.group', g) ?? []);
    const groups = named(this.w.schema.legacy ? direct : memberGroups(this.w, user).sort(byName));
    const roles = new Set<Rec>();
    for (const holder of [user, ...memberGroups(this.w, user)]) {
      for (const pk of (holder.data.roles as string[] | undefined) ?? []) {
        const role = this.w.store.get('authentik_rbac.role', pk);
        if (role) roles.add(role);
      }
    }
    const is_superuser = isSuperuser(this.w, user);
    const { username = '', name = '', is_active = true, email = '', avatar = '', uid = '' } = full;
    if (this.w.schema.legacy) return { pk: user.pk, username, name, is_active, is_superuser, groups, email, avatar, uid, settings: {} };
    const type = full.type ?? 'internal';
    return {
      pk: user.pk,
      username,
      name,
      is_active,
      is_superuser,
      groups,
      roles: named([...roles].sort(byName)),
      email,
      avatar,
      uid,
      settings: {},
      type,
      system_permissions: [],
    };
  }

  private system(name: string, params: URLSearchParams, accept: string, user?: Rec): HttpResponse {
    const reg = this.w.schema.registry;
    switch (name) {
      case 'version': {
        const body: JsonObject = { version_current: this.version, version_latest: this.version, build_hash: '', outdated: false };
        if (!this.w.schema.legacy) Object.assign(body, { version_latest_valid: true, outpost_outdated: false });
        return json(200, body);
      }
      case 'config': {
        const body: JsonObject = {
          error_reporting: { enabled: false, sentry_dsn: '', environment: 'akbp-sandbox', send_pii: false, traces_sample_rate: 0 },
          capabilities: ['can_save_media', 'can_impersonate'],
          cache_timeout: 300,
          cache_timeout_flows: 300,
          cache_timeout_policies: 300,
        };
        if (this.w.schema.legacy) body.cache_timeout_reputation = 300;
        return json(200, body);
      }
      case 'models':
        return json(
          200,
          Object.values(reg.models)
            .filter((m) => m.kind === 'model')
            .map((m) => ({ name: m.model, label: m.verboseName })),
        );
      case 'apps': {
        const labels = [...new Set(Object.values(reg.models).map((m) => m.appLabel))].sort();
        return json(
          200,
          labels.map((l) => ({ name: l.replace(/^authentik_/, 'authentik.').replace(/_/g, '.'), label: l })),
        );
      }
      case 'blueprints-available':
        return json(200, []);
      case 'me': {
        if (!user) return json(403, { detail: 'Authentication credentials were not provided.' });
        return json(200, { user: this.userSelf(user) });
      }
      case 'schema': {
        // authentik serves its live OpenAPI document; the sandbox writes one from its registry, once.
        const doc = (this.schemaDoc ??= registryToOpenApi(reg));
        if (params.get('format') === 'json' || accept.includes('openapi+json')) {
          return { status: 200, headers: { 'content-type': 'application/vnd.oai.openapi+json' }, body: JSON.stringify(doc) };
        }
        return { status: 200, headers: { 'content-type': 'application/vnd.oai.openapi' }, body: yamlStringify(doc) };
      }
    }
    return json(404, { detail: 'Not found.' });
  }
}

function lowerKeys(h: { [k: string]: string }): { [k: string]: string } {
  const out: { [k: string]: string } = {};
  for (const [k, v] of Object.entries(h)) out[k.toLowerCase()] = v;
  return out;
}

function familyFilters(w: World, f: FamilyView): ListFilter[] {
  const info: FamilyInfo = f.info;
  const generic = new Set(['ordering', 'page', 'page_size', 'search']);
  return info.listFilters
    .filter((n) => !generic.has(n))
    .map((name) => {
      if (name.endsWith('__isnull') || name === 'backchannel_only' || name === 'backchannel') return { name, type: 'boolean' };
      const first = w.schema.model(f.members[0] ?? '')?.info.fields[name];
      const lf: ListFilter = { name, type: first?.type === 'integer' ? 'integer' : first?.type === 'boolean' ? 'boolean' : 'string' };
      if (first?.format) lf.format = first.format;
      return lf;
    });
}

function commonSearchFields(w: World, f: FamilyView): string[] {
  const lists = f.members.map((m) => w.schema.model(m)?.info.searchFields ?? []);
  if (!lists.length) return [];
  const common = lists[0]!.filter((s) => lists.every((l) => l.includes(s)));
  return common.length ? common : f.baseFields.includes('name') ? ['name'] : [];
}

function hashPassword(pw: string): Promise<string> {
  const salt = randomBytes(16);
  return new Promise((resolve, reject) => {
    scrypt(pw, salt, 32, { N: 16384, r: 8, p: 1 }, (err, key) => {
      if (err) reject(err);
      else resolve(`scrypt$16384$8$1$${salt.toString('base64')}$${key.toString('base64')}`);
    });
  });
}

/** A list's identity: what filters, searches and orders it, not which page of it is read. */
function listKey(name: string, params: URLSearchParams): string {
  const rest = [...params].filter(([k]) => k !== 'page' && k !== 'page_size');
  return `${name}?${JSON.stringify(rest)}`;
}
