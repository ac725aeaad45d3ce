// What flows through the gitops drivers: triggers in, one reconcile per source at a time, run
// records out. The reconcile itself is injected so the drivers never build pipeline adapters.
import type { ReconcileOutcome, ReconcileSpec } from '../pipeline/types.js';

type TriggerKind = 'file' | 'webhook' | 'timer' | 'hook' | 'startup' | 'manual';

export interface Trigger {
  kind: TriggerKind;
  /** The queue lane: one configured source exactly as the user wrote it. */
  source: string;
  /** Revision to reconcile at (git sha, OCI digest); absent = whatever the source points at now. */
  revision?: string;
  /** For logs: provider + delivery id, "interval", changed paths … never a secret. */
  reason?: string;
  deliveryId?: string;
  /** Local paths that changed (watch), so caches can drop exactly those. */
  paths?: string[];
  /** Arrival time, ms since the epoch, from the injected clock. */
  at: number;
}

/** The pipeline as the drivers see it; the CLI passes `reconcileOnce` bound to its deps. */
export type Reconcile = (spec: ReconcileSpec, trigger: Trigger) => Promise<ReconcileOutcome>;

type RunResult = 'succeeded' | 'failed' | 'invalid' | 'skipped';

export interface PlanSummary {
  create: number;
  update: number;
  delete: number;
  noop: number;
  conflict: number;
}

interface DriftedObject {
  model: string;
  /** `slug=x`, as the plan's header shows it. */
  identity: string;
  action: string;
  fields: string[];
}

export interface RunRecord {
  runId: string;
  source: string;
  mode: ReconcileSpec['mode'];
  trigger: Trigger;
  /** How many triggers this run covers (1 + the ones that coalesced into it). */
  triggers: number;
  revision?: string;
  result: RunResult;
  summary?: PlanSummary;
  /** Pending create/update/delete the plan found before any apply. */
  pending: number;
  /** Changes apply wrote. */
  applied: number;
  /** Live state differs from an unchanged source revision. */
  drift: boolean;
  /** The objects that drifted and their fields, named as plan headers name them. */
  drifted?: DriftedObject[];
  startedAt: number;
  finishedAt: number;
  error?: string;
  /** AKB8xxx code when the run itself (not the blueprints) went wrong: lock, thrown reconcile. */
  code?: string;
  outcome?: ReconcileOutcome;
}
