// Tag operations shared by compile-time evaluation and resolveDeferred (which finishes the same
// tags once the server has answered), so both give identical results and messages.
import type { Json } from '../model/types.js';
import { pyTruthy, pyTypeName } from './python.js';

export type OpResult = { ok: true; value: Json } | { ok: false; error: string };

export const CONDITION_MODES = ['AND', 'NAND', 'OR', 'NOR', 'XOR', 'XNOR'] as const;

export function conditionOp(mode: string, args: readonly Json[]): OpResult {
  const m = mode.toUpperCase();
  if (!(CONDITION_MODES as readonly string[]).includes(m)) {
    return { ok: false, error: `unknown !Condition mode "${mode}"; expected one of ${CONDITION_MODES.join(', ')}` };
  }
  if (args.length === 0) return { ok: false, error: 'at least one value is required after the !Condition mode' };
  const bools = args.map(pyTruthy);
  const trues = bools.filter(Boolean).length;
  switch (m) {
    case 'AND':
      return { ok: true, value: trues === bools.length };
    case 'NAND':
      return { ok: true, value: trues !== bools.length };
    case 'OR':
      return { ok: true, value: trues > 0 };
    case 'NOR':
      return { ok: true, value: trues === 0 };
    case 'XOR':
      return { ok: true, value: trues % 2 === 1 };
    default:
      return { ok: true, value: trues % 2 === 0 };
  }
}

/**
 * `!AtIndex`: integer indexing of lists (negative from the end), key lookup in mappings.
 * authentik crashes on strings and scalars; here that is an error with the type named.
 */
export function atIndexOp(obj: Json, key: Json, hasDefault: boolean, dflt: Json): OpResult {
  if (Array.isArray(obj)) {
    const k = typeof key === 'boolean' ? Number(key) : key;
    if (typeof k !== 'number' || !Number.isInteger(k)) {
      return { ok: false, error: `!AtIndex on a list needs an integer index, got ${pyTypeName(key)}` };
    }
    const i = k < 0 ? obj.length + k : k;
    if (i >= 0 && i < obj.length) return { ok: true, value: obj[i]! };
    if (hasDefault) return { ok: true, value: dflt };
    return { ok: false, error: `!AtIndex index ${k} is out of range for a list of ${obj.length} item(s) and no default is given` };
  }
  if (obj !== null && typeof obj === 'object') {
    const k = typeof key === 'string' ? key : JSON.stringify(key);
    if (Object.prototype.hasOwnProperty.call(obj, k)) return { ok: true, value: obj[k]! };
    if (hasDefault) return { ok: true, value: dflt };
    return { ok: false, error: `!AtIndex key ${JSON.stringify(k)} is not in the mapping and no default is given` };
  }
  return { ok: false, error: `!AtIndex needs a list or a mapping, got ${pyTypeName(obj)}` };
}

/** Sets an own property even for `__proto__`, which plain assignment would treat specially. */
export function setOwn<T>(obj: { [k: string]: T }, key: string, value: T): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

/** JSON with object keys sorted, for canonical keys and deep equality. */
export function stableStringify(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(stableStringify).join(',')}]`;
  const o = v as { [k: string]: unknown };
  return `{${Object.keys(o)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${stableStringify(o[k])}`)
    .join(',')}}`;
}
