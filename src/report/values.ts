// How a value is shown to people in plans: JSON for plain values, "(known after apply)" for
// values that depend on objects still to be created, "(sensitive)" for secrets. Pure.
import type { DesiredValue, Deferred } from '../model/types.js';

export const KNOWN_AFTER_APPLY = '(known after apply)';
export const SENSITIVE = '(sensitive)';

const DEFERRED_KEYS = ['$keyOf', '$find', '$findObject', '$format', '$atIndex', '$condition', '$if'];

export function isDeferredValue(v: unknown): v is Deferred {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const keys = Object.keys(v);
  return keys.length >= 1 && DEFERRED_KEYS.includes(keys[0]!) && keys.every((k) => DEFERRED_KEYS.includes(k) || k === 'pbm');
}

function containsDeferred(v: DesiredValue): boolean {
  if (isDeferredValue(v)) return true;
  if (Array.isArray(v)) return v.some(containsDeferred);
  if (v !== null && typeof v === 'object') return Object.values(v).some(containsDeferred);
  return false;
}

/** Short description of a deferred reference, e.g. `!KeyOf flow`. */
export function describeReference(d: Deferred): string {
  if ('$keyOf' in d) return `!KeyOf ${d.$keyOf}`;
  if ('$find' in d) return `!Find [${d.$find.model}, ${d.$find.query.map(([k, v]) => `[${k}, ${formatValue(v)}]`).join(', ')}]`;
  if ('$findObject' in d) return `!FindObject [${d.$findObject.model}, …]`;
  if ('$format' in d) return `!Format ${JSON.stringify(d.$format.format)}`;
  if ('$atIndex' in d) return '!AtIndex';
  if ('$condition' in d) return `!Condition ${d.$condition.mode}`;
  return '!If';
}

/** One value on one line. Deferred parts print as "(known after apply)" with their reference. */
export function formatValue(v: DesiredValue | undefined, opts: { sensitive?: boolean } = {}): string {
  if (opts.sensitive) return SENSITIVE;
  if (v === undefined) return 'null';
  if (isDeferredValue(v)) return `${KNOWN_AFTER_APPLY} ← ${describeReference(v)}`;
  if (!containsDeferred(v)) return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map((x) => formatValue(x)).join(', ')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}: ${formatValue(x)}`).join(', ')}}`;
  }
  return JSON.stringify(v);
}

/** The name people know an object by: its identifiers' values, e.g. `slug=akbp-login`. */
export function objectLabel(identifiers: { [k: string]: DesiredValue }): string {
  const parts = Object.entries(identifiers).map(([k, v]) => {
    const shown = isDeferredValue(v) ? describeReference(v) : typeof v === 'string' ? v : JSON.stringify(v);
    return `${k}=${shown}`;
  });
  return parts.join(' ') || '(no identifiers)';
}
