// Journals apply's ownership record to the store as each write lands, so a run killed midway
// leaves a record of everything it created. Writes are serialised and coalesced: a record()
// resolves once a write containing that snapshot (or a later one) is durable.
import type { OwnershipState } from '../model/types.js';
import type { StateStore } from './store.js';

export class StateJournal {
  private latest: OwnershipState | undefined;
  private chain: Promise<void> = Promise.resolve();
  private failure: unknown;
  /** When the last write ended, and how long it held the event loop (performance.now() ms). */
  private lastEnd = 0;
  private lastBlockedMs = 0;
  writes = 0;

  constructor(
    private readonly store: StateStore,
    private current: number,
  ) {}

  get version(): number {
    return this.current;
  }

  /** Resolves when `state` (or something newer) is written; rejects when the store refused it. */
  record(state: OwnershipState): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    // Copied when written, not here: one copy per write instead of one per landed change (a
    // copy of a 1,000-object record costs about what writing it does).
    this.latest = state;
    const next = this.chain.then(() => this.flushLatest());
    this.chain = next.catch((e: unknown) => {
      this.failure ??= e;
    });
    return next;
  }

  private async flushLatest(): Promise<void> {
    if (this.failure) throw this.failure;
    if (!this.latest) return;
    // A store that writes synchronously (the file backend: stringify, write, fsync) holds the
    // event loop while it writes, so the answers of the writes in flight wait. Written once per
    // answer, it held the loop most of the time and stretched every round trip: after a write
    // that held the loop for t ms, the next waits until t ms have passed, so the loop stays free
    // at least half the time and the changes landing meanwhile share one write.
    const wait = this.lastEnd + this.lastBlockedMs - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const s = this.latest;
    if (!s) return;
    this.latest = undefined;
    const t0 = performance.now();
    const written = this.store.write(structuredClone(s), this.current);
    this.lastBlockedMs = performance.now() - t0;
    this.current = await written;
    this.lastEnd = performance.now();
    this.writes++;
  }
}
