// The one queue every trigger goes through (DESIGN habit 8). Lanes are sources: a lane runs at
// most one job at a time, and every trigger that arrives while a job is in flight folds into a
// single follow-up job, so a burst of pushes or saves costs at most two runs and the newest
// revision is the one that ends up reconciled.
import type { Trigger } from './types.js';

type Settled<R> = { ok: true; value: R } | { ok: false; error: unknown };

export type LaneJob<R> = (trigger: Trigger, folded: number) => Promise<R>;

export interface ReconcileQueue<R> {
  /** Resolves when the run that covers this trigger has finished; never rejects. */
  enqueue(trigger: Trigger): Promise<Settled<R>>;
  busy(source: string): boolean;
  /** The follow-up trigger waiting behind the in-flight run, if any. */
  pending(source: string): Trigger | undefined;
  /** Resolves once every lane is idle with nothing pending. */
  idle(): Promise<void>;
  /** Lets in-flight runs finish, drops pending ones; later enqueues settle with an error. */
  close(): Promise<void>;
}

interface Waiting<R> {
  trigger: Trigger;
  folded: number;
  resolvers: ((s: Settled<R>) => void)[];
}

interface Lane<R> {
  running?: Promise<void>;
  next?: Waiting<R>;
}

/** Later trigger wins; a trigger without a revision keeps the one already waiting. */
function foldTriggers(prev: Trigger, next: Trigger): Trigger {
  const out: Trigger = { ...next };
  if (next.revision === undefined && prev.revision !== undefined) out.revision = prev.revision;
  if (prev.paths || next.paths) out.paths = [...new Set([...(prev.paths ?? []), ...(next.paths ?? [])])];
  return out;
}

export function createQueue<R>(job: LaneJob<R>): ReconcileQueue<R> {
  const lanes = new Map<string, Lane<R>>();
  let closed = false;
  let idleWaiters: (() => void)[] = [];

  const checkIdle = (): void => {
    for (const lane of lanes.values()) if (lane.running || lane.next) return;
    const ws = idleWaiters;
    idleWaiters = [];
    for (const w of ws) w();
  };

  const start = (source: string, lane: Lane<R>): void => {
    const w = lane.next;
    if (!w || closed) return;
    lane.next = undefined;
    lane.running = (async () => {
      let settled: Settled<R>;
      try {
        settled = { ok: true, value: await job(w.trigger, w.folded) };
      } catch (error) {
        settled = { ok: false, error };
      }
      for (const r of w.resolvers) r(settled);
    })().finally(() => {
      lane.running = undefined;
      if (lane.next && !closed) start(source, lane);
      else if (!lane.next) lanes.delete(source);
      checkIdle();
    });
  };

  return {
    enqueue(trigger) {
      if (closed) return Promise.resolve({ ok: false, error: new Error('queue closed') });
      let lane = lanes.get(trigger.source);
      if (!lane) lanes.set(trigger.source, (lane = {}));
      const l = lane;
      return new Promise((resolve) => {
        if (l.next) {
          l.next.trigger = foldTriggers(l.next.trigger, trigger);
          l.next.folded += 1;
          l.next.resolvers.push(resolve);
        } else {
          l.next = { trigger, folded: 1, resolvers: [resolve] };
        }
        if (!l.running) start(trigger.source, l);
      });
    },
    busy: (source) => Boolean(lanes.get(source)?.running),
    pending: (source) => lanes.get(source)?.next?.trigger,
    idle() {
      return new Promise((resolve) => {
        idleWaiters.push(resolve);
        checkIdle();
      });
    },
    async close() {
      closed = true;
      const running: Promise<void>[] = [];
      for (const lane of lanes.values()) {
        if (lane.next) {
          for (const r of lane.next.resolvers) r({ ok: false, error: new Error('queue closed') });
          lane.next = undefined;
        }
        if (lane.running) running.push(lane.running);
      }
      await Promise.all(running);
      checkIdle();
    },
  };
}
