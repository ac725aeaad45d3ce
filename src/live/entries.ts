// Entries by key and by blueprint-local id, for every stage that resolves `!KeyOf`.
import type { CompiledEntry } from '../model/types.js';

export class EntryTable {
  private readonly byKey = new Map<string, CompiledEntry>();
  private readonly byId = new Map<string, CompiledEntry[]>();

  constructor(entries: readonly CompiledEntry[]) {
    for (const e of [...entries].sort((a, b) => a.order - b.order)) {
      this.byKey.set(e.key, e);
      if (e.id !== undefined) {
        const k = `${e.origin.uri}\0${e.id}`;
        const list = this.byId.get(k) ?? [];
        list.push(e);
        this.byId.set(k, list);
      }
    }
  }

  get(key: string): CompiledEntry | undefined {
    return this.byKey.get(key);
  }

  /** Entries with that `id` in the blueprint of fromKey, in document order. */
  withId(id: string, fromKey: string): CompiledEntry[] {
    const from = this.byKey.get(fromKey);
    const uri = from?.origin.uri ?? fromKey.slice(0, fromKey.lastIndexOf('#'));
    return this.byId.get(`${uri}\0${id}`) ?? [];
  }
}
