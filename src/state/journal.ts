// Journals apply's ownership record to the store as each write lands, so a run killed midway
// leaves a record of everything it created. Writes are serialised and coalesced: a record()
// resolves once a write containing that snapshot (or a later one) is durable.
import type { OwnershipState } from '../model/types.js';
import type { StateStore } from './store.js';

export class StateJournal {
  private latest: OwnershipState | undefined;
  private chain: Promise<void> = Promise.resolve();
  private failure: unknown;
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
    this.latest = structuredClone(state);
    const next = this.chain.then(() => this.flushLatest());
    this.chain = next.catch((e: unknown) => {
      this.failure ??= e;
    });
    return next;
  }

  private async flushLatest(): Promise<void> {
    if (this.failure) throw this.failure;
    const s = this.latest;
    if (!s) return;
    this.latest = undefined;
    this.current = await this.store.write(s, this.current);
    this.writes++;
  }
}
