// A saved plan is a file anyone with write access to it can edit. apply trusts it only as far as
// the sources and the server confirm it: the changes are recomputed and must be these.
import type { Change, Plan } from '../model/index.js';
import { stableStringify } from '../values/index.js';

/** What decides a write: timestamps, order, reasons and origins are for people and are ignored. */
function decisive(c: Change): string {
  return stableStringify({
    action: c.action,
    key: c.key,
    model: c.model,
    pk: c.pk ?? null,
    identifiers: c.identifiers,
    patch: c.patch,
    after: c.after ?? null,
  });
}

function label(c: Change): string {
  return `${c.action} ${c.model} ${c.key}${c.pk !== undefined ? ` (pk ${String(c.pk)})` : ''}`;
}

/**
 * How the saved plan's changes differ from the recomputed ones, one line per change (empty when
 * they are the same). Lines name actions, keys and fields, never values.
 */
export function planDifferences(saved: Plan, now: Plan): string[] {
  const out: string[] = [];
  const current = new Map(now.changes.map((c) => [c.key, c]));
  const seen = new Set<string>();
  for (const c of saved.changes) {
    if (seen.has(c.key)) {
      out.push(`${label(c)}: listed twice`);
      continue;
    }
    seen.add(c.key);
    const n = current.get(c.key);
    if (!n) {
      out.push(`${label(c)}: not produced by the sources`);
      continue;
    }
    if (decisive(c) === decisive(n)) continue;
    if (c.action !== n.action || c.model !== n.model || c.pk !== n.pk) {
      out.push(`${label(c)}: the sources now give ${label(n)}`);
      continue;
    }
    const fields = new Set<string>();
    const byPath = (p: Change['patch']) => new Map(p.map((f) => [f.path, stableStringify(f)]));
    const [a, b] = [byPath(c.patch), byPath(n.patch)];
    for (const k of new Set([...a.keys(), ...b.keys()])) if (a.get(k) !== b.get(k)) fields.add(k);
    for (const k of new Set([...Object.keys(c.after ?? {}), ...Object.keys(n.after ?? {})])) {
      if (stableStringify(c.after?.[k] ?? null) !== stableStringify(n.after?.[k] ?? null)) fields.add(`/${k}`);
    }
    if (stableStringify(c.identifiers) !== stableStringify(n.identifiers)) fields.add('identifiers');
    out.push(`${label(c)}: ${[...fields].sort().join(', ') || 'the change'} differ${fields.size === 1 ? 's' : ''}`);
  }
  for (const n of now.changes) if (!seen.has(n.key) && n.action !== 'noop') out.push(`${label(n)}: missing from the saved plan`);
  return out;
}
