// How a value is shown to people in plans: JSON for plain values, "(known after apply)" for
// values that depend on objects still to be created, "(sensitive)" for secrets. Pure. Deferred
// values are recognised and described by compile, which defines them.
import type { DesiredValue } from '../model/types.js';
import { containsDeferred, describeDeferred, isDeferred } from '../values/index.js';

const KNOWN_AFTER_APPLY = '(known after apply)';
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

/** How objects are named everywhere (`flow slug=x`); defined in values so plan and graphs share it. */
export { formatIdentity, objectLabel } from '../values/index.js';
