// The apply journal: every record() resolves only once a write holding that record (or a newer
// one) is durable, and the writes are coalesced: with 16 writes in flight their answers come in
// one by one, each in its own turn of the event loop, and the file backend writes synchronously
// (stringify + fsync of the whole record, milliseconds at 1,000 objects). Written once per answer,
// it blocked the loop most of the run and a 1,000-create apply took several times as long.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { OwnershipState } from '../../src/model/index.js';
import { emptyState, StateJournal } from '../../src/state/index.js';
import type { StateStore } from '../../src/state/store.js';

/** A store that writes synchronously, as the file backend does, keeping what each write held. */
function syncStore(fail?: (n: number) => boolean): StateStore & { written: OwnershipState[] } {
  const written: OwnershipState[] = [];
  return {
    kind: 'file',
    workspace: 'default',
    description: 'test',
    written,
    read: async () => ({ state: emptyState(), version: written.length }),
    write: async (state, expected) => {
      if (fail?.(written.length + 1)) throw new Error('disk full');
      // What the file backend does: the record leaves as text, at once, and its fsync holds the loop.
      const end = performance.now() + 2;
      while (performance.now() < end) {
        /* fsync */
      }
      written.push(JSON.parse(JSON.stringify(state)) as OwnershipState);
      return expected + 1;
    },
    lock: async () => {
      throw new Error('not used');
    },
    digestKey: async () => 'k',
    workspaces: async () => ['default'],
    close: async () => undefined,
  };
}

const turn = () => new Promise<void>((r) => setImmediate(r));

test('answers landing one per turn of the loop are journaled in a few writes, each durable before its record() resolves', async () => {
  const store = syncStore();
  const journal = new StateJournal(store, 0);
  const state = emptyState();
  const done: Promise<void>[] = [];
  for (let i = 0; i < 64; i++) {
    // One landed write per turn, as answers arrive from the network.
    await turn();
    state.objects[`k${i}`] = { model: 'authentik_core.group', pk: i, identifiers: { name: `g${i}` }, adopted: false };
    const key = `k${i}`;
    done.push(
      journal.record(state).then(() => {
        assert.ok(
          store.written.some((w) => w.objects[key]),
          `${key} is in a durable write when its record() resolves`,
        );
      }),
    );
  }
  await Promise.all(done);
  assert.ok(store.written.length <= 40, `64 records took ${store.written.length} writes`);
  assert.equal(Object.keys(store.written.at(-1)!.objects).length, 64);
  assert.equal(journal.version, store.written.length);
});

test('a failed write rejects every record waiting on it and every later one; nothing is written after', async () => {
  const store = syncStore((n) => n === 2);
  const journal = new StateJournal(store, 0);
  const state = emptyState();
  await journal.record(state);
  state.objects.a = { model: 'authentik_core.group', pk: 1, identifiers: { name: 'a' }, adopted: false };
  const a = journal.record(state);
  const b = journal.record(state);
  await assert.rejects(a, /disk full/);
  await assert.rejects(b, /disk full/);
  await assert.rejects(journal.record(state), /disk full/);
  assert.equal(store.written.length, 1);
});
