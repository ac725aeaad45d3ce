// Plan + ServerClient → ApplyResult: the only stage that writes. Wave by wave, re-reading every
// object before patching it, stopping at the first failure; optionally undoing what it did.
// Never prints: progress goes to the optional callback, everything else into the result.
import type {
  ApplyResult,
  Change,
  ChangeResult,
  CompiledEntry,
  Diagnostic,
  JsonObject,
  LiveObject,
  Plan,
  ServerClient,
  OwnershipState,
} from '../model/index.js';
import type { ModelInfo, Registry } from '../authentik/registry.js';
import { findModel } from '../authentik/registry.js';
import { diag } from '../diag/index.js';
import { mapLimit } from '../values/index.js';
import { APPLY_CODES } from './codes.js';
import { actionPayload, applyGrants, extraWrites, isExtraChange, unescapePointer, type ExtraWrite } from './extras.js';
import { ApplyWorld } from './world.js';
import { rollback, type Undo } from './rollback.js';
import { claimPending, jsonIdentifiers, noteUnchanged, previousRecord } from './record.js';
import { at, errorDiag, unresolvedDiag } from './diagnostics.js';
import { changedSincePlan } from './fresh.js';

export { checkPlanFresh } from './fresh.js';
export { APPLY_CODES } from './codes.js';

export interface ApplyOptions {
  registry: Registry;
  /** Independent changes of one wave written at once (default 4). */
  concurrency?: number;
  /** On a failure, undo every applied change, of finished instances too (`--rollback-on-failure`). */
  rollbackOnFailure?: boolean;
  /**
   * On a failure, keep what was applied (`--no-rollback`). By default the changes of every
   * blueprint instance (file) that did not finish are undone, as authentik's per-blueprint
   * transaction would; instances that finished stay.
   */
  keepPartial?: boolean;
  /** The compiled entries of the plan's source: secrets and deferred inputs come from here. */
  entries: CompiledEntry[];
  state: OwnershipState;
  secretDigest: (entryKey: string, field: string, value: string) => string;
  now: () => Date;
  onProgress?: (r: ChangeResult, done: number, total: number) => void;
  /** Makes the record durable (the state backend's journal); awaited before the next write. */
  journal?: (state: OwnershipState) => Promise<void>;
}

export async function apply(plan: Plan, client: ServerClient, opts: ApplyOptions): Promise<{ result: ApplyResult; state: OwnershipState }> {
  const reg = opts.registry;
  const state = cloneState(opts.state);
  const results = new Map<string, ChangeResult>();
  const diagnostics: Diagnostic[] = [];
  let writes = 0;
  const total = plan.changes.length;
  let done = 0;
  const report = (r: ChangeResult): void => {
    results.set(r.key, r);
    done++;
    opts.onProgress?.(r, done, total);
  };

  if (!plan.applyable) {
    diagnostics.push(diag(APPLY_CODES.notApplyable, 'the plan has errors or conflicts; nothing was written'));
    for (const c of plan.changes) report(result(c, 'not-attempted'));
    return { result: finish(plan, results, diagnostics, 0, 'failed'), state };
  }

  const world = new ApplyWorld(reg, client, opts.entries, plan);
  const planned = new Set(plan.changes.map((c) => c.key));
  const inPlan = (k: string): boolean => planned.has(k);
  const undo: Undo[] = [];
  let failed = false;
  const counted = async <T>(p: () => Promise<T>): Promise<T> => {
    writes++;
    return p();
  };

  // A record that cannot be made durable stops the run: writing on would create objects nobody owns.
  const durable = async (): Promise<void> => {
    if (!opts.journal) return;
    try {
      await opts.journal(state);
    } catch (e) {
      if (!failed) diagnostics.push(diag(APPLY_CODES.notRecorded, `the ownership record could not be written: ${e instanceof Error ? e.message : String(e)}`));
      failed = true;
    }
  };

  const run = async (c: Change): Promise<void> => {
    if (failed) {
      report(result(c, 'not-attempted'));
      return;
    }
    const info = findModel(reg, c.model);
    const entry = world.entry(c.key);
    try {
      if (!info) throw new Error(`model ${c.model} unknown to authentik ${reg.version}`);
      const outcome = await execute(c, info, entry);
      if (outcome.diag) {
        failed = true;
        report({ ...result(c, 'failed'), diagnostics: [outcome.diag] });
        return;
      }
      report({ ...result(c, outcome.status), ...(outcome.pk !== undefined ? { pk: outcome.pk } : {}) });
    } catch (e) {
      failed = true;
      report({ ...result(c, 'failed'), diagnostics: [errorDiag(e, c, entry)] });
    }
    if (c.action !== 'noop' && c.action !== 'conflict') await durable();
  };

  const execute = async (
    c: Change,
    info: ModelInfo,
    entry: CompiledEntry | undefined,
  ): Promise<{ status: ChangeResult['status']; pk?: string | number; diag?: Diagnostic }> => {
    switch (c.action) {
      case 'noop':
      case 'conflict': {
        const same = c.sameObjectAs ? world.objectOf(c.sameObjectAs) : undefined;
        if (same) {
          // Declared again by another instance: this entry's !KeyOf users see the object too.
          world.record(c.key, same);
          state.objects[c.key] = { model: c.model, pk: same.pk, identifiers: jsonIdentifiers(c, world), adopted: state.objects[c.key]?.adopted ?? true };
          return { status: 'unchanged', pk: same.pk };
        }
        noteUnchanged(state, c, entry, inPlan);
        return { status: 'unchanged', ...(c.pk !== undefined ? { pk: c.pk } : {}) };
      }
      case 'create':
        return create(c, info, entry);
      case 'update':
        return update(c, info, entry);
      case 'delete': {
        await counted(() => client.delete(c.model, c.pk!));
        world.forget(c.key, c.model);
        delete state.objects[c.key];
        delete state.secrets[c.key];
        undo.push({ kind: 'none', change: c, why: 'a deleted object cannot be restored' });
        return { status: 'applied', pk: c.pk! };
      }
    }
  };

  const create = async (c: Change, info: ModelInfo, entry: CompiledEntry | undefined) => {
    const body: JsonObject = {};
    for (const [f, v] of Object.entries(c.after ?? {})) {
      await world.prepare(v);
      const r = world.resolve(v, c.key);
      if (!r.ok) return { status: 'failed' as const, diag: unresolvedDiag(c, entry, f, r.why) };
      body[f] = r.value;
    }
    const ex = await extraWrites(c, entry, info, world, opts.secretDigest);
    if ('error' in ex) return { status: 'failed' as const, diag: ex.error };
    for (const w of ex.writes) if (w.bodyField) body[w.bodyField] = w.value;
    const obj = await counted(() => client.create(c.model, body));
    world.record(c.key, obj);
    undo.push({ kind: 'delete-created', change: c, pk: obj.pk });
    state.objects[c.key] = { model: c.model, pk: obj.pk, identifiers: jsonIdentifiers(c, world), adopted: false };
    if (state.pending) delete state.pending[c.key];
    await runActions(c, info, obj, ex.writes);
    return { status: 'applied' as const, pk: obj.pk };
  };

  const update = async (c: Change, info: ModelInfo, entry: CompiledEntry | undefined) => {
    const pk = c.pk ?? (c.sameObjectAs ? world.objectOf(c.sameObjectAs)?.pk : undefined);
    if (pk === undefined)
      return {
        status: 'failed' as const,
        diag: diag(APPLY_CODES.gone, `${c.key}: ${c.sameObjectAs ?? 'the change'} that creates this object did not run`, at(c, entry)),
      };
    const current = await client.get(c.model, pk);
    if (!current)
      return { status: 'failed' as const, diag: diag(APPLY_CODES.gone, `${c.key}: ${c.model} ${String(pk)} no longer exists; make a new plan`, at(c, entry)) };
    // An object this run created has no plan-time body to be stale against.
    const stale = c.sameObjectAs ? [] : changedSincePlan(info, c.patch, current.body);
    if (stale.length) {
      return {
        status: 'failed' as const,
        diag: diag(APPLY_CODES.stale, `${c.key}: ${stale.join(', ')} changed on the server since the plan; make a new plan`, {
          ...at(c, entry, stale[0]),
          detail: 'akbp refuses to overwrite a change it has not shown you.',
        }),
      };
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
      if (!r.ok) return { status: 'failed' as const, diag: unresolvedDiag(c, entry, f, r.why) };
      body[f] = r.value;
      if (now !== undefined) undoBody[f] = now;
    }
    const ex = await extraWrites(c, entry, info, world, opts.secretDigest);
    if ('error' in ex) return { status: 'failed' as const, diag: ex.error };
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
    if (Object.keys(body).length) {
      resendBindingSubject(info, current.body, body);
      resendBindingSubject(info, current.body, undoBody);
      obj = await counted(() => client.patch(c.model, pk, body));
      undo.push({ kind: 'patch-back', change: c, pk, body: undoBody });
    }
    if (unrestorable) undo.push({ kind: 'none', change: c, why: 'a secret the server never shows, or a value set through its action, cannot be restored' });
    world.record(c.key, obj);
    const prev = previousRecord(state, c.key, c.model, obj.pk, inPlan);
    state.objects[c.key] = {
      model: c.model,
      pk: obj.pk,
      identifiers: jsonIdentifiers(c, world),
      adopted: prev ? prev.adopted : !claimPending(state, c.key, c.model),
    };
    await runActions(c, info, obj, ex.writes);
    return { status: 'applied' as const, pk: obj.pk };
  };

  const runActions = async (c: Change, info: ModelInfo, obj: LiveObject, ws: ExtraWrite[]): Promise<void> => {
    await applyGrants(c, obj, client, world, counted);
    for (const w of ws) {
      if (w.action) await counted(() => client.action(c.model, obj.pk, w.action!, actionPayload(w)));
    }
    if (!ws.length) return;
    let serverChangeDate: string | undefined;
    if (ws.some((w) => w.field === 'password') && info.fields.password_change_date) {
      const after = await client.get(c.model, obj.pk);
      const d = after?.body.password_change_date;
      if (typeof d === 'string') serverChangeDate = d;
    }
    const rec = (state.secrets[c.key] ??= {});
    for (const w of ws) {
      if (!w.digest) continue;
      rec[w.field] = { digest: w.digest, setAt: opts.now().toISOString(), ...(w.field === 'password' && serverChangeDate ? { serverChangeDate } : {}) };
    }
  };

  // Writes wave by wave, then deletes wave by wave (the plan's order already says so).
  const groups = groupWaves(plan.changes);
  for (const g of groups) {
    // Write-ahead: the creates of a wave are announced before any is sent, so an object whose
    // answer a killed run never recorded is still known as akbp's when the next run finds it.
    const creates = failed || !opts.journal ? [] : g.filter((c) => c.action === 'create');
    if (creates.length) {
      state.pending ??= {};
      for (const c of creates) state.pending[c.key] = { model: c.model, at: opts.now().toISOString() };
      await durable();
    }
    await mapLimit(g, Math.max(1, opts.concurrency ?? 4), run);
  }

  // Adopted objects no entry declares any more stay recorded: --prune-adopted may delete them later
  // (`akbp state rm` forgets one); a record whose object is gone is dropped by its prune noop.
  const declared = new Set(opts.entries.map((e) => e.key));
  // A create never sent leaves nothing to claim; one that failed uncertainly might have landed.
  for (const c of plan.changes) if (results.get(c.key)?.status === 'not-attempted' && state.pending) delete state.pending[c.key];
  for (const k of Object.keys(state.pending ?? {})) if (!declared.has(k)) delete state.pending![k];
  if (state.pending && Object.keys(state.pending).length === 0) delete state.pending;

  let phase: ApplyResult['phase'] = 'succeeded';
  if (failed) {
    const applied = undo.length > 0;
    phase = applied ? 'partial' : 'failed';
    if (applied && !opts.keepPartial) {
      const unfinished = unfinishedInstances(plan.changes, results);
      const scope = opts.rollbackOnFailure ? undo : undo.filter((u) => unfinished.has(instanceOf(u.change)));
      if (scope.length > 0) {
        const ok = await rollback(scope, client, results, diagnostics, state, () => writes++);
        phase = ok && scope.length === undo.length ? 'rolled-back' : 'partial';
        const names = [...new Set(scope.map((u) => instanceOf(u.change)))].sort();
        diagnostics.push(
          diag(APPLY_CODES.instanceRolledBack, `${ok ? 'rolled back' : 'tried to roll back'} ${scope.length} applied change(s) of ${names.join(', ')}`, {
            detail: opts.rollbackOnFailure
              ? 'every applied change was undone (--rollback-on-failure)'
              : 'a blueprint is applied whole or not at all, as authentik applies it in one transaction; blueprints that finished stay applied (--no-rollback keeps everything)',
          }),
        );
      }
    }
  }
  return { result: finish(plan, results, diagnostics, writes, phase), state };
}

/** A change's blueprint instance: the file its entry comes from (prune deletes have none). */
function instanceOf(c: Change): string {
  return c.origin?.uri ?? '(prune)';
}

/** Instances with a write that failed or was not attempted: their applied writes are undone. */
function unfinishedInstances(changes: Change[], results: Map<string, ChangeResult>): Set<string> {
  const out = new Set<string>();
  for (const c of changes) {
    if (c.action === 'noop' || c.action === 'conflict') continue;
    const st = results.get(c.key)?.status ?? 'not-attempted';
    if (st === 'failed' || st === 'not-attempted') out.add(instanceOf(c));
  }
  return out;
}

function groupWaves(changes: Change[]): Change[][] {
  const out: Change[][] = [];
  let cur: Change[] = [];
  let last: string | undefined;
  for (const c of changes) {
    const id = `${c.action === 'delete' ? 1 : 0}:${c.wave}`;
    if (last !== undefined && id !== last) {
      out.push(cur);
      cur = [];
    }
    cur.push(c);
    last = id;
  }
  if (cur.length) out.push(cur);
  return out;
}

/** PolicyBinding PATCH validates "one of policy/group/user" on the sent fields only (API-NOTES §11). */
function resendBindingSubject(info: ModelInfo, live: JsonObject, body: JsonObject): void {
  if (!Object.values(info.references ?? {}).some((r) => r.policyBindingTarget)) return;
  for (const f of ['policy', 'group', 'user']) {
    if (!(f in body) && live[f] !== undefined && live[f] !== null) body[f] = live[f]!;
  }
}

function result(c: Change, status: ChangeResult['status']): ChangeResult {
  const r: ChangeResult = { key: c.key, model: c.model, action: c.action, status, diagnostics: [] };
  if (c.pk !== undefined) r.pk = c.pk;
  return r;
}

function finish(plan: Plan, results: Map<string, ChangeResult>, diagnostics: Diagnostic[], writes: number, phase: ApplyResult['phase']): ApplyResult {
  const list = plan.changes.map((c) => results.get(c.key) ?? result(c, 'not-attempted'));
  return { phase, results: list, diagnostics, writes };
}

function cloneState(s: OwnershipState): OwnershipState {
  return JSON.parse(JSON.stringify(s)) as OwnershipState;
}
