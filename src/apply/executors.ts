// One executor per action kind. Each sees only a narrow WriteContext: the run's world and
// ownership record, counted writes, and a place to leave undo information; results, progress,
// journaling and rollback stay with the run.
import type { Change, ChangeResult, CompiledEntry, Diagnostic, JsonObject, LiveObject, OwnershipState, ServerClient } from '../model/index.js';
import type { ModelInfo } from '../authentik/registry.js';
import { diag, msg } from '../diag/index.js';
import { APPLY_CODES } from './codes.js';
import { actionPayload, applyGrants, extraWrites, isExtraChange, unescapePointer, type ExtraWrite } from './extras.js';
import type { ApplyWorld } from './world.js';
import type { Undo } from './rollback.js';
import { claimPending, jsonIdentifiers, noteUnchanged, previousRecord } from './record.js';
import { at, mayHaveLanded, unresolvedDiag, who } from './diagnostics.js';
import { changedSincePlan } from './fresh.js';
import { formatIdentity } from '../values/index.js';

/** What one change came to; `diag` set = it failed without an exception. */
interface Outcome {
  status: ChangeResult['status'];
  pk?: string | number;
  diag?: Diagnostic;
}

/** What an executor may touch. */
export interface WriteContext {
  readonly client: ServerClient;
  readonly world: ApplyWorld;
  readonly state: OwnershipState;
  readonly secretDigest: (entryKey: string, field: string, value: string) => string;
  readonly now: () => Date;
  /** Sends one write, counted in the result. */
  write<T>(send: () => Promise<T>): Promise<T>;
  /** Records how to undo a write just made (or why it cannot be undone). */
  undoable(u: Undo): void;
  /** True when the plan has a change for this entry key. */
  declared(key: string): boolean;
}

export type Executor = (c: Change, info: ModelInfo, entry: CompiledEntry | undefined, cx: WriteContext) => Promise<Outcome>;

const failed = (d: Diagnostic): Outcome => ({ status: 'failed', diag: d });

/** noop and conflict: nothing to write, but the record and later references learn the object. */
const unchanged: Executor = async (c, _info, entry, cx) => {
  const { world, state } = cx;
  const same = c.sameObjectAs ? world.objectOf(c.sameObjectAs) : undefined;
  if (same) {
    // Declared again by another instance: this entry's !KeyOf users see the object too.
    world.record(c.key, same);
    state.objects[c.key] = { model: c.model, pk: same.pk, identifiers: jsonIdentifiers(c, world), adopted: state.objects[c.key]?.adopted ?? true };
    return { status: 'unchanged', pk: same.pk };
  }
  noteUnchanged(state, c, entry, (k) => cx.declared(k));
  return { status: 'unchanged', ...(c.pk !== undefined ? { pk: c.pk } : {}) };
};

const create: Executor = async (c, info, entry, cx) => {
  const { world, state } = cx;
  const body: JsonObject = {};
  for (const [f, v] of Object.entries(c.after ?? {})) {
    await world.prepare(v);
    const r = world.resolve(v, c.key);
    if (!r.ok) return failed(unresolvedDiag(c, entry, f, r.why));
    body[f] = r.value;
  }
  const ex = await extraWrites(c, entry, info, world, cx.secretDigest);
  if ('error' in ex) return failed(ex.error);
  for (const w of ex.writes) if (w.bodyField) body[w.bodyField] = w.value;
  const obj = await cx.write(() => cx.client.create(c.model, body));
  world.record(c.key, obj);
  const ids = jsonIdentifiers(c, world);
  cx.undoable({ kind: 'delete-created', change: c, pk: obj.pk, label: formatIdentity(c.model, ids), ...pathOf(info, obj) });
  state.objects[c.key] = { model: c.model, pk: obj.pk, identifiers: ids, adopted: false };
  if (state.pending) delete state.pending[c.key];
  await runActions(c, info, obj, ex.writes, cx);
  return { status: 'applied', pk: obj.pk };
};

const update: Executor = async (c, info, entry, cx) => {
  const { world, state, client } = cx;
  const pk = c.pk ?? (c.sameObjectAs ? world.objectOf(c.sameObjectAs)?.pk : undefined);
  if (pk === undefined)
    return failed(
      diag(
        APPLY_CODES.gone,
        c.sameObjectAs === undefined
          ? msg(APPLY_CODES.gone, 'changeDidNotRun', { who: who(c) })
          : msg(APPLY_CODES.gone, 'creatorDidNotRun', { who: who(c), creator: c.sameObjectAs }),
        at(c, entry),
      ),
    );
  const current = await client.get(c.model, pk);
  if (!current) return failed(diag(APPLY_CODES.gone, msg(APPLY_CODES.gone, 'noLongerExists', { who: who(c), model: c.model, pk: String(pk) }), at(c, entry)));
  // An object this run created has no plan-time body to be stale against.
  const stale = c.sameObjectAs ? [] : changedSincePlan(info, c.patch, current.body);
  if (stale.length) {
    return failed(
      diag(APPLY_CODES.stale, msg(APPLY_CODES.stale, 'changedMakeNewPlan', { who: who(c), fields: stale.join(', ') }), {
        ...at(c, entry, stale[0]),
        detail: msg(APPLY_CODES.stale, 'changedMakeNewPlanDetail', {}),
      }),
    );
  }
  const body: JsonObject = {};
  const undoBody: JsonObject = {};
  for (const fc of c.patch) {
    if (isExtraChange(fc, entry)) continue;
    const f = unescapePointer(fc.path.slice(1));
    const now = current.body[f];
    const v = c.after?.[f] ?? fc.after;
    if (v === undefined) continue;
    await world.prepare(v);
    const r = world.resolve(v, c.key);
    if (!r.ok) return failed(unresolvedDiag(c, entry, f, r.why));
    body[f] = r.value;
    if (now !== undefined) undoBody[f] = now;
  }
  const ex = await extraWrites(c, entry, info, world, cx.secretDigest);
  if ('error' in ex) return failed(ex.error);
  // A value the server never shows (a write-only secret) has no before-image to patch back.
  let unrestorable = ex.writes.some((w) => w.action);
  for (const w of ex.writes) {
    if (!w.bodyField) continue;
    body[w.bodyField] = w.value;
    const was = current.body[w.bodyField];
    if (was === undefined) unrestorable = true;
    else undoBody[w.bodyField] = was;
  }
  let obj: LiveObject = current;
  const label = formatIdentity(c.model, jsonIdentifiers(c, world));
  if (Object.keys(body).length) {
    resendBindingSubject(info, current.body, body);
    resendBindingSubject(info, current.body, undoBody);
    // Undoing the change undoes its record too: a rolled-back update must not leave the object adopted.
    const prior = {
      ...(state.objects[c.key] ? { object: state.objects[c.key] } : {}),
      ...(state.secrets[c.key] ? { secrets: structuredClone(state.secrets[c.key]) } : {}),
    };
    const back: Undo = { kind: 'patch-back', change: c, pk, body: undoBody, label, ...pathOf(info, current), prior };
    try {
      obj = await cx.write(() => client.patch(c.model, pk, body));
    } catch (e) {
      // It may have landed: setting the before-image back is harmless if it did not.
      if (mayHaveLanded(e)) cx.undoable(back);
      throw e;
    }
    cx.undoable(back);
  }
  if (unrestorable) cx.undoable({ kind: 'none', change: c, why: msg(APPLY_CODES.notUndoable, 'secretOrAction', {}), label });
  world.record(c.key, obj);
  const prev = previousRecord(state, c.key, c.model, obj.pk, (k) => cx.declared(k));
  state.objects[c.key] = {
    model: c.model,
    pk: obj.pk,
    identifiers: jsonIdentifiers(c, world),
    adopted: prev ? prev.adopted : !claimPending(state, c.key, c.model),
  };
  await runActions(c, info, obj, ex.writes, cx);
  return { status: 'applied', pk: obj.pk };
};

const remove: Executor = async (c, _info, _entry, cx) => {
  await cx.write(() => cx.client.delete(c.model, c.pk!));
  cx.world.forget(c.key, c.model);
  delete cx.state.objects[c.key];
  delete cx.state.secrets[c.key];
  cx.undoable({ kind: 'none', change: c, why: msg(APPLY_CODES.notUndoable, 'deleted', {}), label: formatIdentity(c.model, jsonIdentifiers(c)) });
  return { status: 'applied', pk: c.pk! };
};

export const EXECUTORS: Record<Change['action'], Executor> = { noop: unchanged, conflict: unchanged, create, update, delete: remove };

/** Secrets and blueprint-only values set through detail actions, then their digests recorded. */
async function runActions(c: Change, info: ModelInfo, obj: LiveObject, ws: ExtraWrite[], cx: WriteContext): Promise<void> {
  await applyGrants(
    c,
    obj,
    cx.client,
    cx.world,
    (send) => cx.write(send),
    (u) => cx.undoable(u),
    // Only a change with grants needs it: most have none, and resolving identifiers is per write.
    () => formatIdentity(c.model, jsonIdentifiers(c, cx.world)),
  );
  for (const w of ws) {
    if (w.action) await cx.write(() => cx.client.action(c.model, obj.pk, w.action!, actionPayload(w)));
  }
  if (!ws.length) return;
  let serverChangeDate: string | undefined;
  if (ws.some((w) => w.field === 'password') && info.fields.password_change_date) {
    const after = await cx.client.get(c.model, obj.pk);
    const d = after?.body.password_change_date;
    if (typeof d === 'string') serverChangeDate = d;
  }
  const rec = (cx.state.secrets[c.key] ??= {});
  for (const w of ws) {
    if (!w.digest) continue;
    rec[w.field] = { digest: w.digest, setAt: cx.now().toISOString(), ...(w.field === 'password' && serverChangeDate ? { serverChangeDate } : {}) };
  }
}

/** PolicyBinding PATCH validates "one of policy/group/user" on the sent fields only (API-NOTES §11). */
function resendBindingSubject(info: ModelInfo, live: JsonObject, body: JsonObject): void {
  if (!Object.values(info.references ?? {}).some((r) => r.policyBindingTarget)) return;
  for (const f of ['policy', 'group', 'user']) {
    if (!(f in body) && live[f] !== undefined && live[f] !== null) body[f] = live[f]!;
  }
}

/** Where a person finds the object over the API (below the client's base URL). */
export function pathOf(info: ModelInfo, obj: LiveObject): { path?: string } {
  if (!info.apiPath) return {};
  const lookup = info.lookupField && info.lookupField !== info.pkField ? obj.body[info.lookupField] : obj.pk;
  return typeof lookup === 'string' || typeof lookup === 'number' ? { path: `${info.apiPath}${encodeURIComponent(String(lookup))}/` } : {};
}
