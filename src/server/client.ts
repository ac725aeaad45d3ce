// ServerClient over authentik's REST API: every model of the registry, all pages, safe retries.
import type { ModelInfo, Registry } from '../authentik/registry.js';
import { ApiError } from '../model/errors.js';
import type { HttpTransport, ListQuery, ServerAction, ServerClient } from '../model/ports.js';
import type { Json, JsonObject, LiveObject } from '../model/types.js';
import { type QueryValue, type RestModel, actionCall, detailPath, queryString, restModel } from './endpoints.js';
import { Http, type HttpOptions } from './http.js';
import { undiciTransport } from './transport.js';
import { normaliseBaseUrl } from './url.js';
import { probeVersion } from './version.js';
import { RbacEndpoints } from './rbac.js';

export interface ClientOptions extends Omit<HttpOptions, 'transport'> {
  /** With or without `/api/v3`, trailing slash or not. */
  baseUrl: string;
  registry: Registry;
  /** Default: undiciTransport(baseUrl, {insecure, ca}). close() closes it either way. */
  transport?: HttpTransport;
  insecure?: boolean;
  /** PEM text. */
  ca?: string;
  /** The server's version when the caller already probed it (detectVersion): no second probe. */
  version?: string;
}

/** 2023.6 has no cap on page_size; this keeps one answer to a size a server renders quickly. */
const UNCAPPED_PAGE_SIZE = 1000;

export function createClient(opts: ClientOptions): ServerClient {
  const baseUrl = normaliseBaseUrl(opts.baseUrl);
  const concurrency = Math.max(1, opts.concurrency ?? 8);
  const transport =
    opts.transport ??
    undiciTransport(baseUrl, {
      connections: concurrency,
      ...(opts.insecure ? { insecure: true } : {}),
      ...(opts.ca !== undefined ? { ca: opts.ca } : {}),
      ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
    });
  const http = new Http({ ...opts, transport, concurrency });
  const client = new RestClient(baseUrl, opts.registry, http, transport);
  if (opts.version) client.knownVersion(opts.version);
  return client;
}

class RestClient implements ServerClient {
  /** model → pk → lookup value, for models addressed by slug/identifier rather than pk. */
  private readonly lookups = new Map<string, Map<string, string | number>>();
  private versionP: Promise<string> | undefined;

  constructor(
    readonly baseUrl: string,
    private readonly reg: Registry,
    private readonly http: Http,
    private readonly transport: HttpTransport,
  ) {}

  private rbacApi: RbacEndpoints | undefined;

  get rbac(): RbacEndpoints {
    this.rbacApi ??= new RbacEndpoints(this.http);
    return this.rbacApi;
  }

  knownVersion(v: string): void {
    this.versionP = Promise.resolve(v);
  }

  version(): Promise<string> {
    this.versionP ??= probeVersion(this.http).then((p) => p.version);
    // A failed probe is not remembered, so a later call can try again.
    this.versionP.catch(() => (this.versionP = undefined));
    return this.versionP;
  }

  requestCount(): number {
    return this.http.count;
  }

  async whoami(): Promise<{ pk: string | number; username: string; groups: string[] } | null> {
    try {
      const r = await this.http.json('GET', '/core/users/me/');
      const user = (r.body as { user?: { pk?: unknown; username?: unknown; groups?: unknown } } | null)?.user;
      if (!user || (typeof user.pk !== 'number' && typeof user.pk !== 'string')) return null;
      // UserSelf lists groups as {name, pk}.
      const groups = Array.isArray(user.groups) ? user.groups.map((g) => String((g as { pk?: unknown })?.pk ?? g)) : [];
      return { pk: user.pk, username: String(user.username ?? ''), groups };
    } catch {
      return null;
    }
  }

  /** Closes the transport too, given or not: the CLI hands over the transport it probed with. */
  async close(): Promise<void> {
    await this.transport.close();
  }

  async list(model: string, query: ListQuery = {}): Promise<LiveObject[]> {
    const m = restModel(this.reg, model);
    const cap = this.reg.maxPageSize;
    const pageSize = Math.min(query.pageSize ?? cap ?? UNCAPPED_PAGE_SIZE, cap ?? Number.MAX_SAFE_INTEGER);
    // Explicit ordering by pk: without it pages follow a default ordering on non-unique fields,
    // and an object can slip between pages.
    const params: { [k: string]: QueryValue } = { ...(query.filters ?? {}), ordering: query.ordering ?? m.pkField, page_size: pageSize };
    const first = await this.http.json('GET', m.apiPath + queryString({ ...params, page: 1 }));
    const page1 = envelope(first.body, m.apiPath);
    let rows = page1.results;
    if (page1.totalPages > 1) {
      const rest = await Promise.all(
        range(2, page1.totalPages).map((page) =>
          this.http.json('GET', m.apiPath + queryString({ ...params, page })).then(
            (r) => envelope(r.body, m.apiPath).results,
            // Objects deleted since page 1 shrink the list: a page past the end is simply empty.
            (e: unknown) => {
              if (e instanceof ApiError && e.status === 404) return [];
              throw e;
            },
          ),
        ),
      );
      rows = rows.concat(...rest);
    } else if (page1.next > 1) {
      // Servers that omit total_pages: follow `next` one page at a time.
      for (let page = page1.next; page > 1; ) {
        const r = envelope((await this.http.json('GET', m.apiPath + queryString({ ...params, page }))).body, m.apiPath);
        rows = rows.concat(r.results);
        page = r.next;
      }
    }
    const seen = new Set<string>();
    const out: LiveObject[] = [];
    for (const row of rows) {
      const live = this.live(m, row);
      const k = String(live.pk);
      if (seen.has(k)) continue;
      seen.add(k);
      out.push(live);
    }
    return out;
  }

  async get(model: string, pk: string | number): Promise<LiveObject | null> {
    const m = restModel(this.reg, model);
    try {
      return await this.onObject(
        m,
        pk,
        async (lookup) => this.live(m, (await this.http.json('GET', detailPath(m, lookup))).body),
        (o) => o,
      );
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) return null;
      throw e;
    }
  }

  async create(model: string, body: JsonObject): Promise<LiveObject> {
    const m = restModel(this.reg, model);
    let lastErr: ApiError | undefined;
    for (let attempt = 1; attempt <= 2; attempt++) {
      try {
        const r = await this.http.json('POST', m.apiPath, body, 'create');
        return this.live(m, r.body);
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
        // A 400 on the second POST can mean the first one landed after all (late write): look once more.
        if (attempt === 2 && e.status === 400) return (await this.findCreated(m, body).catch(() => null)) ?? throwIt(e);
        if (!e.uncertain) throw e;
        lastErr = e;
      }
      // The POST may or may not have created the object: look before trying again. If even the
      // look fails, the honest answer is the uncertain POST, not the failed read.
      const found = await this.findCreated(m, body).catch(() => throwIt(lastErr));
      if (found) return found;
      if (found === undefined) break;
    }
    throw lastErr;
  }

  async patch(model: string, pk: string | number, body: JsonObject): Promise<LiveObject> {
    const m = restModel(this.reg, model);
    const send = async (lookup: string | number) => this.live(m, (await this.http.json('PATCH', detailPath(m, lookup), body)).body);
    return this.onObject(m, pk, send, async (o) => send(lookupOf(m, o)), 'PATCH');
  }

  async delete(model: string, pk: string | number): Promise<void> {
    const m = restModel(this.reg, model);
    const del = async (lookup: string | number) => void (await this.http.json('DELETE', detailPath(m, lookup)));
    try {
      await this.onObject(m, pk, del, async (o) => del(lookupOf(m, o)), 'DELETE');
    } catch (e) {
      // Already gone (or removed by a cascade) is what a delete wants.
      if (!(e instanceof ApiError && e.status === 404)) throw e;
    }
    this.forget(m, pk);
  }

  async action(model: string, pk: string | number, action: ServerAction, body?: JsonObject): Promise<Json> {
    const m = restModel(this.reg, model);
    const run = async (lookup: string | number) => {
      const call = actionCall(this.reg, m, action, lookup);
      const send = call.method === 'GET' ? undefined : (body ?? (action === 'apply' ? undefined : {}));
      return (await this.http.json(call.method, call.path, send, call.idempotent ? 'safe' : 'create')).body;
    };
    return this.onObject(m, pk, run, async (o) => run(lookupOf(m, o)), actionCall(this.reg, m, action, pk).method);
  }

  // -------------------------------------------------------------------------------------------
  // Addressing: pk → the value the detail path wants.

  private live(m: RestModel, body: Json): LiveObject {
    const live = toLive(m, body);
    if (m.lookupField !== m.pkField) {
      const lv = live.body[m.lookupField];
      if (typeof lv === 'string' || typeof lv === 'number') {
        let idx = this.lookups.get(m.info.model);
        if (!idx) this.lookups.set(m.info.model, (idx = new Map()));
        idx.set(String(live.pk), lv);
      }
    }
    return live;
  }

  /** True when an index entry existed (and may have been stale). */
  private forget(m: RestModel, pk: string | number): boolean {
    return this.lookups.get(m.info.model)?.delete(String(pk)) ?? false;
  }

  /**
   * Runs `byLookup` with the detail-path value for `pk` (or `byObject` when locating already
   * produced the object). A 404 after using a remembered lookup value means the index was stale
   * (slug renamed elsewhere): forget it and locate once more. Rejects with ApiError 404 when no
   * such object exists.
   */
  private async onObject<T>(
    m: RestModel,
    pk: string | number,
    byLookup: (lookup: string | number) => Promise<T>,
    byObject: (o: LiveObject) => T | Promise<T>,
    method = 'GET',
  ): Promise<T> {
    for (let pass = 1; ; pass++) {
      const found = await this.locate(m, pk);
      if (found === null) throw new ApiError(404, method, m.detailPath, { detail: 'Not found.' });
      try {
        return typeof found === 'object' ? await byObject(found) : await byLookup(found);
      } catch (e) {
        const stale = e instanceof ApiError && e.status === 404 && this.forget(m, pk);
        if (!stale || pass > 1) throw e;
      }
    }
  }

  /**
   * Models addressed by pk need nothing. For slug/identifier models, in order of cost:
   * the index filled by every list/get/create (observe lists first, so usually 0 requests);
   * a value that cannot be a pk is taken as the lookup value itself; a list filtered on a pk
   * filter (re-checked, since unknown filters are ignored); a full list as last resort.
   * Returns a lookup value to GET, the object itself when a list already produced it, or null.
   */
  private async locate(m: RestModel, pk: string | number): Promise<string | number | LiveObject | null> {
    if (m.lookupField === m.pkField) return pk;
    const known = this.lookups.get(m.info.model)?.get(String(pk));
    if (known !== undefined) return known;
    if (!looksLikePk(m.info, pk)) return pk;
    for (const filter of pkFilters(m)) {
      const hit = (await this.list(m.info.model, { filters: { [filter]: pk } })).find((o) => sameValue(o.pk, pk));
      if (hit) return hit;
    }
    const all = await this.list(m.info.model);
    return all.find((o) => sameValue(o.pk, pk)) ?? null;
  }

  /**
   * After an uncertain create: the object the POST would have made, found through the model's
   * unique fields present in the body. undefined = cannot tell (no identifying values).
   */
  private async findCreated(m: RestModel, body: JsonObject): Promise<LiveObject | null | undefined> {
    const group = identifyingGroup(m.info, body);
    if (!group) return undefined;
    const filters: { [k: string]: QueryValue } = {};
    for (const f of group) {
      const param = filterFor(m.info, f);
      const v = body[f];
      if (param && (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')) filters[param] = v;
    }
    const rows = await this.list(m.info.model, { filters });
    return rows.find((o) => group.every((f) => sameValue(o.body[f] ?? null, body[f] ?? null))) ?? null;
  }
}

/** pk from the model's pk field (`tenant_uuid` for 2023.6 tenants), falling back to `pk`. */
function toLive(m: RestModel, body: Json): LiveObject {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw new ApiError(200, 'GET', m.apiPath, { detail: 'the answer is not an object' });
  }
  const pk = body[m.pkField] ?? body.pk ?? body[m.lookupField];
  if (typeof pk !== 'string' && typeof pk !== 'number') {
    throw new ApiError(200, 'GET', m.apiPath, { detail: `the answer has no ${m.pkField}` });
  }
  return { model: m.info.model, pk, body };
}

function throwIt(e: unknown): never {
  throw e;
}

function lookupOf(m: RestModel, o: LiveObject): string | number {
  const v = o.body[m.lookupField];
  return typeof v === 'string' || typeof v === 'number' ? v : o.pk;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function looksLikePk(info: ModelInfo, v: string | number): boolean {
  if (info.pkType === 'uuid') return UUID.test(String(v));
  if (info.pkType === 'integer') return /^\d+$/.test(String(v));
  return true;
}

/** List filters that match on the primary key: `pk`, the pk field, `<model>_uuid` (flows), `pbm_uuid` where pk is it. */
function pkFilters(m: RestModel): string[] {
  const names = new Set(m.info.listFilters.filter((f) => !f.generic).map((f) => f.name));
  const cands = ['pk', m.pkField, `${m.info.modelName}_uuid`];
  if (m.info.isPolicyBindingModel && !m.info.pbmField) cands.push('pbm_uuid');
  return [...new Set(cands)].filter((c) => names.has(c));
}

function filterFor(info: ModelInfo, field: string): string | undefined {
  const names = new Set(info.listFilters.filter((f) => !f.generic).map((f) => f.name));
  if (names.has(field)) return field;
  // Case-insensitive filters narrow the list; the exact re-check decides.
  if (names.has(`${field}__iexact`)) return `${field}__iexact`;
  return undefined;
}

/** First unique field (or unique-together set) whose values the body carries as scalars. */
function identifyingGroup(info: ModelInfo, body: JsonObject): string[] | undefined {
  const scalar = (f: string) => {
    const v = body[f];
    return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
  };
  const groups = [...info.uniqueFields.map((f) => [f]), ...info.uniqueTogether];
  // Prefer groups the server can filter on; a group without filters costs a full list.
  const usable = groups.filter((g) => g.every((f) => f in body && (scalar(f) || body[f] === null)) && g.some(scalar));
  return usable.find((g) => g.every((f) => body[f] === null || filterFor(info, f))) ?? usable[0];
}

function sameValue(a: Json | undefined, b: Json | undefined): boolean {
  if (a === b) return true;
  if (a === null || a === undefined || b === null || b === undefined) return (a ?? null) === (b ?? null);
  if (typeof a !== 'object' && typeof b !== 'object') {
    const sa = String(a);
    const sb = String(b);
    return sa === sb || (UUID.test(sa) && sa.toLowerCase() === sb.toLowerCase());
  }
  return JSON.stringify(a) === JSON.stringify(b);
}

interface Envelope {
  results: Json[];
  totalPages: number;
  next: number;
}

/** authentik's pagination envelope; a bare array (non-paginated endpoint) is one page. */
function envelope(body: Json, path: string): Envelope {
  if (Array.isArray(body)) return { results: body, totalPages: 1, next: 0 };
  if (body && typeof body === 'object' && Array.isArray(body.results)) {
    const p = body.pagination && typeof body.pagination === 'object' && !Array.isArray(body.pagination) ? body.pagination : {};
    const num = (v: Json | undefined) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
    return { results: body.results, totalPages: Math.max(1, num(p.total_pages)), next: num(p.next) };
  }
  throw new ApiError(200, 'GET', path, { detail: 'the list answer is not a page of results' });
}

function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from; i <= to; i++) out.push(i);
  return out;
}
