// Turns the plan's blueprint-only / secret FieldChanges into writes. Secret values never travel in
// the plan: they come from the re-compiled entries, and must hash to the digest the plan recorded.
import type { Change, CompiledEntry, Diagnostic, Json, JsonObject, ServerAction } from '../model/index.js';
import type { ModelInfo } from '../authentik/registry.js';
import { diag } from '../diag/index.js';
import { extraSpec, secretText, type SensitiveFieldChange } from '../plan/index.js';
import { unescapePointer } from '../values/index.js';
import { APPLY_CODES } from './codes.js';
import type { ApplyWorld } from './world.js';

export interface ExtraWrite {
  field: string;
  /** Set in the create/patch body. */
  bodyField?: string;
  action?: Exclude<ServerAction, 'view_key' | 'apply'>;
  value: Json;
  /** Recorded in state after the write succeeds (secrets and unreadable values). */
  digest?: string;
}

const ACTION_BODY: { [a: string]: string } = { set_password: 'password', set_key: 'key', set_icon_url: 'url', set_background_url: 'url' };

export function actionPayload(w: ExtraWrite): JsonObject {
  return { [ACTION_BODY[w.action!]!]: w.value };
}

export function isExtraChange(fc: SensitiveFieldChange, entry: CompiledEntry | undefined): boolean {
  const f = unescapePointer(fc.path.slice(1));
  return fc.sensitive === true || (entry !== undefined && f in entry.secrets);
}

export { unescapePointer };

export async function extraWrites(
  change: Change,
  entry: CompiledEntry | undefined,
  info: ModelInfo,
  world: ApplyWorld,
  digest: (entryKey: string, field: string, value: string) => string,
): Promise<{ writes: ExtraWrite[] } | { error: Diagnostic }> {
  const writes: ExtraWrite[] = [];
  for (const fc of change.patch as SensitiveFieldChange[]) {
    if (!isExtraChange(fc, entry)) continue;
    const field = unescapePointer(fc.path.slice(1));
    const subject = entry?.origin.fields[field] ?? entry?.origin.range;
    const at = { entry: change.key, ...(subject ? { subject } : {}) };
    const source = entry?.secrets[field]?.value ?? entry?.attrs[field];
    const raw = fc.sensitive ? source : (fc.after ?? source);
    if (raw === undefined) {
      return { error: diag(APPLY_CODES.secretMissing, `${change.key}: \`${field}\` is set by the plan but missing from the blueprints given to apply`, at) };
    }
    await world.prepare(raw);
    const r = world.resolve(raw, change.key);
    if (!r.ok) return { error: diag(APPLY_CODES.unresolved, `${change.key}: \`${field}\` could not be computed: ${r.why}`, at) };
    const spec = extraSpec(info, field, fc.sensitive === true);
    if (spec === 'unsupported') continue;
    const d = digest(change.key, field, secretText(r.value));
    if (fc.sensitive && fc.digest !== undefined && fc.digest !== d) {
      return { error: diag(APPLY_CODES.secretChanged, `${change.key}: \`${field}\` is not the value the plan was made with; make a new plan`, at) };
    }
    const w: ExtraWrite = { field, value: r.value, digest: d };
    if (spec.via === 'body') w.bodyField = spec.bodyField;
    else w.action = spec.via;
    writes.push(w);
  }
  return { writes };
}
