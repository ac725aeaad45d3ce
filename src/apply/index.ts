// Plan + ServerClient → ApplyResult: the only stage that writes. Wave by wave, re-reading every
// object before patching it, stopping at the first failure; optionally undoing what it did.
// Never prints: progress goes to the optional callback, everything else into the result.
// `run.ts` owns a run's shared state and policy, `executors.ts` one executor per action kind.
import type { ApplyResult, ChangeResult, CompiledEntry, OwnershipState, Plan, ServerClient } from '../model/index.js';
import type { Registry } from '../authentik/registry.js';
import { ApplyRun, refuse } from './run.js';

export { checkPlanFresh } from './fresh.js';

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
  const state = cloneState(opts.state);
  if (!plan.applyable) return { result: refuse(plan, opts.onProgress), state };
  return { result: await new ApplyRun(plan, client, state, opts).run(), state };
}

function cloneState(s: OwnershipState): OwnershipState {
  return JSON.parse(JSON.stringify(s)) as OwnershipState;
}
