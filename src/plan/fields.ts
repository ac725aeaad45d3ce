// Which attrs of an entry go into a request body. The server drops read-only and unknown keys
// silently (API-NOTES §1), so sending or diffing them would only produce changes that never land.
// Secret, write-only and blueprint-only fields are not among the attrs at all: compile moved them
// to the entry's `secrets`.
import type { CompiledEntry } from '../model/types.js';
import type { ModelInfo } from '../authentik/registry.js';

export function sendableFields(info: ModelInfo, e: CompiledEntry): string[] {
  const ro = new Set([...info.readOnlyFields, ...info.neverSend]);
  return Object.keys(e.attrs)
    .filter((f) => f !== 'pk' && f !== info.pkField && info.fields[f] !== undefined && !ro.has(f))
    .sort();
}
