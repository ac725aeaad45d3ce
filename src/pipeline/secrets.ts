// Blueprint texts as diagnostics may show them: the values of secret fields (user `password`,
// token `key`, write-only secrets, echoed ones such as `client_secret`) masked character for
// character, so every offset, line and column stays valid while no code frame can print a
// secret, however it is written (flow collection, tag default, block scalar). Secrets reach a
// field by other ways too, and those are masked as well: a `context:` value a secret field
// reads with `!Context` (directly or through other context values), and a key that is a slip
// of a secret field's name (`pasword`), whose value the user meant as the secret. Pure.
import type { ParsedBlueprint, Value } from '../model/index.js';
import { findModel, type Registry } from '../authentik/registry.js';
import { escapePointer } from '../values/index.js';

function secretFieldsOf(registry: Registry, model: Value): Set<string> {
  if (typeof model !== 'string') return new Set();
  const info = findModel(registry, model);
  if (!info) return new Set();
  const out = new Set(info.secretFields);
  for (const [k, b] of Object.entries(info.blueprintOnlyFields)) if (b.secret) out.add(k);
  return out;
}

/** Levenshtein distance, stopping early once it exceeds `max`. */
function distance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      cur.push(v);
      best = Math.min(best, v);
    }
    if (best > max) return max + 1;
    prev = cur;
  }
  return prev[b.length]!;
}

/** A key that is probably a misspelling (or other casing) of one of the secret field names. */
function looksLikeSecret(field: string, secret: ReadonlySet<string>): boolean {
  const f = field.toLowerCase().replace(/-/g, '_');
  for (const name of secret) {
    if (f === name) return true;
    const allowed = Math.max(1, Math.floor(name.length / 4));
    if (distance(f, name, allowed) <= allowed) return true;
  }
  return false;
}

/** Keys of `!Context` tags (with a literal key) anywhere inside a value, defaults included. */
function contextKeys(v: Value, out: Set<string>): void {
  if (v === null || typeof v !== 'object') return;
  if (Array.isArray(v)) {
    for (const x of v) contextKeys(x, out);
    return;
  }
  if ('$tag' in v && (v as { $tag: unknown }).$tag === 'Context') {
    const key = (v as { key: Value }).key;
    if (typeof key === 'string') {
      out.add(key);
      // A dotted path reads inside the value of its first part.
      if (key.includes('.')) out.add(key.slice(0, key.indexOf('.')));
    }
  }
  for (const x of Object.values(v)) contextKeys(x as Value, out);
}

/** Masked texts by blueprint: akbp watch's parse cache hands back the same blueprint for unchanged bytes. */
const masked = new WeakMap<ParsedBlueprint, { registry: Registry; text: string }>();

export function maskSecretValues(bp: ParsedBlueprint, registry: Registry): string {
  const hit = masked.get(bp);
  if (hit && hit.registry === registry) return hit.text;
  const text = maskSpans(bp, registry);
  masked.set(bp, { registry, text });
  return text;
}

function maskSpans(bp: ParsedBlueprint, registry: Registry): string {
  const spans: [number, number][] = [];
  const secretContext = new Set<string>();
  for (const e of bp.entries) {
    const secret = secretFieldsOf(registry, e.model);
    if (secret.size === 0) continue;
    for (const part of ['attrs', 'identifiers'] as const) {
      for (const field of Object.keys(e[part])) {
        if (!secret.has(field) && !looksLikeSecret(field, secret)) continue;
        const r = bp.pointers.get(`${e.pointer}/${part}/${escapePointer(field)}`);
        if (r && r.end > r.start) spans.push([r.start, r.end]);
        contextKeys(e[part][field]!, secretContext);
      }
    }
  }
  // Context values feeding a secret, and the context values those read in turn.
  const queue = [...secretContext];
  while (queue.length > 0) {
    const key = queue.pop()!;
    if (!Object.prototype.hasOwnProperty.call(bp.context, key)) continue;
    const r = bp.pointers.get(`/context/${escapePointer(key)}`);
    if (r && r.end > r.start) spans.push([r.start, r.end]);
    const more = new Set<string>();
    contextKeys(bp.context[key]!, more);
    for (const k of more) {
      if (secretContext.has(k)) continue;
      secretContext.add(k);
      queue.push(k);
    }
  }
  if (spans.length === 0) return bp.text;
  const chars = bp.text.split('');
  for (const [s, e] of spans) for (let i = s; i < e && i < chars.length; i++) if (chars[i] !== '\n' && chars[i] !== '\r') chars[i] = '*';
  return chars.join('');
}
