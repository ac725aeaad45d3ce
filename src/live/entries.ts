// Entries by key and by blueprint-local id, for every stage that resolves `!KeyOf`.
import type { CompiledEntry } from '../model/types.js';

/**
 * The entries sorted by `compare`: the array itself when it is in that order already, as
 * compile's output is, so that a run over 20k entries does not copy and sort them at every stage.
 * The result may be the input: neither is changed afterwards.
 */
export function sortedEntries(entries: readonly CompiledEntry[], compare: EntryCompare): readonly CompiledEntry[] {
  let known = sortedBy.get(entries);
  const hit = known?.get(compare);
  if (hit) return hit;
  // An array compile derived from a sorted one: only the changed positions can break the order.
  const d = deltas.get(entries);
  let out: readonly CompiledEntry[] | undefined;
  if (d && sortedBy.get(d.before)?.get(compare) === d.before) {
    const ok = d.changed.every(
      (i) => (i === 0 || compare(entries[i - 1]!, entries[i]!) <= 0) && (i + 1 === entries.length || compare(entries[i]!, entries[i + 1]!) <= 0),
    );
    if (ok) out = entries;
  }
  if (!out) {
    out = entries;
    for (let i = 1; i < entries.length; i++) {
      if (compare(entries[i - 1]!, entries[i]!) > 0) {
        out = [...entries].sort(compare);
        break;
      }
    }
  }
  if (!known) sortedBy.set(entries, (known = new Map()));
  known.set(compare, out);
  return out;
}

type EntryCompare = (a: CompiledEntry, b: CompiledEntry) => number;
/** Sorted results per array and comparator (comparators are module constants, so they are stable keys). */
const sortedBy = new WeakMap<readonly CompiledEntry[], Map<EntryCompare, readonly CompiledEntry[]>>();

/** Document order: the comparator observe and the entry table sort by. */
export const byOrder = (a: CompiledEntry, b: CompiledEntry): number => a.order - b.order;
const tables = new WeakMap<readonly CompiledEntry[], EntryTable>();

export class EntryTable {
  private readonly byKey = new Map<string, CompiledEntry>();
  private readonly byId = new Map<string, CompiledEntry[]>();

  /**
   * The table of these entries, made once per array: observe and plan share it. For an array
   * compile derived from one whose table exists (akbp watch), that table patched at the positions
   * that changed.
   */
  static of(entries: readonly CompiledEntry[]): EntryTable {
    let t = tables.get(entries);
    if (t) return t;
    const d = deltas.get(entries);
    const before = d ? tables.get(d.before) : undefined;
    if (d && before) {
      // The old array's table becomes the new one's (copying 20k keys costs more than the rest of
      // a save); asked again, the old array gets a table made from scratch.
      tables.delete(d.before);
      t = before.patch(d.before, entries, d.changed);
    } else t = new EntryTable(entries);
    tables.set(entries, t);
    return t;
  }

  private patch(before: readonly CompiledEntry[], after: readonly CompiledEntry[], changed: readonly number[]): EntryTable {
    const t = this as EntryTable;
    const idKey = (e: CompiledEntry) => `${e.origin.uri}\0${e.id}`;
    for (const i of changed) {
      const old = before[i]!;
      if (t.byKey.get(old.key) === old) t.byKey.delete(old.key);
      if (old.id !== undefined) {
        const k = idKey(old);
        const rest = (t.byId.get(k) ?? []).filter((x) => x !== old);
        if (rest.length) t.byId.set(k, rest);
        else t.byId.delete(k);
      }
    }
    for (const i of changed) {
      const e = after[i]!;
      t.byKey.set(e.key, e);
      if (e.id !== undefined) {
        const k = idKey(e);
        t.byId.set(k, [...(t.byId.get(k) ?? []), e].sort(byOrder));
      }
    }
    return t;
  }

  constructor(entries: readonly CompiledEntry[]) {
    for (const e of sortedEntries(entries, byOrder)) {
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

/**
 * What akbp watch's compile knows of an entries array it made from the previous one: the
 * positions where the two hold different entries (same length; every other position holds the
 * very same entry object). Observe and plan keep what they derived from the previous array and
 * redo only those positions.
 */
interface Delta {
  before: readonly CompiledEntry[];
  changed: readonly number[];
}

const deltas = new WeakMap<readonly CompiledEntry[], Delta>();

/**
 * Records that `after` differs from `before` only where the two hold different objects (`changed`
 * when the caller knows them, ascending); same length only.
 */
export function noteEntriesDelta(after: readonly CompiledEntry[], before: readonly CompiledEntry[], known?: readonly number[]): void {
  if (after.length !== before.length) return;
  let changed = known;
  if (!changed) {
    const found: number[] = [];
    for (let i = 0; i < after.length; i++) if (after[i] !== before[i]) found.push(i);
    changed = found;
  }
  deltas.set(after, { before, changed });
}

/** The positions at which `after` differs from `before`, when compile recorded it; undefined = unknown. */
export function entriesDelta(after: readonly CompiledEntry[], before: readonly CompiledEntry[] | undefined): readonly number[] | undefined {
  if (after === before) return [];
  const d = deltas.get(after);
  return d && d.before === before ? d.changed : undefined;
}

/**
 * What akbp watch's observe knows of its matches: it keeps one map of them and changes only the
 * keys it matched again, each run a generation. Plan's memo marks the generation it planned
 * against and asks which keys changed since.
 */
const matchGenerations = new WeakMap<ReadonlyMap<string, unknown>, { generation: number; changed: ReadonlySet<string> }>();

/** The map now holds a new generation of matches, which differs from the last only at `changed`. */
export function noteMatchesChanged(map: ReadonlyMap<string, unknown>, changed: ReadonlySet<string>): void {
  const g = matchGenerations.get(map);
  matchGenerations.set(map, { generation: (g?.generation ?? 0) + 1, changed });
}

export interface MatchesMark {
  map: ReadonlyMap<string, unknown>;
  generation: number;
}

export function matchesMark(map: ReadonlyMap<string, unknown>): MatchesMark {
  return { map, generation: matchGenerations.get(map)?.generation ?? 0 };
}

/** The keys whose match may differ since `mark`, when observe recorded them; undefined = unknown. */
export function matchesDelta(map: ReadonlyMap<string, unknown>, mark: MatchesMark | undefined): ReadonlySet<string> | undefined {
  if (!mark || mark.map !== map) return undefined;
  const g = matchGenerations.get(map)?.generation ?? 0;
  if (g === mark.generation) return new Set();
  return g === mark.generation + 1 ? matchGenerations.get(map)!.changed : undefined;
}
