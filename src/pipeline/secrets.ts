// Blueprint texts as diagnostics may show them: the values of secret fields (user `password`,
// token `key`, write-only secrets, echoed ones such as `client_secret`) masked character for
// character, so every offset, line and column stays valid while no code frame can print a
// secret, however it is written (flow collection, tag default, block scalar). Pure.
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

export function maskSecretValues(bp: ParsedBlueprint, registry: Registry): string {
  const spans: [number, number][] = [];
  for (const e of bp.entries) {
    const secret = secretFieldsOf(registry, e.model);
    if (secret.size === 0) continue;
    for (const part of ['attrs', 'identifiers'] as const) {
      for (const field of Object.keys(e[part])) {
        if (!secret.has(field)) continue;
        const r = bp.pointers.get(`${e.pointer}/${part}/${escapePointer(field)}`);
        if (r && r.end > r.start) spans.push([r.start, r.end]);
      }
    }
  }
  if (spans.length === 0) return bp.text;
  const chars = bp.text.split('');
  for (const [s, e] of spans) for (let i = s; i < e && i < chars.length; i++) if (chars[i] !== '\n' && chars[i] !== '\r') chars[i] = '*';
  return chars.join('');
}
