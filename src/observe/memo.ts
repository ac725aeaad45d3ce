// What `akbp watch` keeps of an observe between saves: the lists read, each entry's match, the
// `!Find` answers and what the entries ask to be read, so that a save matches again only the
// entries compile replaced (entriesDelta) and those whose match read one of them through `!KeyOf`.
// Reuse needs every list to be what the kept matches were made from: a list read again that
// differs, a model read or no longer read, a failed read, a question to the server
// (ServerFallback) or entries compile did not derive from the kept ones make the whole observe
// run again, as it did before this memo.
import type { CompiledEntry, Json, LiveObject, ModelName, OwnershipState } from '../model/index.js';
import type { Registry } from '../authentik/registry.js';
import { EntryTable, entriesDelta, noteMatchesChanged, sameLiveObject } from '../live/index.js';
import { ReadNeeds, stateNeeds } from './strategy.js';
import { mayGrant } from './rbac.js';

interface Stats {
  /** Observes that matched every entry (first run, lists changed, fallback, reset). */
  full: number;
  partial: number;
  rematched: number;
  reused: number;
  lastReason?: string;
}

/** Same objects with the same JSON, in the same order: a list read again that nothing changed. */
function sameList(a: readonly LiveObject[], b: readonly LiveObject[]): boolean {
  return a.length === b.length && a.every((x, i) => sameLiveObject(x, b[i]!));
}

/** This run's start: the matches it begins with and the entries it matches, in order. */
export interface ObserveStart {
  byKey: Map<string, LiveObject | null>;
  finds: Map<string, Json>;
  rematch: readonly CompiledEntry[];
}

export class ObserveMemo {
  /** The entries observed last, and what was derived from them. */
  private entries: readonly CompiledEntry[] | undefined;
  private lists = new Map<ModelName, readonly LiveObject[]>();
  private byKey = new Map<string, LiveObject | null>();
  private finds = new Map<string, Json>();
  /** Per entry key: the entries whose objects its match and `!Find`s read through `!KeyOf`. */
  private consulted = new Map<string, readonly string[]>();
  /** The reverse: who read the object of an entry. May hold edges no longer true (it only widens a re-match). */
  private consultedBy = new Map<string, Set<string>>();
  /** Keys of entries identified by pk: matched through the ownership state, read anew each run. */
  private byPk = new Set<string>();
  private needs: { entries: readonly CompiledEntry[]; needs: ReadNeeds; grants: Set<CompiledEntry> } | undefined;
  /** This run: the entries matched again (undefined: all). */
  private rematched: Set<string> | undefined;
  private readonly counts: Stats = { full: 0, partial: 0, rematched: 0, reused: 0 };

  reset(): void {
    this.entries = undefined;
    this.lists = new Map();
    this.byKey = new Map();
    this.finds = new Map();
    this.consulted = new Map();
    this.consultedBy = new Map();
    this.byPk = new Set();
    this.needs = undefined;
  }

  stats(): Stats {
    return { ...this.counts };
  }

  /** The reads for these entries: the kept counts, patched with what compile replaced. */
  reads(ordered: readonly CompiledEntry[], reg: Registry, opts: { state?: OwnershipState; filteredMax?: number }): ReturnType<ReadNeeds['reads']> {
    const kept = this.needs;
    const delta = kept ? entriesDelta(ordered, kept.entries) : undefined;
    let needs: ReadNeeds;
    let grants: Set<CompiledEntry>;
    if (kept && delta) {
      ({ needs, grants } = kept);
      for (const i of delta) {
        needs.remove(kept.entries[i]!);
        grants.delete(kept.entries[i]!);
      }
      for (const i of delta) {
        needs.add(ordered[i]!);
        if (mayGrant(ordered[i]!, reg)) grants.add(ordered[i]!);
      }
    } else {
      needs = new ReadNeeds(reg);
      grants = new Set();
      for (const e of ordered) {
        needs.add(e);
        if (mayGrant(e, reg)) grants.add(e);
      }
    }
    this.needs = { entries: ordered, needs, grants };
    const table = EntryTable.of(ordered);
    return needs.reads(opts.state ? stateNeeds(opts.state, { has: (k) => table.get(k) !== undefined }) : [], opts.filteredMax);
  }

  /** The entries observeRbac looks at, in order, of the entries `reads` was last given. */
  grants(): CompiledEntry[] {
    return [...(this.needs?.grants ?? [])].sort((a, b) => a.order - b.order);
  }

  /**
   * The kept list when the one just read equals it: the objects keep their identity, so the
   * kept matches and everything derived from the list (indexes, plan's kept outcomes) stay valid.
   */
  canonical(model: ModelName, fresh: readonly LiveObject[]): readonly LiveObject[] {
    const before = this.lists.get(model);
    return before !== undefined && before !== fresh && sameList(before, fresh) ? before : fresh;
  }

  /**
   * Where this run starts, given the lists it read (after `canonical`): the kept matches of the
   * entries compile handed back unchanged, and the entries to match again, or none kept and
   * every entry to match.
   */
  start(ordered: readonly CompiledEntry[], lists: ReadonlyMap<ModelName, readonly LiveObject[]>, failed: boolean): ObserveStart {
    const delta = this.entries ? entriesDelta(ordered, this.entries) : undefined;
    const why = failed ? 'a read failed' : !this.entries || !delta ? 'nothing kept that the entries derive from' : this.listsDiffer(lists);
    if (why !== undefined || !delta) {
      this.rematched = undefined;
      this.counts.full += 1;
      this.counts.lastReason = why;
      return { byKey: new Map(), finds: new Map(), rematch: ordered };
    }
    const before = this.entries!;
    const keys = new Set<string>(this.byPk);
    for (const i of delta) {
      keys.add(before[i]!.key);
      keys.add(ordered[i]!.key);
    }
    // Whoever read the object of a re-matched entry is matched again, transitively.
    for (const k of [...keys]) this.addReaders(k, keys);
    // The kept map itself, changed in place (a copy of 20k matches costs more than the rest of a
    // save): the last run's snapshot is done with by now, and plan asks which keys changed.
    const byKey = this.byKey;
    for (const i of delta) byKey.delete(before[i]!.key);
    const table = EntryTable.of(ordered);
    const rematch: CompiledEntry[] = [];
    for (const k of keys) {
      byKey.delete(k);
      const e = table.get(k);
      if (e) rematch.push(e);
    }
    rematch.sort((a, b) => a.order - b.order);
    this.rematched = keys;
    this.counts.partial += 1;
    this.counts.rematched += rematch.length;
    this.counts.reused += ordered.length - rematch.length;
    return { byKey, finds: this.finds, rematch };
  }

  private addReaders(key: string, into: Set<string>): void {
    for (const r of this.consultedBy.get(key) ?? []) {
      if (into.has(r)) continue;
      into.add(r);
      this.addReaders(r, into);
    }
  }

  /**
   * Keeps this run's results, or nothing when the run asked the server what the lists could not
   * answer (those answers age with the server, not with the lists).
   */
  finish(
    ordered: readonly CompiledEntry[],
    lists: ReadonlyMap<ModelName, readonly LiveObject[]>,
    byKey: Map<string, LiveObject | null>,
    finds: Map<string, Json>,
    consulted: ReadonlyMap<string, readonly string[]>,
    askedServer: boolean,
  ): void {
    if (askedServer) {
      const needs = this.needs;
      this.reset();
      this.needs = needs;
      return;
    }
    if (this.rematched === undefined) {
      this.consulted = new Map();
      this.consultedBy = new Map();
      this.byPk = new Set();
      for (const e of ordered) if ('pk' in e.identifiers) this.byPk.add(e.key);
    } else {
      const table = EntryTable.of(ordered);
      for (const k of this.rematched) {
        this.consulted.delete(k);
        this.byPk.delete(k);
        const e = table.get(k);
        if (e && 'pk' in e.identifiers) this.byPk.add(k);
      }
    }
    for (const [k, reads] of consulted) {
      this.consulted.set(k, reads);
      for (const r of reads) {
        let s = this.consultedBy.get(r);
        if (!s) this.consultedBy.set(r, (s = new Set()));
        s.add(k);
      }
    }
    // Plan's memo redoes only the entries whose match was made again.
    if (this.rematched !== undefined) noteMatchesChanged(byKey, this.rematched);
    this.entries = ordered;
    this.lists = new Map(lists);
    this.byKey = byKey;
    this.finds = finds;
  }

  private listsDiffer(lists: ReadonlyMap<ModelName, readonly LiveObject[]>): string | undefined {
    if (lists.size !== this.lists.size) return 'other models are read';
    for (const [m, l] of lists) if (this.lists.get(m) !== l) return `live ${m} objects changed`;
    return undefined;
  }
}
