// Values compile cannot compute alone: `!KeyOf` (needs the pk of an object written earlier),
// `!Find`/`!FindObject` (need the server), and local tags whose inputs are one of those. Plans
// print them with describeDeferred; observe/apply finish them with resolveDeferred.
import type { Deferred, DesiredValue, FindQuery, Json } from '../model/types.js';
import { atIndexOp, conditionOp, setOwn, stableStringify } from './ops.js';
import { pyPercentFormat, pyTruthy } from './python.js';

const DEFERRED_KEYS = new Set(['$keyOf', '$find', '$findObject', '$format', '$atIndex', '$condition', '$if']);

/**
 * A Deferred is an object whose single key is one of the `$…` markers with the right shape
 * (`$keyOf` may carry `pbm` too), so an ordinary attribute mapping is not mistaken for one.
 */
export function isDeferred(v: unknown): v is Deferred {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const keys = Object.keys(v);
  if (keys.length === 0 || keys.length > 2) return false;
  const o = v as { [k: string]: unknown };
  if ('$keyOf' in o) {
    return typeof o.$keyOf === 'string' && (keys.length === 1 || (keys.length === 2 && 'pbm' in o && typeof o.pbm === 'boolean'));
  }
  if (keys.length !== 1 || !DEFERRED_KEYS.has(keys[0]!)) return false;
  const inner = o[keys[0]!];
  return inner !== null && typeof inner === 'object' && !Array.isArray(inner);
}

/** True when v holds a Deferred anywhere inside. */
export function containsDeferred(v: DesiredValue): boolean {
  if (v === null || typeof v !== 'object') return false;
  if (isDeferred(v)) return true;
  if (Array.isArray(v)) return v.some(containsDeferred);
  for (const x of Object.values(v)) if (containsDeferred(x)) return true;
  return false;
}

// ---------------------------------------------------------------------------------------------
// Printing, in the blueprint's own tag syntax so users recognise what is pending.

function scalar(v: Json): string {
  if (typeof v === 'string') {
    return v === '' || /^[\s]|[\s]$|[,[\]{}:#&*!|>'"%@`]|^(true|false|null|~|-?\d)/i.test(v) ? JSON.stringify(v) : v;
  }
  return JSON.stringify(v);
}

function show(v: DesiredValue): string {
  if (isDeferred(v)) return describeDeferred(v);
  if (v === null || typeof v !== 'object') return scalar(v);
  if (Array.isArray(v)) return `[${v.map(show).join(', ')}]`;
  return `{${Object.entries(v)
    .map(([k, x]) => `${scalar(k)}: ${show(x)}`)
    .join(', ')}}`;
}

function showQuery(tag: string, q: FindQuery): string {
  return `${tag} [${[q.model, ...q.query.map(([f, x]) => `[${scalar(f)}, ${show(x)}]`)].join(', ')}]`;
}

export function describeDeferred(d: Deferred): string {
  if ('$keyOf' in d) return `!KeyOf ${d.$keyOf}`;
  if ('$find' in d) return showQuery('!Find', d.$find);
  if ('$findObject' in d) return showQuery('!FindObject', d.$findObject);
  if ('$format' in d) return `!Format [${[scalar(d.$format.format), ...d.$format.args.map(show)].join(', ')}]`;
  if ('$atIndex' in d) {
    const a = d.$atIndex;
    return `!AtIndex [${[show(a.obj), show(a.key), ...(a.hasDefault ? [show(a.default)] : [])].join(', ')}]`;
  }
  if ('$condition' in d) return `!Condition [${[d.$condition.mode, ...d.$condition.args.map(show)].join(', ')}]`;
  const i = d.$if;
  return i.short ? `!If [${show(i.condition)}]` : `!If [${show(i.condition)}, ${show(i.then)}, ${show(i.else)}]`;
}

/**
 * Canonical key of a resolved query (LiveSnapshot.finds): pairs are ANDed, so their order does
 * not matter; mapping keys are sorted.
 */
export function findQueryKey(q: { model: string; query: readonly (readonly [string, DesiredValue])[] }): string {
  const pairs = q.query.map(([f, v]) => stableStringify([f, v])).sort();
  return `${q.model.toLowerCase()}?${pairs.join('&')}`;
}

// ---------------------------------------------------------------------------------------------
// Finishing deferred values once references are known.

export interface DeferredResolver {
  /** pk (or pbm_uuid when pbm) of the object written for entry `id` of fromKey's blueprint; undefined = not known yet. */
  keyOf(id: string, pbm: boolean, fromKey: string): Json | undefined;
  /** pk of the first match, null when nothing matches, undefined when not looked up. */
  find(q: { model: string; query: [string, Json][] }): Json | undefined;
  findObject(q: { model: string; query: [string, Json][] }): Json | undefined;
}

export type ResolveResult =
  | { ok: true; value: Json }
  /** `missing`: references still unknown (described as in plans); `errors`: tags that failed once their inputs were known. */
  | { ok: false; missing: string[]; errors?: string[] };

class Pending {
  constructor(
    readonly missing: string[],
    readonly errors: string[],
  ) {}
}

/** Evaluates every Deferred inside v; returns the JSON value or the references still missing. */
export function resolveDeferred(v: DesiredValue, r: DeferredResolver, fromKey: string): ResolveResult {
  const missing: string[] = [];
  const errors: string[] = [];
  const value = walk(v, r, fromKey, missing, errors);
  if (missing.length > 0 || errors.length > 0 || value instanceof Pending) {
    const out: ResolveResult = { ok: false, missing: [...new Set(missing)] };
    if (errors.length > 0) out.errors = errors;
    return out;
  }
  return { ok: true, value };
}

const PENDING = new Pending([], []);

function walk(v: DesiredValue, r: DeferredResolver, fromKey: string, missing: string[], errors: string[]): Json | Pending {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    const out: Json[] = [];
    let pending = false;
    for (const x of v) {
      const y = walk(x, r, fromKey, missing, errors);
      if (y instanceof Pending) pending = true;
      else out.push(y);
    }
    return pending ? PENDING : out;
  }
  if (!isDeferred(v)) {
    const out: { [k: string]: Json } = {};
    let pending = false;
    for (const [k, x] of Object.entries(v)) {
      const y = walk(x, r, fromKey, missing, errors);
      if (y instanceof Pending) pending = true;
      else setOwn(out, k, y);
    }
    return pending ? PENDING : out;
  }
  const d = v;
  if ('$keyOf' in d) {
    const pk = r.keyOf(d.$keyOf, d.pbm === true, fromKey);
    if (pk === undefined) {
      missing.push(describeDeferred(d));
      return PENDING;
    }
    return pk;
  }
  if ('$find' in d || '$findObject' in d) {
    const q = '$find' in d ? d.$find : d.$findObject;
    const parts = walk(
      q.query.map(([f, x]) => [f, x]),
      r,
      fromKey,
      missing,
      errors,
    );
    if (parts instanceof Pending) return PENDING;
    const query = parts as [string, Json][];
    const found = '$find' in d ? r.find({ model: q.model, query }) : r.findObject({ model: q.model, query });
    if (found === undefined) {
      missing.push(describeDeferred(d));
      return PENDING;
    }
    return found;
  }
  if ('$format' in d) {
    const args = walk(d.$format.args, r, fromKey, missing, errors);
    if (args instanceof Pending) return PENDING;
    const res = pyPercentFormat(d.$format.format, args as Json[]);
    if (!res.ok) {
      errors.push(`!Format ${JSON.stringify(d.$format.format)}: ${res.error}`);
      return PENDING;
    }
    return res.value;
  }
  if ('$atIndex' in d) {
    const a = d.$atIndex;
    const parts = walk([a.obj, a.key, a.default], r, fromKey, missing, errors);
    if (parts instanceof Pending) return PENDING;
    const [obj, key, dflt] = parts as [Json, Json, Json];
    const res = atIndexOp(obj, key, a.hasDefault, dflt);
    if (!res.ok) {
      errors.push(res.error);
      return PENDING;
    }
    return res.value;
  }
  if ('$condition' in d) {
    const args = walk(d.$condition.args, r, fromKey, missing, errors);
    if (args instanceof Pending) return PENDING;
    const res = conditionOp(d.$condition.mode, args as Json[]);
    if (!res.ok) {
      errors.push(res.error);
      return PENDING;
    }
    return res.value;
  }
  const i = d.$if;
  const cond = walk(i.condition, r, fromKey, missing, errors);
  if (cond instanceof Pending) return PENDING;
  if (i.short) return pyTruthy(cond);
  return walk(pyTruthy(cond) ? i.then : i.else, r, fromKey, missing, errors);
}
