// Rollback: undo applied changes in reverse from their before-images; every step is reported and
// what cannot be undone (deletes, secrets set through actions, lost creates) says so, naming the
// object as a person finds it and how to finish by hand.
import type { Change, ChangeResult, Diagnostic, JsonObject, PermissionAssignment, ServerClient, OwnershipState } from '../model/index.js';
import { diag, msg } from '../diag/index.js';
import { APPLY_CODES } from './codes.js';

/** What the ownership state held for an entry before its change: restored when the change is undone. */
interface PriorRecord {
  object?: OwnershipState['objects'][string];
  secrets?: OwnershipState['secrets'][string];
}

/** Undo information of one applied change; `label` and `path` name the object for people. */
export type Undo =
  | { kind: 'delete-created'; change: Change; pk: string | number; label: string; path?: string }
  | { kind: 'patch-back'; change: Change; pk: string | number; body: JsonObject; label: string; path?: string; prior: PriorRecord }
  /** Permissions a grant added that the role did not hold before (its before-image), taken back. */
  | { kind: 'unassign'; change: Change; pk: string | number; role: string; assignment: PermissionAssignment; label: string }
  | { kind: 'none'; change: Change; why: string; label: string };

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
  const url = (path: string | undefined) => (path ? `${client.baseUrl.replace(/\/+$/, '')}${path}` : undefined);
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
        restore(state, key, u.prior);
      } else if (u.kind === 'unassign') {
        if (!client.rbac) throw new Error("this client cannot reach authentik's RBAC endpoints");
        count();
        await client.rbac.unassign(u.role, u.assignment);
      } else {
        ok = false;
        outcome.set(key, false);
        diagnostics.push(diag(APPLY_CODES.notUndoable, msg(APPLY_CODES.notUndoable, 'cannotUndo', { label: u.label, why: u.why }), { entry: key }));
        continue;
      }
      if (!outcome.has(key)) outcome.set(key, true);
    } catch (e) {
      ok = false;
      outcome.set(key, false);
      const why = e instanceof Error ? e.message : String(e);
      const where = url(u.kind === 'none' ? undefined : u.kind === 'unassign' ? unassignPath(u.role) : u.path);
      if (u.kind === 'delete-created') {
        diagnostics.push(
          diag(APPLY_CODES.rollbackFailed, msg(APPLY_CODES.rollbackFailed, 'notDeleted', { label: u.label, pk: String(u.pk), why }), {
            entry: key,
            detail: where ? msg(APPLY_CODES.rollbackFailed, 'notDeletedDetailAt', { where }) : msg(APPLY_CODES.rollbackFailed, 'notDeletedDetail', {}),
          }),
        );
      } else if (u.kind === 'patch-back') {
        // Field names only: a before-image may hold values that must not be printed.
        const fields = Object.keys(u.body).sort().join(', ');
        diagnostics.push(
          diag(APPLY_CODES.rollbackFailed, msg(APPLY_CODES.rollbackFailed, 'notSetBack', { label: u.label, pk: String(u.pk), fields, why }), {
            entry: key,
            detail: where
              ? msg(APPLY_CODES.rollbackFailed, 'notSetBackDetailAt', { fields, where })
              : msg(APPLY_CODES.rollbackFailed, 'notSetBackDetail', { fields }),
          }),
        );
      } else if (u.kind === 'unassign') {
        // The call's body would list the permissions: the plan shows them, the message does not.
        diagnostics.push(
          diag(APPLY_CODES.rollbackFailed, msg(APPLY_CODES.rollbackFailed, 'notTakenBack', { label: u.label, pk: String(u.pk), role: u.role, why }), {
            entry: key,
            detail:
              u.assignment.object_pk === undefined
                ? msg(APPLY_CODES.rollbackFailed, 'notTakenBackDetail', { where: String(where) })
                : msg(APPLY_CODES.rollbackFailed, 'notTakenBackObjectDetail', { where: String(where) }),
          }),
        );
      }
    }
  }
  for (const [key, good] of outcome) {
    const r = results.get(key);
    if (r && r.status === 'applied') results.set(key, { ...r, status: good ? 'rolled-back' : 'rollback-failed' });
  }
  return ok;
}

/** A create whose answer was lost may have made an object nobody can undo without its pk. */
export function lostCreate(c: Change, label: string, listUrl: string | undefined): Diagnostic {
  return diag(APPLY_CODES.rollbackFailed, msg(APPLY_CODES.rollbackFailed, 'lostCreate', { label }), {
    entry: c.key,
    detail: listUrl ? msg(APPLY_CODES.rollbackFailed, 'lostCreateDetailIn', { listUrl }) : msg(APPLY_CODES.rollbackFailed, 'lostCreateDetail', {}),
  });
}

/** Below the API base: rbac_permissions_assigned_by_roles_unassign_partial_update. */
function unassignPath(role: string): string {
  return `/rbac/permissions/assigned_by_roles/${encodeURIComponent(role)}/unassign/`;
}

function restore(state: OwnershipState, key: string, prior: PriorRecord): void {
  if (prior.object) state.objects[key] = prior.object;
  else delete state.objects[key];
  if (prior.secrets) state.secrets[key] = prior.secrets;
  else delete state.secrets[key];
}
