// Which attrs of an entry go into a request body. The server drops read-only and unknown keys
// silently (API-NOTES §1), so sending or diffing them would only produce changes that never land.
import type { CompiledEntry } from '../model/types.js';
import type { ModelInfo } from '../authentik/registry.js';

export function sendableFields(info: ModelInfo, e: CompiledEntry): string[] {
  const ro = new Set([...info.readOnlyFields, ...info.neverSend]);
  const blind = new Set([...info.writeOnlyFields, ...info.secretFields]);
  return Object.keys(e.attrs)
    .filter((f) => f !== 'pk' && f !== info.pkField && info.fields[f] !== undefined && !ro.has(f) && !blind.has(f) && !(f in e.extras))
    .sort();
}

/**
 * Secret and write-only attrs left in attrs: never shown, and (when not read back) tracked by
 * digest in state instead of being re-sent on every apply.
 */
export function blindAttrs(info: ModelInfo, e: CompiledEntry): CompiledEntry['extras'] {
  const out: CompiledEntry['extras'] = {};
  for (const f of Object.keys(e.attrs)) {
    if (f in e.extras || !info.fields[f]) continue;
    // Shown as sensitive: a value the server never returns is a secret more often than not.
    if (info.writeOnlyFields.includes(f) || info.secretFields.includes(f)) out[f] = { value: e.attrs[f]!, secret: true };
  }
  return out;
}
