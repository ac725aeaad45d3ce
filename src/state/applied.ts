// The revision `akbp serve --apply` last applied per source, kept in the ownership record next to
// the objects that apply wrote, so a restarted daemon (or another replica) knows it: an older
// commit is still refused, and a run at that same commit is a drift check, not a first apply.
import type { AppliedRevision } from '../model/types.js';
import { STATE_CODES } from './codes.js';
import type { StateStore } from './store.js';

export interface AppliedRevisions {
  load(source: string): Promise<AppliedRevision | undefined>;
  save(source: string, revision: string, at: Date): Promise<void>;
}

/** Another writer between read and write (an apply of another source) is retried this often. */
const ATTEMPTS = 5;

export function appliedRevisions(store: StateStore): AppliedRevisions {
  return {
    async load(source) {
      return (await store.read()).state.applied?.[source];
    },
    async save(source, revision, at) {
      for (let i = 1; ; i++) {
        const snap = await store.read();
        const current = snap.state.applied?.[source];
        if (current?.revision === revision) return;
        snap.state.applied = { ...snap.state.applied, [source]: { revision, at: at.toISOString() } };
        try {
          await store.write(snap.state, snap.version);
          return;
        } catch (e) {
          // A StateError coded AKB9203: another writer won the compare-and-swap; read again.
          if ((e as { code?: unknown }).code !== STATE_CODES.conflict.code || i >= ATTEMPTS) throw e;
        }
      }
    },
  };
}
