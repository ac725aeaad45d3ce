// How a value is shown to people in plans: JSON for plain values, "(known after apply)" for
// values that depend on objects still to be created, "(sensitive)" for secrets. Pure. Deferred
// values are recognised and described by compile, which defines them.
import type { DesiredValue } from '../model/types.js';
import { containsDeferred, describeDeferred, isDeferred } from '../values/index.js';

export const KNOWN_AFTER_APPLY = '(known after apply)';
export const SENSITIVE = '(sensitive)';

/** One value on one line. Deferred parts print as "(known after apply)" with their reference. */
export function formatValue(v: DesiredValue | undefined, opts: { sensitive?: boolean } = {}): string {
  if (opts.sensitive) return SENSITIVE;
  if (v === undefined) return 'null';
  if (isDeferred(v)) return `${KNOWN_AFTER_APPLY} ← ${describeDeferred(v)}`;
  if (!containsDeferred(v)) return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map((x) => formatValue(x)).join(', ')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.entries(v)
      .map(([k, x]) => `${JSON.stringify(k)}: ${formatValue(x)}`)
      .join(', ')}}`;
  }
  return JSON.stringify(v);
}

/** The name people know an object by: its identifiers' values, e.g. `slug=akbp-login`. */
export function objectLabel(identifiers: { [k: string]: DesiredValue }): string {
  const parts = Object.entries(identifiers).map(([k, v]) => {
    const shown = isDeferred(v) ? describeDeferred(v) : typeof v === 'string' ? v : JSON.stringify(v);
    return `${k}=${shown}`;
  });
  return parts.join(' ') || '(no identifiers)';
}
