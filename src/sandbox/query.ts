// List endpoints as django-filter, DRF search/ordering and authentik's paginator answer them:
// exact case-sensitive filters (unknown parameters ignored, FK filters validated), `search`
// icontains with AND-ed terms, `ordering` with silent drops, and the page-number envelope.
import type { ListFilter } from '../authentik/registry.js';
import type { Json, JsonObject } from '../model/types.js';
import { referringRecords, render, type World } from './render.js';
import type { ModelView } from './schema.js';
import type { Rec } from './store.js';
import { normalizeUuid, toBoolean } from './validate.js';

export type QueryResult = { ok: true; recs: Rec[] } | { ok: false; status: number; body: JsonObject };

const SUFFIXES = ['__isnull', '__iexact', '__icontains', '__startswith', '_startswith', '__gt', '__lt', '__in', '_in'] as const;
type Lookup = 'exact' | 'isnull' | 'iexact' | 'icontains' | 'startswith' | 'gt' | 'lt' | 'in';

const REVERSE_NAMES: { [name: string]: { model: string; field: string } } = {
  bindings: { model: 'authentik_policies.policybinding', field: 'policy' },
};

const choiceError = 'Select a valid choice. That choice is not one of the available choices.';

/** Values a dotted field path (`authorization_flow__slug`) reaches from a record; undefined when it names nothing. */
function pathValues(w: World, rec: Rec, path: string[]): Json[] | undefined {
  const mv = w.schema.model(rec.model);
  if (!mv || path.length === 0) return undefined;
  const [head, ...rest] = path as [string, ...string[]];
  const info = mv.info;
  if (head === 'pk' || head === info.pkField || (head === 'id' && !info.fields.id) || (head === info.lookupParam && info.lookupField === 'pk')) {
    return rest.length ? undefined : [rec.pk];
  }
  if (head === 'pbm_uuid' || head === 'policybindingmodel_ptr_id') return rest.length ? undefined : [rec.pbm ?? String(rec.pk)];
  if (/_uuid$/.test(head) && !info.fields[head]) return rest.length ? undefined : [rec.pk];
  const ref = mv.refs[head];
  if (ref) {
    const raw = rec.data[head];
    const pks = Array.isArray(raw) ? raw : raw === undefined || raw === null ? [] : [raw];
    if (!rest.length) return pks as Json[];
    const out: Json[] = [];
    for (const pk of pks) {
      const t = ref.policyBindingTarget ? w.store.byPbmUuid(String(pk)) : findIn(w, ref.targetModels, pk as string | number);
      if (!t) continue;
      const sub = pathValues(w, t, rest);
      if (sub) out.push(...sub);
    }
    return out;
  }
  if (info.fields[head] && !info.fields[head]!.writeOnly) {
    // A computed field: render only that one, not the whole object.
    const v = Object.hasOwn(rec.data, head) ? rec.data[head] : render(w, rec, 0, { [head]: info.fields[head]! })[head];
    if (v === undefined) return [];
    let vals: Json[] = [v];
    for (const key of rest) {
      vals = vals.flatMap((x) => (x && typeof x === 'object' && !Array.isArray(x) && key in x ? [x[key]!] : []));
    }
    return vals;
  }
  // Reverse relations: `application` on a provider, `promptstage` on a policy, `bindings`.
  const rev = REVERSE_NAMES[head] ?? reverseByName(w, rec.model, head);
  if (rev) {
    const owners = referringRecords(w, rev.model, rev.field, rec.pk);
    if (!rest.length) return owners.map((o) => o.pk);
    return owners.flatMap((o) => pathValues(w, o, rest) ?? []);
  }
  return undefined;
}

function reverseByName(w: World, model: string, name: string): { model: string; field: string } | undefined {
  for (const r of w.schema.referrersOf(model)) {
    const mv = w.schema.model(r.model);
    if (mv && mv.info.modelName === name) return { model: r.model, field: r.field };
  }
  return undefined;
}

function findIn(w: World, models: string[], pk: string | number): Rec | undefined {
  for (const m of models) {
    const r = w.store.get(m, pk);
    if (r) return r;
  }
  return undefined;
}

function splitLookup(name: string): { path: string[]; lookup: Lookup } {
  for (const s of SUFFIXES) {
    if (name.endsWith(s) && name.length > s.length) {
      const lookup = s.replace(/^_+/, '') as Lookup;
      return { path: name.slice(0, -s.length).split('__'), lookup };
    }
  }
  return { path: name.split('__'), lookup: 'exact' };
}

/** `groups_by_name`, `members_by_pk`, … : membership filters authentik declares by hand. */
const BY_FILTER = /^(\w+?)_by_(pk|name|username)$/;
const BY_FIELD: { [name: string]: string } = { members: 'users' };

export function applyFilters(w: World, mv: ModelView | null, filters: ListFilter[], recs: Rec[], params: URLSearchParams): QueryResult {
  let out = recs;
  for (const f of filters) {
    if (f.generic || !params.has(f.name)) continue;
    const all = params.getAll(f.name);
    const raw = all[all.length - 1]!;
    const name = f.name;

    if (name === 'attributes' && f.type !== 'array') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw);
      } catch {
        return { ok: false, status: 400, body: { attributes: ['filter: failed to parse JSON'] } };
      }
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
        return { ok: false, status: 400, body: { attributes: ['filter: value must be key:value mapping'] } };
      }
      out = out.filter((r) => matchesJson(r.data.attributes, parsed as JsonObject));
      continue;
    }

    const by = BY_FILTER.exec(name);
    if (by && mv) {
      const field = BY_FIELD[by[1]!] ?? by[1]!;
      const ref = mv.refs[field];
      if (!ref) continue;
      const wanted = all.filter((x) => x !== '');
      if (!wanted.length) continue;
      if (by[2] === 'pk') {
        for (const x of wanted) {
          const key = ref.targetModels.some((t) => w.schema.model(t)?.info.pkType === 'integer') ? Number(x) : normalizeUuid(x);
          if (key === undefined || Number.isNaN(key) || !findIn(w, ref.targetModels, key)) {
            return { ok: false, status: 400, body: { [name]: [`Select a valid choice. ${x} is not one of the available choices.`] } };
          }
        }
      }
      out = out.filter((r) => {
        const got = pathValues(w, r, by[2] === 'pk' ? [field] : [field, by[2]!]) ?? [];
        return got.some((g) => wanted.includes(String(g)));
      });
      continue;
    }

    const { path, lookup } = splitLookup(name);
    const headRef = mv?.refs[path[0]!];
    const isArray = f.type === 'array' || lookup === 'in';
    const wanted = isArray ? all.flatMap((x) => x.split(',')).filter((x) => x !== '') : [raw];
    if (isArray && !wanted.length) continue;

    if (lookup === 'isnull') {
      const b = toBoolean(raw);
      if (b === undefined) continue;
      out = out.filter((r) => {
        const got = pathValues(w, r, path);
        if (got === undefined) return true;
        const empty = got.length === 0 || got.every((g) => g === null);
        return empty === b;
      });
      continue;
    }

    // Typed parameters reject malformed values with 400 keyed by the parameter.
    if (f.type === 'boolean') {
      const b = toBoolean(raw);
      if (b === undefined) continue;
      out = keep(w, out, path, (g) => g === b);
      continue;
    }
    if (f.type === 'integer' && !/^-?\d+$/.test(raw.trim())) {
      return { ok: false, status: 400, body: { [name]: [headRef ? choiceError : 'Enter a number.'] } };
    }
    if ((f.format === 'uuid' || f.itemsType === 'uuid') && lookup !== 'iexact') {
      for (const x of wanted) {
        if (!normalizeUuid(x)) return { ok: false, status: 400, body: { [name]: [headRef ? choiceError : 'Enter a valid UUID.'] } };
      }
    }
    // Foreign-key filters (ModelChoiceFilter) answer 400 for ids that do not exist.
    if (headRef && path.length === 1 && (lookup === 'exact' || lookup === 'in')) {
      for (const x of wanted) {
        const key = f.type === 'integer' || f.itemsType === 'integer' ? Number(x) : (normalizeUuid(x) ?? x);
        const exists = headRef.policyBindingTarget ? Boolean(w.store.byPbmUuid(String(key))) : Boolean(findIn(w, headRef.targetModels, key));
        if (!exists) {
          return {
            ok: false,
            status: 400,
            body: { [name]: [isArray ? `Select a valid choice. ${x} is not one of the available choices.` : choiceError] },
          };
        }
      }
    }
    const norm = (x: string) => (f.format === 'uuid' || f.itemsType === 'uuid' ? (normalizeUuid(x) ?? x) : x);
    const want = wanted.map(norm);
    switch (lookup) {
      case 'exact':
      case 'in':
        out = keep(w, out, path, (g) => g !== null && want.includes(String(g)));
        break;
      case 'iexact':
        out = keep(w, out, path, (g) => g !== null && String(g).toLowerCase() === raw.toLowerCase());
        break;
      case 'icontains':
        out = keep(w, out, path, (g) => g !== null && String(g).toLowerCase().includes(raw.toLowerCase()));
        break;
      case 'startswith':
        out = keep(w, out, path, (g) => typeof g === 'string' && g.startsWith(raw));
        break;
      case 'gt':
      case 'lt': {
        const t = Date.parse(raw);
        out = keep(w, out, path, (g) => {
          if (g === null) return false;
          const x = typeof g === 'string' ? Date.parse(g) : Number(g);
          const y = Number.isNaN(t) ? Number(raw) : t;
          return lookup === 'gt' ? x > y : x < y;
        });
        break;
      }
    }
  }
  return { ok: true, recs: out };
}

function keep(w: World, recs: Rec[], path: string[], test: (v: Json) => boolean): Rec[] {
  // A filter whose field the sandbox cannot resolve behaves like an unknown parameter.
  const probe = recs[0] ? pathValues(w, recs[0], path) : [];
  if (probe === undefined) return recs;
  return recs.filter((r) => (pathValues(w, r, path) ?? []).some((g) => (Array.isArray(g) ? g.some((x) => test(x)) : test(g))));
}

function matchesJson(have: Json | undefined, want: JsonObject): boolean {
  if (!have || typeof have !== 'object' || Array.isArray(have)) return false;
  return Object.entries(want).every(([k, v]) => {
    const h = have[k];
    if (v && typeof v === 'object' && !Array.isArray(v)) return matchesJson(h, v);
    return JSON.stringify(h) === JSON.stringify(v);
  });
}

export function applySearch(w: World, searchFields: string[], recs: Rec[], params: URLSearchParams): Rec[] {
  const q = params.get('search');
  if (!q || !searchFields.length) return recs;
  const terms = q
    .replace(/\x00/g, '')
    .replace(/,/g, ' ')
    .split(/\s+/)
    .filter(Boolean)
    .map((t) => t.toLowerCase());
  if (!terms.length) return recs;
  return recs.filter((r) => {
    const hay = searchFields.map((f) =>
      (pathValues(w, r, f.replace(/^[\^=@$]/, '').split('__')) ?? []).map((v) => (v === null ? '' : String(v)).toLowerCase()),
    );
    return terms.every((t) => hay.some((vals) => vals.some((v) => v.includes(t))));
  });
}

const collator = new Intl.Collator('en', { sensitivity: 'variant', numeric: false });

function compareValues(a: Json | undefined, b: Json | undefined): number {
  const an = a === undefined || a === null;
  const bn = b === undefined || b === null;
  // PostgreSQL sorts NULLs last ascending.
  if (an || bn) return an && bn ? 0 : an ? 1 : -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  if (typeof a === 'string' && typeof b === 'string') return collator.compare(a, b);
  return collator.compare(JSON.stringify(a), JSON.stringify(b));
}

export function applyOrdering(w: World, orderable: string[], defaults: string[], recs: Rec[], params: URLSearchParams): Rec[] {
  const asked = (params.get('ordering') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s && orderable.includes(s.replace(/^-/, '')));
  const terms = asked.length ? asked : defaults;
  if (!terms.length) return [...recs].sort((a, b) => a.seq - b.seq);
  const keyed = recs.map((r) => ({
    r,
    keys: terms.map((t) => {
      const vals = pathValues(w, r, t.replace(/^-/, '').split('__'));
      return vals && vals.length ? vals[0] : null;
    }),
  }));
  keyed.sort((x, y) => {
    for (let i = 0; i < terms.length; i++) {
      const desc = terms[i]!.startsWith('-');
      const c = compareValues(x.keys[i], y.keys[i]);
      if (c !== 0) return desc ? -c : c;
    }
    return x.r.seq - y.r.seq;
  });
  return keyed.map((k) => k.r);
}

export interface PageOpts {
  maxPageSize: number | null;
  autocomplete: boolean;
}

/** authentik's Pagination class over an already filtered and ordered list. */
export function paginate<T>(items: T[], params: URLSearchParams, opts: PageOpts, show: (item: T) => Json): { status: number; body: JsonObject } {
  let size = 100;
  const ps = params.get('page_size');
  if (ps !== null && /^\d+$/.test(ps.trim()) && Number(ps) > 0) size = Number(ps);
  if (opts.maxPageSize !== null && size > opts.maxPageSize) size = opts.maxPageSize;
  const count = items.length;
  const pages = Math.max(1, Math.ceil(count / size));
  const p = params.get('page');
  let page = 1;
  if (p !== null) {
    if (p === 'last') page = pages;
    else if (/^\d+$/.test(p.trim())) page = Number(p);
    else return { status: 404, body: { detail: 'Invalid page.' } };
  }
  if (page < 1 || page > pages) return { status: 404, body: { detail: 'Invalid page.' } };
  const start = (page - 1) * size;
  const results = items.slice(start, start + size).map(show);
  const body: JsonObject = {
    pagination: {
      next: page < pages ? page + 1 : 0,
      previous: page > 1 ? page - 1 : 0,
      count,
      current: page,
      total_pages: pages,
      start_index: count === 0 ? 0 : start + 1,
      end_index: page === pages ? count : page * size,
    },
    results,
  };
  if (opts.autocomplete) body.autocomplete = {};
  return { status: 200, body };
}
