// The one switch of plan: what happens to one entry's object, from its state, what is on the
// server and whether the desired fields differ from it (BLUEPRINT-SEMANTICS §5). Pure, no values:
// resolve (index.ts) found the object and computed the difference; the change builders
// (changes.ts) turn the verdict into a Change; test/plan/decide.test.ts holds the whole table.
import type { EntryState } from '../model/types.js';

/**
 * Where the entry's object is: not on the server; on the server (matched by its identifiers);
 * or created earlier in this run by another declaration of the same object (another instance).
 */
export type LiveState = 'missing' | 'exists' | 'created-earlier';

export interface Situation {
  state: EntryState;
  live: LiveState;
  /** The desired fields (and blueprint-only extras) differ from the object's: only asked of `present` objects that exist. */
  differs: boolean;
}

export type Verdict =
  | { action: 'create'; error?: 'created-earlier' }
  | { action: 'update' }
  /** Patch the object an earlier declaration creates, after it (the change carries `sameObjectAs`). */
  | { action: 'update-created' }
  | { action: 'delete' }
  | { action: 'conflict' }
  | { action: 'noop'; why: 'up-to-date' | 'declared-again' | 'created-exists' | 'created-earlier' | 'absent-missing' };

export function decide(s: Situation): Verdict {
  switch (s.state) {
    case 'present':
      if (s.live === 'missing') return { action: 'create' };
      if (s.live === 'created-earlier') return s.differs ? { action: 'update-created' } : { action: 'noop', why: 'declared-again' };
      return s.differs ? { action: 'update' } : { action: 'noop', why: 'up-to-date' };
    case 'created':
      if (s.live === 'missing') return { action: 'create' };
      return { action: 'noop', why: s.live === 'exists' ? 'created-exists' : 'created-earlier' };
    case 'must_created':
      if (s.live === 'exists') return { action: 'conflict' };
      // authentik applies the earlier declaration first, so this one finds the object and fails.
      return s.live === 'created-earlier' ? { action: 'create', error: 'created-earlier' } : { action: 'create' };
    case 'absent':
      // An object created earlier in the run is not there yet when plan looks: nothing to delete.
      return s.live === 'exists' ? { action: 'delete' } : { action: 'noop', why: 'absent-missing' };
  }
}
