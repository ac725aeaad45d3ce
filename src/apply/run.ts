// One apply run: the state every executor shares (results, the ownership record, undo
// information, whether it failed) and the policy around them: wave order, write-ahead of
// creates, journaling, stopping at the first failure, rollback by blueprint instance.
import type { ApplyResult, Change, ChangeResult, CompiledEntry, Diagnostic, OwnershipState, Plan, ServerClient } from '../model/index.js';
import type { Registry } from '../authentik/registry.js';
import { findModel } from '../authentik/registry.js';
import { diag, msg } from '../diag/index.js';
import { formatIdentity, mapLimit } from '../values/index.js';
import { APPLY_CODES } from './codes.js';
import { ApplyWorld } from './world.js';
import { lostCreate, rollback, type Undo } from './rollback.js';
import { jsonIdentifiers } from './record.js';
import { errorDiag } from './diagnostics.js';
import { EXECUTORS, pathOf, type WriteContext } from './executors.js';

export interface RunOptions {
  registry: Registry;
  concurrency?: number;
  rollbackOnFailure?: boolean;
  keepPartial?: boolean;
  entries: CompiledEntry[];
  secretDigest: (entryKey: string, field: string, value: string) => string;
  now: () => Date;
  onProgress?: (r: ChangeResult, done: number, total: number) => void;
  journal?: (state: OwnershipState) => Promise<void>;
}

/** Results and progress: shared by a refused plan and a run. */
class Progress {
  readonly results = new Map<string, ChangeResult>();
  readonly diagnostics: Diagnostic[] = [];
  private done = 0;

  constructor(
    private readonly plan: Plan,
    private readonly onProgress?: RunOptions['onProgress'],
  ) {}

  report(r: ChangeResult): void {
    this.results.set(r.key, r);
    this.done++;
    this.onProgress?.(r, this.done, this.plan.changes.length);
  }

  result(writes: number, phase: ApplyResult['phase']): ApplyResult {
    const list = this.plan.changes.map((c) => this.results.get(c.key) ?? resultOf(c, 'not-attempted'));
    return { phase, results: list, diagnostics: this.diagnostics, writes };
  }
}

/** A plan with errors or conflicts: nothing is written, every change is reported not attempted. */
export function refuse(plan: Plan, onProgress?: RunOptions['onProgress']): ApplyResult {
  const p = new Progress(plan, onProgress);
  p.diagnostics.push(diag(APPLY_CODES.notApplyable, msg(APPLY_CODES.notApplyable, 'hasErrors', {})));
  for (const c of plan.changes) p.report(resultOf(c, 'not-attempted'));
  return p.result(0, 'failed');
}

export class ApplyRun implements WriteContext {
  readonly world: ApplyWorld;
  readonly secretDigest: RunOptions['secretDigest'];
  readonly now: () => Date;
  private readonly progress: Progress;
  private readonly planned: Set<string>;
  private readonly undo: Undo[] = [];
  private writes = 0;
  private failed = false;

  constructor(
    private readonly plan: Plan,
    readonly client: ServerClient,
    readonly state: OwnershipState,
    private readonly opts: RunOptions,
  ) {
    this.world = new ApplyWorld(opts.registry, client, opts.entries, plan);
    this.secretDigest = opts.secretDigest;
    this.now = opts.now;
    this.progress = new Progress(plan, opts.onProgress);
    this.planned = new Set(plan.changes.map((c) => c.key));
  }

  async write<T>(send: () => Promise<T>): Promise<T> {
    this.writes++;
    return send();
  }

  undoable(u: Undo): void {
    this.undo.push(u);
  }

  declared(key: string): boolean {
    return this.planned.has(key);
  }

  async run(): Promise<ApplyResult> {
    // Writes wave by wave, then deletes wave by wave (the plan's order already says so).
    for (const g of groupWaves(this.plan.changes)) {
      // Write-ahead: the creates of a wave are announced before any is sent, so an object whose
      // answer a killed run never recorded is still known as akbp's when the next run finds it.
      const creates = this.failed || !this.opts.journal ? [] : g.filter((c) => c.action === 'create');
      if (creates.length) {
        this.state.pending ??= {};
        for (const c of creates) this.state.pending[c.key] = { model: c.model, at: this.now().toISOString() };
        await this.durable();
      }
      await mapLimit(g, Math.max(1, this.opts.concurrency ?? 4), (c) => this.change(c));
    }
    this.settlePending();
    // The rollback writes too: count after it.
    const phase = await this.finish();
    return this.progress.result(this.writes, phase);
  }

  private async change(c: Change): Promise<void> {
    if (this.failed) {
      this.progress.report(resultOf(c, 'not-attempted'));
      return;
    }
    const reg = this.opts.registry;
    const info = findModel(reg, c.model);
    const entry = this.world.entry(c.key);
    try {
      if (!info) throw new Error(`model ${c.model} unknown to authentik ${reg.version}`);
      const outcome = await EXECUTORS[c.action](c, info, entry, this);
      if (outcome.diag) {
        this.failed = true;
        this.progress.report({ ...resultOf(c, 'failed'), diagnostics: [outcome.diag] });
        return;
      }
      this.progress.report({ ...resultOf(c, outcome.status), ...(outcome.pk !== undefined ? { pk: outcome.pk } : {}) });
    } catch (e) {
      this.failed = true;
      this.progress.report({ ...resultOf(c, 'failed'), diagnostics: [errorDiag(e, c, entry)] });
    }
    if (c.action !== 'noop' && c.action !== 'conflict') await this.durable();
  }

  // A record that cannot be made durable stops the run: writing on would create objects nobody owns.
  private async durable(): Promise<void> {
    if (!this.opts.journal) return;
    try {
      await this.opts.journal(this.state);
    } catch (e) {
      if (!this.failed)
        this.progress.diagnostics.push(
          diag(APPLY_CODES.notRecorded, msg(APPLY_CODES.notRecorded, 'notWritten', { why: e instanceof Error ? e.message : String(e) })),
        );
      this.failed = true;
    }
  }

  private settlePending(): void {
    const { state } = this;
    // Adopted objects no entry declares any more stay recorded: --prune-adopted may delete them later
    // (`akbp state rm` forgets one); a record whose object is gone is dropped by its prune noop.
    const declared = new Set(this.opts.entries.map((e) => e.key));
    // A create never sent leaves nothing to claim; one that failed uncertainly might have landed.
    for (const c of this.plan.changes) if (this.progress.results.get(c.key)?.status === 'not-attempted' && state.pending) delete state.pending[c.key];
    for (const k of Object.keys(state.pending ?? {})) if (!declared.has(k)) delete state.pending![k];
    if (state.pending && Object.keys(state.pending).length === 0) delete state.pending;
  }

  /** The phase, after undoing what the options and the failure say. */
  private async finish(): Promise<ApplyResult['phase']> {
    if (!this.failed) return 'succeeded';
    const { undo, opts } = this;
    const applied = undo.length > 0;
    let phase: ApplyResult['phase'] = applied ? 'partial' : 'failed';
    if (opts.keepPartial) return phase;
    const { results, diagnostics } = this.progress;
    const unfinished = unfinishedInstances(this.plan.changes, results);
    // Even an instance with nothing applied may hold a create whose answer was lost.
    const lost = this.plan.changes.filter(
      (c) =>
        c.action === 'create' &&
        unfinished.has(instanceOf(c)) &&
        results.get(c.key)?.status === 'failed' &&
        results.get(c.key)!.diagnostics.some((d) => d.code === APPLY_CODES.uncertain.code),
    );
    let lostOk = true;
    for (const c of lost) if (!(await this.undoLostCreate(c))) lostOk = false;
    if (!applied) return phase;
    const scope = opts.rollbackOnFailure ? undo : undo.filter((u) => unfinished.has(instanceOf(u.change)));
    if (scope.length === 0) return phase;
    const ok = (await rollback(scope, this.client, results, diagnostics, this.state, () => this.writes++)) && lostOk;
    phase = ok && scope.length === undo.length ? 'rolled-back' : 'partial';
    const names = [...new Set(scope.map((u) => instanceOf(u.change)))].sort();
    diagnostics.push(
      diag(
        APPLY_CODES.instanceRolledBack,
        ok
          ? msg(APPLY_CODES.instanceRolledBack, 'rolledBack', { count: scope.length, instances: names.join(', ') })
          : msg(APPLY_CODES.instanceRolledBack, 'triedRollBack', { count: scope.length, instances: names.join(', ') }),
        {
          detail: opts.rollbackOnFailure
            ? msg(APPLY_CODES.instanceRolledBack, 'rollbackOnFailureDetail', {})
            : msg(APPLY_CODES.instanceRolledBack, 'wholeBlueprintDetail', {}),
        },
      ),
    );
    return phase;
  }

  // A create whose answer was lost may have landed: look for it, and undo it like any other.
  private async undoLostCreate(c: Change): Promise<boolean> {
    const { state, client } = this;
    const { results, diagnostics } = this.progress;
    const ids = jsonIdentifiers(c, this.world);
    const label = formatIdentity(c.model, ids);
    const info = findModel(this.opts.registry, c.model);
    const found = await this.world.lookFor(c, ids);
    if (found === undefined) {
      diagnostics.push(lostCreate(c, label, info?.apiPath ? `${client.baseUrl.replace(/\/+$/, '')}${info.apiPath}` : undefined));
      return false;
    }
    if (state.pending) delete state.pending[c.key];
    if (found === null) return true;
    const u: Undo = { kind: 'delete-created', change: c, pk: found.pk, label, ...(info ? pathOf(info, found) : {}) };
    state.objects[c.key] = { model: c.model, pk: found.pk, identifiers: ids, adopted: false };
    const ok = await rollback([u], client, results, diagnostics, state, () => this.writes++);
    if (ok)
      diagnostics.push(
        diag(APPLY_CODES.instanceRolledBack, msg(APPLY_CODES.instanceRolledBack, 'landedDeleted', { label, pk: String(found.pk) }), { entry: c.key }),
      );
    return ok;
  }
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

function resultOf(c: Change, status: ChangeResult['status']): ChangeResult {
  const r: ChangeResult = { key: c.key, model: c.model, action: c.action, status, diagnostics: [] };
  if (c.pk !== undefined) r.pk = c.pk;
  return r;
}
