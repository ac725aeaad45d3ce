// Rollback: undo applied changes in reverse from their before-images; every step is reported and
// what cannot be undone (deletes, secrets set through actions) says so.
import type { Change, ChangeResult, Diagnostic, JsonObject, ServerClient, OwnershipState } from '../model/index.js';
import { diag } from '../diag/index.js';
import { APPLY_CODES } from './codes.js';

/** Undo information of one applied change. */
export type Undo =
  | { kind: 'delete-created'; change: Change; pk: string | number }
  | { kind: 'patch-back'; change: Change; pk: string | number; body: JsonObject }
  | { kind: 'none'; change: Change; why: string };

/** Undo in reverse; every step reported, none silently skipped. */
export async function rollback(
  undo: Undo[],
  client: ServerClient,
  results: Map<string, ChangeResult>,
  diagnostics: Diagnostic[],
  state: OwnershipState,
  count: () => void,
): Promise<boolean> {
  let ok = true;
  const outcome = new Map<string, boolean>();
  for (const u of [...undo].reverse()) {
    const key = u.change.key;
    try {
      if (u.kind === 'delete-created') {
        count();
        await client.delete(u.change.model, u.pk);
        delete state.objects[key];
        delete state.secrets[key];
      } else if (u.kind === 'patch-back') {
        count();
        await client.patch(u.change.model, u.pk, u.body);
      } else {
        ok = false;
        outcome.set(key, false);
        diagnostics.push(diag(APPLY_CODES.notUndoable, `${key}: ${u.why}`, { entry: key }));
        continue;
      }
      if (!outcome.has(key)) outcome.set(key, true);
    } catch (e) {
      ok = false;
      outcome.set(key, false);
      diagnostics.push(
        diag(APPLY_CODES.rollbackFailed, `${key}: undoing the ${u.change.action} failed: ${e instanceof Error ? e.message : String(e)}`, { entry: key }),
      );
    }
  }
  for (const [key, good] of outcome) {
    const r = results.get(key);
    if (r && r.status === 'applied') results.set(key, { ...r, status: good ? 'rolled-back' : 'rollback-failed' });
  }
  return ok;
}
