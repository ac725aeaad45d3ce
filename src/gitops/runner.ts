// Turns a trigger into one reconcile run: pins the source to the trigger's revision, takes the
// apply lock when it will write, calls the injected reconcile, and condenses the outcome into a
// RunRecord for logs, metrics and /status. The queue guarantees one runner call per source at once.
import { randomUUID } from 'node:crypto';
import type { Change, Logger } from '../model/index.js';
import { objectLabel } from '../report/index.js';
import { locate, msg } from '../diag/index.js';
import { runDiagnostics } from './metrics.js';
import type { BlockedFile, ReconcileOutcome, ReconcileSpec } from '../pipeline/types.js';
import { codes } from './codes.js';
import { acquireLock, type AcquireOptions, type AcquireResult } from './lock.js';
import { pinRevision, redactSource } from './source-ref.js';
import type { PlanSummary, Reconcile, RunRecord, Trigger } from './types.js';
import type { AppliedRevision } from '../model/index.js';
import type { AppliedRevisions } from '../state/applied.js';

export interface RunnerOptions {
  reconcile: Reconcile;
  mode: ReconcileSpec['mode'];
  /** Everything of the spec but sources and mode (`prune`, `context`, …). */
  spec?: Omit<ReconcileSpec, 'sources' | 'mode'>;
  logger: Logger;
  now?: () => number;
  /** Apply lock; taken only when the run may write. */
  lock?: { path: string } & Pick<AcquireOptions, 'onBusy' | 'timeoutMs' | 'pollMs' | 'isAlive' | 'host'> & {
      /** The state backend's own lock (authentik, postgres); the lock file at `path` when absent. */
      acquire?: (opts: AcquireOptions) => Promise<AcquireResult>;
    };
  onRecord?: (run: RunRecord) => void;
  runId?: () => string;
  /**
   * The revision the source points at now (git ls-remote, OCI digest). Used for triggers that
   * carry none, webhooks included: a push payload is signed but its age is not, so a replayed
   * body must not choose what gets applied.
   */
  resolveRevision?: (source: string) => Promise<string | undefined>;
  /**
   * Is `older` an ancestor of `newer` in the source's history (git merge-base --is-ancestor)?
   * Called with older === newer before a source's first apply, so it can record that commit.
   */
  isAncestor?: (source: string, older: string, newer: string) => Promise<boolean>;
  /** Where the last applied revision per source outlives the process (the state backend). */
  applied?: AppliedRevisions;
}

export type Runner = ((trigger: Trigger, folded: number) => Promise<RunRecord>) & {
  /** The revision last applied for a source (from the state backend until this process applies). */
  lastApplied?: (source: string) => AppliedRevision | undefined;
};

function pendingOf(s: PlanSummary | undefined): number {
  return s ? s.create + s.update + s.delete : 0;
}

function changeSignature(c: Change): string {
  return `${c.key}|${c.action}|${c.patch.map((f) => f.path).join(',')}`;
}

/** A blocked file for the log: which file, the code and file:line:col of its cause, what blocks it. */
function blockedField(b: BlockedFile, texts: ReadonlyMap<string, string>): { [k: string]: string } {
  const loc = b.cause.subject ? locate(b.cause.subject, (uri) => texts.get(uri)) : undefined;
  return {
    file: b.uri,
    code: b.cause.code,
    message: b.cause.summary,
    ...(loc ? { at: `${loc.uri}:${loc.line}:${loc.col}` } : {}),
    ...(b.by ? { blockedBy: b.by } : {}),
  };
}

/**
 * `invalid`: blueprints have errors, whether they stopped the run or only blocked their files
 * while the rest was reconciled; a failed write of the rest is `failed` first.
 */
function classify(outcome: ReconcileOutcome): RunRecord['result'] {
  if (outcome.apply && outcome.apply.phase !== 'succeeded') return 'failed';
  if (outcome.blocked?.length) return 'invalid';
  if (outcome.apply) return outcome.ok ? 'succeeded' : 'failed';
  if (outcome.ok) return 'succeeded';
  return outcome.plan ? 'failed' : 'invalid';
}

export function createRunner(opts: RunnerOptions): Runner {
  const now = opts.now ?? Date.now;
  const newId = opts.runId ?? (() => randomUUID().slice(0, 8));
  /** Revision of the last completed run per source: a plan with changes at the same revision is drift. */
  const lastRevision = new Map<string, string>();
  /** Changes the last run left pending per source (none after a successful apply). */
  const leftPending = new Map<string, Set<string>>();
  /** Revision the last apply wrote per source; nothing older may be applied after it. */
  const lastApplied = new Map<string, string>();
  const appliedAt = new Map<string, AppliedRevision>();
  const loaded = new Set<string>();
  /** Once per source, before its first run: what an earlier process applied. */
  const remember = async (source: string): Promise<void> => {
    if (!opts.applied || loaded.has(source)) return;
    const stored = await opts.applied.load(redactSource(source));
    loaded.add(source);
    if (!stored || lastApplied.has(source)) return;
    lastApplied.set(source, stored.revision);
    appliedAt.set(source, stored);
    // A run at that revision is a drift check, as it would have been without the restart.
    if (!lastRevision.has(source)) lastRevision.set(source, stored.revision);
  };

  const run: Runner = async (trigger, folded) => {
    const runId = newId();
    const startedAt = now();
    const log = opts.logger;
    const base = { run: runId, source: redactSource(trigger.source), trigger: trigger.kind };
    log.log('info', 'run started', {
      ...base,
      mode: opts.mode,
      triggers: folded,
      revision: trigger.revision ?? null,
      reason: trigger.reason ?? null,
      queuedMs: startedAt - trigger.at,
    });

    const record: RunRecord = {
      runId,
      source: trigger.source,
      mode: opts.mode,
      trigger,
      triggers: folded,
      result: 'failed',
      pending: 0,
      applied: 0,
      drift: false,
      startedAt,
      finishedAt: startedAt,
    };
    if (trigger.revision) record.revision = trigger.revision;

    let release: (() => Promise<void>) | undefined;
    try {
      await remember(trigger.source);
      const revision = trigger.revision ?? (opts.resolveRevision ? await opts.resolveRevision(trigger.source) : undefined);
      if (revision) record.revision = revision;
      const last = lastApplied.get(trigger.source);
      // Asked also before the first apply (older === newer), so the history knows that commit.
      if (opts.mode === 'apply' && revision && opts.isAncestor && (await opts.isAncestor(trigger.source, revision, last ?? revision)) && last) {
        record.result = 'skipped';
        record.code = codes.olderRevision.code;
        record.error = msg(codes.olderRevision, 'ancestor', { revision: revision.slice(0, 12), last: last.slice(0, 12) });
        return record;
      }
      const source = revision ? pinRevision(trigger.source, revision) : trigger.source;
      const spec: ReconcileSpec = { ...opts.spec, sources: [source], mode: opts.mode };
      if (opts.mode === 'apply' && opts.lock) {
        const { path, acquire, ...lockOpts } = opts.lock;
        const lockWith = { ...lockOpts, purpose: `${opts.mode} ${redactSource(trigger.source)}` };
        const got = await (acquire ? acquire(lockWith) : acquireLock(path, lockWith));
        if (!got.ok) {
          record.result = 'skipped';
          record.code = got.reason === 'busy' ? codes.lockBusy.code : codes.lockTimeout.code;
          const holder = got.holder ? msg(codes.lockBusy, 'holder', { pid: got.holder.pid, host: got.holder.host, since: got.holder.startedAt }) : '';
          record.error = msg(codes.lockBusy, 'notAcquired', { reason: got.reason, holder });
          return record;
        }
        if (got.tookOverFrom) log.log('warn', 'took over stale lock', { ...base, stalePid: got.tookOverFrom.pid });
        release = () => got.lock.release();
      }
      const outcome = await opts.reconcile(spec, trigger);
      record.outcome = outcome;
      if (outcome.revision) record.revision = outcome.revision;
      record.result = classify(outcome);
      if (outcome.plan) record.summary = { ...outcome.plan.summary };
      record.pending = pendingOf(record.summary);
      record.applied = outcome.apply?.results.filter((r) => r.status === 'applied').length ?? 0;
      // Local files have no revision; their content digest tells "unchanged" just as well.
      const seen = record.revision ?? outcome.plan?.source.digest;
      const prev = lastRevision.get(trigger.source);
      const pendingChanges = (outcome.plan?.changes ?? []).filter((c) => c.action !== 'noop');
      // Drift is a change the server grew while the source stood still: at the same revision,
      // a change the previous run did not already leave pending. A plan-only daemon leaves its
      // first creates pending run after run; they are not drift.
      const before = leftPending.get(trigger.source);
      const drifted = prev !== undefined && prev === seen ? pendingChanges.filter((c) => !before?.has(changeSignature(c))) : [];
      record.drift = drifted.length > 0;
      if (drifted.length)
        record.drifted = drifted.map((c) => ({
          model: c.model,
          identity: objectLabel(c.identifiers),
          action: c.action,
          fields: c.patch.map((f) => f.path.replace(/^\//, '')),
        }));
      // A run that blocked some files still planned the rest: its changes count for drift.
      if (seen && (record.result !== 'invalid' || outcome.plan)) {
        lastRevision.set(trigger.source, seen);
        const applied = opts.mode === 'apply' && record.result === 'succeeded';
        leftPending.set(trigger.source, new Set(applied ? [] : pendingChanges.map(changeSignature)));
      }
      if (
        opts.mode === 'apply' &&
        record.revision &&
        (record.result === 'succeeded' || record.applied > 0) &&
        lastApplied.get(trigger.source) !== record.revision
      ) {
        lastApplied.set(trigger.source, record.revision);
        const at = new Date(now());
        appliedAt.set(trigger.source, { revision: record.revision, at: at.toISOString() });
        // Still under the apply lock: the record is written before another run may start. The
        // apply itself succeeded, so a backend failure here is a warning, not a failed run.
        await opts.applied?.save(redactSource(trigger.source), record.revision, at).catch((e: unknown) =>
          log.log('warn', 'last applied revision not recorded', {
            ...base,
            revision: record.revision ?? null,
            error: e instanceof Error ? e.message : String(e),
          }),
        );
      }
    } catch (err) {
      record.result = 'failed';
      record.code = codes.reconcileThrew.code;
      record.error = err instanceof Error ? err.message : String(err);
    } finally {
      await release?.();
      record.finishedAt = now();
      const fields = {
        ...base,
        result: record.result,
        revision: record.revision ?? null,
        pending: record.pending,
        applied: record.applied,
        durationMs: record.finishedAt - startedAt,
        ...(record.summary ? { summary: { ...record.summary } } : {}),
        ...(record.error ? { error: record.error } : {}),
        ...(record.code ? { code: record.code } : {}),
      };
      const errors = record.outcome?.diagnostics.filter((d) => d.severity === 'error') ?? [];
      // The first error says why the run failed; summaries never hold a secret.
      if (errors.length) Object.assign(fields, { errors: errors.length, reason: `${errors[0]!.code}: ${errors[0]!.summary}` });
      // What went wrong, where: code, file:line:col and message of each diagnostic.
      const diagnostics = runDiagnostics(record, 20);
      if (diagnostics.length) Object.assign(fields, { diagnostics });
      // The rest of the source was reconciled; these files were left out, each with its cause.
      const blocked = record.outcome?.blocked ?? [];
      if (blocked.length) Object.assign(fields, { blocked: blocked.map((b) => blockedField(b, record.outcome!.texts)) });
      log.log(record.result === 'succeeded' ? 'info' : record.result === 'skipped' ? 'warn' : 'error', 'run finished', fields);
      if (record.drift) {
        log.log('warn', 'drift detected', {
          ...base,
          revision: record.revision ?? null,
          pending: record.pending,
          corrected: opts.mode === 'apply' && record.result === 'succeeded',
          objects: (record.drifted ?? []).map((d) => ({ model: d.model, identity: d.identity, action: d.action, fields: [...d.fields] })),
        });
      }
      opts.onRecord?.(record);
    }
    return record;
  };
  run.lastApplied = (source) => appliedAt.get(source);
  return run;
}
