// Client-side evaluation of authentik's object lookups, so one list read per model answers
// every entry's identifiers and every `!Find` (BLUEPRINT-SEMANTICS §4.2, §6 `!Find`).
import type { Json, JsonObject, LiveObject, ModelName } from '../model/types.js';
import type { ModelInfo, Registry } from '../authentik/registry.js';
import { findModel } from '../authentik/registry.js';
import { containsJson, looseEqual } from './normalize.js';

/** Live objects by model, as observe read them (and apply extends with what it created). */
export interface ObjectSource {
  objects(model: ModelName): readonly LiveObject[] | undefined;
  byPk(model: ModelName, pk: Json): LiveObject | undefined;
  /** Own pk of a policy-binding model whose pbm uuid is given (flows, flow-stage bindings). */
  pkOfPbm(pbm: Json): Json | undefined;
  /** A superset of the objects whose scalar field may equal value, in list order; undefined = scan all. */
  candidates?(model: ModelName, field: string, value: Json): readonly LiveObject[] | undefined;
}

/**
 * Narrows the scan with a hash lookup on the most selective plain, exactly-compared field of the
 * query: the first one alphabetically is often shared by many objects (`order` of bindings).
 */
function narrow(reg: Registry, src: ObjectSource, model: ModelName, all: readonly LiveObject[], pairs: [string, Json][]): readonly LiveObject[] {
  if (!src.candidates) return all;
  const info = findModel(reg, model);
  let best = all;
  for (const [k, v] of pairs) {
    if (k === 'pk' || k.includes('__') || v === null || typeof v === 'object') continue;
    if (info?.references?.[k]?.policyBindingTarget) continue;
    const c = src.candidates(model, k, v);
    if (c && c.length < best.length) best = c;
    if (best.length <= 1) break;
  }
  return best;
}

/** Answer of one lookup: decided, or not decidable from the objects read (fall back to the server). */
export type Verdict = boolean | 'unknown';

const OPERATORS = new Set([
  'exact',
  'iexact',
  'isnull',
  'in',
  'contains',
  'icontains',
  'startswith',
  'istartswith',
  'endswith',
  'iendswith',
  'gt',
  'gte',
  'lt',
  'lte',
]);

function pkOf(info: ModelInfo | undefined, body: JsonObject): Json | undefined {
  const f = info?.pkField ?? 'pk';
  return body[f] ?? body.pk;
}

/** Evaluates one Django-style `field__rel__op` lookup against an object. */
export function evalLookup(reg: Registry, src: ObjectSource, obj: LiveObject, lookup: string, value: Json): Verdict {
  const parts = lookup.split('__');
  let op = 'exact';
  if (parts.length > 1 && OPERATORS.has(parts[parts.length - 1]!)) op = parts.pop()!;
  return walk(reg, src, obj.model, [obj.body], parts, op, value, obj);
}

function walk(reg: Registry, src: ObjectSource, model: ModelName, bodies: JsonObject[], parts: string[], op: string, value: Json, self?: LiveObject): Verdict {
  const info = findModel(reg, model);
  const [head, ...rest] = parts;
  if (head === undefined) return 'unknown';
  let sawUnknown = false;
  for (const body of bodies) {
    const verdict = step(reg, src, info, body, head, rest, op, value, self);
    if (verdict === true) return true;
    if (verdict === 'unknown') sawUnknown = true;
  }
  return sawUnknown ? 'unknown' : false;
}

function step(
  reg: Registry,
  src: ObjectSource,
  info: ModelInfo | undefined,
  body: JsonObject,
  head: string,
  rest: string[],
  op: string,
  value: Json,
  self?: LiveObject,
): Verdict {
  const v = fieldValue(info, body, head, self);
  if (rest.length === 0) return compare(src, info, head, v, op, value);
  const ref = info?.references?.[head];
  if (ref) {
    const pks = Array.isArray(v) ? v : v === null || v === undefined ? [] : [v];
    if (pks.length === 0) return op === 'isnull' ? compare(src, undefined, head, null, op, value) : false;
    let sawUnknown = false;
    for (const pk of pks) {
      let target: LiveObject | undefined;
      for (const m of ref.targets) if ((target = src.byPk(m, pk))) break;
      if (!target) {
        sawUnknown = true;
        continue;
      }
      const r = walk(reg, src, target.model, [target.body], rest, op, value, target);
      if (r === true) return true;
      if (r === 'unknown') sawUnknown = true;
    }
    return sawUnknown ? 'unknown' : false;
  }
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    // JSON field: `attributes__foo__bar` walks keys.
    let cur: Json | undefined = v;
    for (const k of rest) cur = cur && typeof cur === 'object' && !Array.isArray(cur) ? cur[k] : undefined;
    if (cur === undefined) return op === 'isnull' ? truthy(value) : false;
    return compare(src, undefined, rest[rest.length - 1]!, cur, op, value);
  }
  return v === undefined ? 'unknown' : false;
}

function fieldValue(info: ModelInfo | undefined, body: JsonObject, field: string, self?: LiveObject): Json | undefined {
  if (field === 'pk') return self ? self.pk : pkOf(info, body);
  if (field in body) return body[field];
  // `flow_id` style column names mean the same as the relation field.
  if (field.endsWith('_id') && field.slice(0, -3) in body) return body[field.slice(0, -3)];
  return undefined;
}

function compare(src: ObjectSource, info: ModelInfo | undefined, field: string, actual: Json | undefined, op: string, expected: Json): Verdict {
  if (actual === undefined) return 'unknown';
  const pbmTarget = info?.references?.[field]?.policyBindingTarget === true;
  const eq = (a: Json, b: Json): boolean => looseEqual(a, b) || (pbmTarget && (looseEqual(a, src.pkOfPbm(b) ?? null) || looseEqual(src.pkOfPbm(a) ?? null, b)));
  switch (op) {
    case 'exact':
      if (Array.isArray(actual)) return actual.some((a) => eq(a, expected));
      if (expected !== null && typeof expected === 'object' && typeof actual === 'object' && actual !== null)
        return containsJson(actual, expected) && containsJson(expected, actual);
      return eq(actual, expected);
    case 'iexact':
      return typeof actual === 'string' && typeof expected === 'string' ? actual.toLowerCase() === expected.toLowerCase() : eq(actual, expected);
    case 'isnull': {
      const isNull = actual === null || (Array.isArray(actual) && actual.length === 0);
      return isNull === truthy(expected);
    }
    case 'in':
      return Array.isArray(expected) ? expected.some((e) => (Array.isArray(actual) ? actual.some((a) => eq(a, e)) : eq(actual, e))) : false;
    case 'contains':
    case 'icontains': {
      if (typeof actual === 'string' && typeof expected === 'string') {
        return op === 'contains' ? actual.includes(expected) : actual.toLowerCase().includes(expected.toLowerCase());
      }
      if (typeof actual === 'object' && actual !== null) return containsJson(actual, expected);
      return false;
    }
    case 'startswith':
    case 'istartswith':
    case 'endswith':
    case 'iendswith': {
      if (typeof actual !== 'string' || typeof expected !== 'string') return false;
      const ci = op.startsWith('i');
      const a = ci ? actual.toLowerCase() : actual;
      const e = ci ? expected.toLowerCase() : expected;
      return op.endsWith('startswith') ? a.startsWith(e) : a.endsWith(e);
    }
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      if (actual === null || expected === null || typeof actual === 'object' || typeof expected === 'object') return false;
      const a = typeof actual === 'number' ? actual : Number.isFinite(Number(actual)) && typeof expected === 'number' ? Number(actual) : actual;
      const e = expected;
      if (op === 'gt') return a > e;
      if (op === 'gte') return a >= e;
      if (op === 'lt') return a < e;
      return a <= e;
    }
    default:
      return 'unknown';
  }
}

function truthy(v: Json): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (v && typeof v === 'object') return Object.keys(v).length > 0;
  if (typeof v === 'string') return v !== '' && v.toLowerCase() !== 'false';
  return Boolean(v);
}

/** `!Find`: every pair ANDed; the first object of the model (default ordering) that satisfies all. */
export function evalQuery(reg: Registry, src: ObjectSource, model: ModelName, query: [string, Json][]): { match: LiveObject | null } | 'unknown' {
  const all0 = src.objects(model);
  if (!all0) return 'unknown';
  const objs = narrow(reg, src, model, all0, query);
  return firstMatch(objs, (o) => allOf(query, ([k, v]) => evalLookup(reg, src, o, k, v)));
}

/**
 * The first object in list order the test accepts, as the database's "first row" would be; an
 * undecidable object before it makes the answer unknown. `certain` short-cuts that (a pk hit).
 */
function firstMatch(
  objs: readonly LiveObject[],
  test: (o: LiveObject) => Verdict,
  certain?: (o: LiveObject) => boolean,
): { match: LiveObject | null } | 'unknown' {
  let unknown = false;
  for (const o of objs) {
    if (certain?.(o)) return { match: o };
    const r = test(o);
    if (r === true) return unknown ? 'unknown' : { match: o };
    if (r === 'unknown') unknown = true;
  }
  return unknown ? 'unknown' : { match: null };
}

/** AND over lookups: false as soon as one fails, unknown when one cannot be decided. */
function allOf<T>(items: readonly T[], check: (item: T) => Verdict): Verdict {
  let all: Verdict = true;
  for (const x of items) {
    const r = check(x);
    if (r === false) return false;
    if (r === 'unknown') all = 'unknown';
  }
  return all;
}

/**
 * Identifiers as the importer applies them: `{pk: X}` values mean X; `pk` is ORed with the AND of
 * the rest; mapping values are JSON containment. Returns the lookup as query pairs.
 */
export function identifierLookup(ids: JsonObject): { pk?: Json; rest: [string, Json, 'contains' | 'lookup'][] } {
  const out: { pk?: Json; rest: [string, Json, 'contains' | 'lookup'][] } = { rest: [] };
  for (const k of Object.keys(ids).sort()) {
    let v = ids[k]!;
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && 'pk' in v) v = v.pk!;
    if (k === 'pk') out.pk = v;
    else if (v !== null && typeof v === 'object' && !Array.isArray(v)) out.rest.push([k, v, 'contains']);
    else out.rest.push([k, v, 'lookup']);
  }
  return out;
}

export function matchIdentifiers(reg: Registry, src: ObjectSource, model: ModelName, ids: JsonObject): { match: LiveObject | null } | 'unknown' {
  const all0 = src.objects(model);
  if (!all0) return 'unknown';
  const { pk, rest } = identifierLookup(ids);
  if (pk === undefined && rest.length === 0) return { match: null };
  let objs = narrow(
    reg,
    src,
    model,
    all0,
    rest.filter(([, , how]) => how === 'lookup').map(([k, v]) => [k, v]),
  );
  if (pk !== undefined && objs !== all0) {
    // pk ORs with the rest: its object joins the candidates, still in list order.
    const byPk = all0.find((o) => looseEqual(o.pk, pk));
    if (byPk && !objs.includes(byPk)) objs = [...objs, byPk].sort((a, b) => all0.indexOf(a) - all0.indexOf(b));
  }
  if (rest.length === 0) objs = all0;
  return firstMatch(
    objs,
    (o) =>
      rest.length > 0 &&
      allOf(rest, ([k, v, how]) => (how === 'contains' ? (o.body[k] === undefined ? 'unknown' : containsJson(o.body[k]!, v)) : evalLookup(reg, src, o, k, v))),
    (o) => pk !== undefined && looseEqual(o.pk, pk),
  );
}

/** Whether a desired (not yet existing) body would satisfy a `!Find` query: used to mark "known after apply". */
export function bodyMatchesQuery(reg: Registry, src: ObjectSource, model: ModelName, body: JsonObject, query: [string, Json][]): boolean {
  const probe: LiveObject = { model, pk: (body.pk as string | number | undefined) ?? '', body };
  return query.every(([k, v]) => evalLookup(reg, src, probe, k, v) !== false);
}
