// What `akbp watch` keeps of a plan between saves: each entry's outcome (its Change, diagnostics,
// the live objects its `!Find`s answered), so a save re-plans only the files whose entries
// changed. Reuse is all or nothing per run: when anything couples a changed file to the others,
// or the server or the state differs, the whole plan is made again. The rule and why the spliced
// plan equals a full plan are in src/gitops/README.md ("Incremental watch").
import type { Change, CompiledEntry, Diagnostic, LiveObject, LiveSnapshot, Plan } from '../model/types.js';
import { entriesDelta, matchesDelta, matchesMark, pkKey, sameLiveObject, type MatchesMark } from '../live/index.js';
import { isDeferred } from '../values/index.js';

/** One entry's part of a plan, as plan() produced it. */
export interface EntryRecord {
  /** Absent when the entry could not be planned (it only reported). */
  change?: Change;
  /** Resolved (not skipped): its change takes part in the write waves. */
  planned: boolean;
  skipped: boolean;
  /** The live object a delete removes (delete waves follow its references). */
  deletes?: LiveObject;
  diagnostics: Diagnostic[];
  /** `model|pk` of every live object a `!Find` of the entry answered (prune and metaclean keep them). */
  found: string[];
  /** Whether the entry's object is created by this run. */
  creates: boolean;
}

interface Kept extends EntryRecord {
  /** The compiled entry planned: the same object again means the same uri and dependencies. */
  entry: CompiledEntry;
  uri: string;
  /** The snapshot's match for the entry when it was planned. */
  match: LiveObject | null | undefined;
  /** `model|pk` of that match. */
  object?: string;
  /** The compiled dependencies, as a string. */
  deps: string;
  /** The entry holds a `!Find` (it could see another file's creates). */
  finds: boolean;
}

/** What a plan depends on besides its entries: one file token per blueprint (unchanged = same object). */
export interface PlanMemoInput {
  memo: PlanMemo;
  /** A token per blueprint uri: the same value (by identity) while the file's compiled entries cannot differ. */
  files: ReadonlyMap<string, unknown>;
  /** Everything else plan reads that may change between runs (state, options, server), as one string. */
  fingerprint: string;
}

interface Stats {
  /** Plans made whole (first run, after a reset, or something coupled the change to other files). */
  full: number;
  spliced: number;
  /** Of the spliced plans, those patched from the last plan without a pass over every entry. */
  fast: number;
  /** Entries re-planned and reused across spliced plans. */
  replanned: number;
  reused: number;
  /** Why the last full plan was full. */
  lastReason?: string;
}

function holdsFind(v: unknown): boolean {
  if (v === null || typeof v !== 'object') return false;
  if (isDeferred(v as never) && ('$find' in (v as object) || '$findObject' in (v as object))) return true;
  return Array.isArray(v) ? v.some(holdsFind) : Object.values(v as object).some(holdsFind);
}

/** Same object, same body: the same value, or one read again with the same JSON (the server's field order). */
function sameObject(a: LiveObject | null | undefined, b: LiveObject | null | undefined, replaced: ReadonlyMap<LiveObject, LiveObject>): boolean {
  if (a === b) return true;
  if (!a || !b) return false;
  return replaced.get(a) === b || sameLiveObject(a, b);
}

/** Whether a list read again equals the one kept; the objects found equal are mapped old → new. */
function sameList(a: readonly LiveObject[], b: readonly LiveObject[], replaced: Map<LiveObject, LiveObject>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x === y) continue;
    if (!sameLiveObject(x, y)) return false;
    replaced.set(x, y);
  }
  return true;
}

/**
 * The last plan, as the fast splice needs it (see `fastStart`): kept only when every change of
 * that plan was an entry's own write or no-op (no prune, metaclean or delete changes).
 */
interface Last {
  entries: readonly CompiledEntry[];
  /** The matches planned against (observe changes its map in place between runs). */
  byKey: MatchesMark;
  /** The plan's changes, sorted (a copy of the plan's own array). */
  changes: Change[];
  /** Those checkSelfLockout reads (no-ops without a before-image change nothing there), sorted. */
  lockout: Change[];
  summary: Plan['summary'];
  /** Keys of the records that carry diagnostics. */
  diagnosed: Set<string>;
  /** `model|pk` a `!Find` answered → how many records answered it. */
  found: Map<string, number>;
  /** `model|pk` of a record's live object → the keys of the records of it. */
  byObject: Map<string, Set<string>>;
  /** Key → the keys of the entries that depend on it. */
  dependents: Map<string, Set<string>>;
  /** Entries per file. */
  perUri: Map<string, number>;
  /** Records that create, records that `!Find`. */
  creates: number;
  finds: number;
}

/** What the fast splice hands plan(): the entries to plan, in order; the rest is kept as it is. */
export interface FastSplice {
  dirty: CompiledEntry[];
  /** Keys of the entries the dirty ones replace. */
  replaced: string[];
}

const lockoutReads = (c: Change): boolean => c.action !== 'noop' || c.before !== undefined;

function addTo<K, V>(m: Map<K, Set<V>>, k: K, v: V): void {
  const s = m.get(k);
  if (s) s.add(v);
  else m.set(k, new Set([v]));
}

/** Index of the first element of a sorted array not before x. */
function lowerBound(a: readonly Change[], x: Change, compare: (a: Change, b: Change) => number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compare(a[mid]!, x) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A sorted copy of `a` without `out` and with `add` (sorted too), by binary search: no pass over `a`. */
function patchSorted(a: readonly Change[], out: readonly Change[], add: readonly Change[], compare: (a: Change, b: Change) => number): Change[] | undefined {
  const next = a.slice();
  for (const c of out) {
    const i = lowerBound(next, c, compare);
    if (next[i] !== c) return undefined;
    next.splice(i, 1);
  }
  for (const c of add) next.splice(lowerBound(next, c, compare), 0, c);
  return next;
}

export class PlanMemo {
  private kept = new Map<string, Kept>();
  private files = new Map<string, unknown>();
  private fingerprint: string | undefined;
  private lists = new Map<string, readonly LiveObject[]>();
  private finds = new Map<string, string>();
  private rbac = '';
  private next: Map<string, Kept> | undefined;
  private dirty = new Set<string>();
  /** This run reuses kept records (only the dirty files are planned). */
  private splicing = false;
  /** Why the spliced plan just made was thrown away (plan() runs again in full). */
  private fallback: string | undefined;
  private readonly counts: Stats = { full: 0, spliced: 0, fast: 0, replanned: 0, reused: 0 };
  private last: Last | undefined;

  /** Forget everything: the next plan is made whole (akbp wrote, or the server failed). */
  reset(): void {
    this.kept = new Map();
    this.files = new Map();
    this.fingerprint = undefined;
    this.last = undefined;
  }

  stats(): Stats {
    return { ...this.counts };
  }

  /**
   * Starts a plan: returns, per entry, its kept record when the whole plan may be spliced, else
   * nothing for every entry (a full plan). Called once per plan() with the sorted entries.
   */
  start(entries: readonly CompiledEntry[], snapshot: LiveSnapshot, input: PlanMemoInput): (e: CompiledEntry) => EntryRecord | undefined {
    // The fast splice's record describes the kept records as they are now; settle() makes it anew.
    this.last = undefined;
    this.next = new Map();
    const finds = new Map<string, string>();
    for (const [k, v] of snapshot.finds) finds.set(k, JSON.stringify(v));
    const rbac = JSON.stringify(snapshot.rbac ?? null);
    const why = this.spliceable(entries, snapshot, input, finds, rbac);
    this.remember(snapshot, input, finds, rbac);
    this.splicing = why === undefined;
    if (why !== undefined) {
      this.dirty = new Set(entries.map((e) => e.origin.uri));
      this.counts.full += 1;
      this.counts.lastReason = why;
      return () => undefined;
    }
    this.counts.spliced += 1;
    return (e) => {
      if (this.dirty.has(e.origin.uri)) return undefined;
      this.counts.reused += 1;
      return this.kept.get(e.key)!;
    };
  }

  /** Whether plan() computes this entry in the run started last (false: its kept record is reused). */
  replans(e: CompiledEntry): boolean {
    return !this.splicing || this.dirty.has(e.origin.uri);
  }

  /** The record of an entry planned this run. */
  record(e: CompiledEntry, r: EntryRecord, snapshot: LiveSnapshot): void {
    if (this.splicing) this.counts.replanned += 1;
    this.next?.set(e.key, this.keptRecord(e, r, snapshot));
  }

  /**
   * After the entries: whether the splice holds. Creates couple files: a `!Find` sees the creates
   * of earlier entries of the run, and a create of one object another entry creates too becomes
   * that entry's twin. So when a changed file creates (now or before) while an unchanged file
   * finds or creates, or an unchanged file creates while a changed file finds, the plan is made
   * whole. Returns false when plan() must run again without reuse.
   */
  finish(): boolean {
    const next = this.next ?? new Map<string, Kept>();
    this.next = undefined;
    if (this.splicing) {
      this.splicing = false;
      let dirtyCreates = false;
      let dirtyFinds = false;
      let cleanCreates = false;
      let cleanFinds = false;
      // `next` holds the re-planned (dirty) entries; the clean ones are the kept records.
      for (const k of next.values()) {
        dirtyCreates ||= k.creates;
        dirtyFinds ||= k.finds;
      }
      for (const [key, k] of this.kept) {
        if (this.dirty.has(k.uri)) {
          dirtyCreates ||= k.creates;
          this.kept.delete(key);
        } else {
          cleanCreates ||= k.creates;
          cleanFinds ||= k.finds;
        }
      }
      if ((dirtyCreates && (cleanFinds || cleanCreates)) || (cleanCreates && dirtyFinds)) {
        this.kept = new Map();
        this.counts.spliced -= 1;
        this.fallback = dirtyCreates
          ? 'a changed file creates an object another file may !Find or create'
          : 'a changed file may !Find what another file creates';
        return false;
      }
      for (const [key, k] of next) this.kept.set(key, k);
      return true;
    }
    this.kept = next;
    return true;
  }

  /**
   * The fast splice: when compile and observe say exactly which entries and matches changed since
   * the last plan (entriesDelta, matchesDelta) and nothing couples them to the others, plan()
   * plans only those and patches the last plan's sorted changes, summary and diagnostics,
   * without a pass over every entry. Undefined: plan() takes the way above (start/finish).
   */
  fastStart(entries: readonly CompiledEntry[], snapshot: LiveSnapshot, input: PlanMemoInput, adopt: boolean): FastSplice | undefined {
    const last = this.last;
    if (!last || adopt || this.fingerprint !== input.fingerprint) return undefined;
    const delta = entriesDelta(entries, last.entries);
    const moved = delta ? matchesDelta(snapshot.byKey, last.byKey) : undefined;
    if (!delta || !moved) return undefined;
    if (snapshot.blocked && snapshot.blocked.size > 0) return undefined;
    if (snapshot.objects.size !== this.lists.size) return undefined;
    for (const [m, l] of snapshot.objects) if (this.lists.get(m) !== l) return undefined;
    const finds = new Map<string, string>();
    for (const [k, v] of snapshot.finds) {
      const now = JSON.stringify(v);
      const before = this.finds.get(k);
      if (before !== undefined && before !== now) return undefined;
      finds.set(k, now);
    }
    if (JSON.stringify(snapshot.rbac ?? null) !== this.rbac) return undefined;
    if (input.files.size !== this.files.size) return undefined;
    const before = last.entries;
    const uris = new Set<string>();
    for (const [uri, token] of input.files) if (this.files.get(uri) !== token) uris.add(uri);
    const oldCount = new Map<string, number>();
    const newCount = new Map<string, number>();
    const perUri = new Map<string, number>();
    for (const i of delta) {
      const o = before[i]!;
      const n = entries[i]!;
      uris.add(o.origin.uri).add(n.origin.uri);
      oldCount.set(o.origin.uri, (oldCount.get(o.origin.uri) ?? 0) + 1);
      newCount.set(n.origin.uri, (newCount.get(n.origin.uri) ?? 0) + 1);
      if (n.model === 'authentik_blueprints.metacleanblueprint') return undefined;
    }
    // A changed file is re-planned whole: every entry of it must be among the changed positions.
    for (const uri of uris) {
      const had = last.perUri.get(uri) ?? 0;
      const has = had - (oldCount.get(uri) ?? 0) + (newCount.get(uri) ?? 0);
      perUri.set(uri, has);
      if ((oldCount.get(uri) ?? 0) !== had || (newCount.get(uri) ?? 0) !== has) return undefined;
    }
    const replaced = delta.map((i) => before[i]!.key);
    const dirty = delta.map((i) => entries[i]!);
    const dirtyKeys = new Set([...replaced, ...dirty.map((e) => e.key)]);
    const none = new Map<LiveObject, LiveObject>();
    for (const k of moved) if (!dirtyKeys.has(k) && !sameObject(this.kept.get(k)?.match, snapshot.byKey.get(k), none)) return undefined;
    const objects = new Set<string>();
    for (const k of replaced) {
      const o = this.kept.get(k)?.object;
      if (o) objects.add(o);
    }
    for (const e of dirty) {
      const m = snapshot.byKey.get(e.key);
      if (m) objects.add(`${e.model}|${pkKey(m.pk)}`);
      if (e.dependsOn.some((d) => !dirtyKeys.has(d))) return undefined;
    }
    for (const o of objects) for (const k of last.byObject.get(o) ?? []) if (!dirtyKeys.has(k)) return undefined;
    for (const k of dirtyKeys) for (const d of last.dependents.get(k) ?? []) if (!dirtyKeys.has(d)) return undefined;
    this.pending = { perUri, finds };
    return { dirty, replaced };
  }

  /** What fastStart worked out for fastCommit: entries per file and the `!Find` answers as kept. */
  private pending: { perUri: Map<string, number>; finds: Map<string, string> } | undefined;

  /**
   * The fast splice's whole-plan parts, or undefined when the re-planned entries couple to the
   * others (creates against `!Find`s or creates, as in finish) or the changes cannot be patched.
   */
  fastPatch(
    fs: FastSplice,
    records: ReadonlyMap<string, EntryRecord>,
    compare: (a: Change, b: Change) => number,
  ): { changes: Change[]; lockout: Change[]; summary: Plan['summary']; diagnostics: Diagnostic[]; found: Set<string> } | undefined {
    const last = this.last!;
    const old = fs.replaced.flatMap((k) => {
      const r = this.kept.get(k);
      return r ? [r] : [];
    });
    const fresh = [...records.values()];
    const oldCreates = old.filter((r) => r.creates).length;
    const oldFinds = old.filter((r) => r.finds).length;
    const dirtyCreates = oldCreates > 0 || fresh.some((r) => r.creates);
    const dirtyFinds = fs.dirty.some((e) => holdsFind(e.attrs) || holdsFind(e.identifiers) || holdsFind(e.conditions) || holdsFind(e.secrets));
    const cleanCreates = last.creates - oldCreates > 0;
    const cleanFinds = last.finds - oldFinds > 0;
    if ((dirtyCreates && (cleanFinds || cleanCreates)) || (cleanCreates && dirtyFinds)) return undefined;
    const out = old.flatMap((r) => (r.change ? [r.change] : []));
    const add = fresh.flatMap((r) => (r.change ? [r.change] : []));
    if ([...out, ...add].some((c) => c.action === 'delete')) return undefined;
    add.sort(compare);
    const changes = patchSorted(last.changes, out, add, compare);
    const lockout = patchSorted(last.lockout, out.filter(lockoutReads), add.filter(lockoutReads), compare);
    if (!changes || !lockout) return undefined;
    const summary = { ...last.summary };
    for (const c of out) summary[c.action]--;
    for (const c of add) summary[c.action]++;
    const gone = new Set(fs.replaced);
    const diagnostics: Diagnostic[] = [];
    for (const k of last.diagnosed) if (!gone.has(k)) diagnostics.push(...this.kept.get(k)!.diagnostics);
    for (const r of fresh) diagnostics.push(...r.diagnostics);
    const found = new Map(last.found);
    for (const r of old) for (const f of r.found) found.set(f, found.get(f)! - 1);
    for (const r of fresh) for (const f of r.found) found.set(f, (found.get(f) ?? 0) + 1);
    return { changes, lockout, summary, diagnostics, found: new Set([...found].filter(([, n]) => n > 0).map(([f]) => f)) };
  }

  /** Keeps the fast splice's plan: its records replace the replaced ones. */
  fastCommit(
    fs: FastSplice,
    records: ReadonlyMap<string, EntryRecord>,
    entries: readonly CompiledEntry[],
    snapshot: LiveSnapshot,
    input: PlanMemoInput,
    patch: { changes: Change[]; lockout: Change[]; summary: Plan['summary'] },
  ): void {
    const last = this.last!;
    for (const k of fs.replaced) {
      const r = this.kept.get(k);
      if (!r) continue;
      this.unindex(last, k, r);
      this.kept.delete(k);
    }
    for (const e of fs.dirty) {
      const r = records.get(e.key);
      if (!r) continue;
      const kept = this.keptRecord(e, r, snapshot);
      this.kept.set(e.key, kept);
      this.index(last, e, kept);
    }
    for (const [uri, n] of this.pending?.perUri ?? []) {
      if (n > 0) last.perUri.set(uri, n);
      else last.perUri.delete(uri);
    }
    for (const [k, v] of this.pending?.finds ?? []) this.finds.set(k, v);
    this.pending = undefined;
    last.entries = entries;
    last.byKey = matchesMark(snapshot.byKey);
    last.changes = patch.changes;
    last.lockout = patch.lockout;
    last.summary = patch.summary;
    this.files = new Map(input.files);
    this.counts.spliced += 1;
    this.counts.fast += 1;
    this.counts.replanned += fs.dirty.length;
    this.counts.reused += entries.length - fs.dirty.length;
  }

  /**
   * After a plan made the way above: what the next fast splice starts from, or nothing when the
   * plan holds changes no entry record gives (prune, metaclean) or deletes (their waves depend
   * on every other delete).
   */
  settle(entries: readonly CompiledEntry[], snapshot: LiveSnapshot, plan: Plan, compare: (a: Change, b: Change) => number, adopt: boolean): void {
    this.last = undefined;
    if (adopt || plan.changes.some((c) => c.action === 'delete' || this.kept.get(c.key)?.change !== c)) return;
    const last: Last = {
      entries,
      byKey: matchesMark(snapshot.byKey),
      changes: [...plan.changes].sort(compare),
      lockout: plan.changes.filter(lockoutReads).sort(compare),
      summary: { ...plan.summary },
      diagnosed: new Set(),
      found: new Map(),
      byObject: new Map(),
      dependents: new Map(),
      perUri: new Map(),
      creates: 0,
      finds: 0,
    };
    for (const e of entries) {
      last.perUri.set(e.origin.uri, (last.perUri.get(e.origin.uri) ?? 0) + 1);
      if (e.model === 'authentik_blueprints.metacleanblueprint') return;
      const k = this.kept.get(e.key);
      if (k) this.index(last, e, k);
    }
    this.last = last;
  }

  private keptRecord(e: CompiledEntry, r: EntryRecord, snapshot: LiveSnapshot): Kept {
    const match = snapshot.byKey.get(e.key);
    const object = match ? `${e.model}|${pkKey(match.pk)}` : undefined;
    return {
      ...r,
      entry: e,
      uri: e.origin.uri,
      match,
      ...(object ? { object } : {}),
      deps: e.dependsOn.join('\n'),
      finds: holdsFind(e.attrs) || holdsFind(e.identifiers) || holdsFind(e.conditions) || holdsFind(e.secrets),
    };
  }

  private index(last: Last, e: CompiledEntry, k: Kept): void {
    if (k.diagnostics.length) last.diagnosed.add(e.key);
    for (const f of k.found) last.found.set(f, (last.found.get(f) ?? 0) + 1);
    if (k.object) addTo(last.byObject, k.object, e.key);
    for (const d of e.dependsOn) addTo(last.dependents, d, e.key);
    if (k.creates) last.creates += 1;
    if (k.finds) last.finds += 1;
  }

  private unindex(last: Last, key: string, k: Kept): void {
    last.diagnosed.delete(key);
    for (const f of k.found) last.found.set(f, last.found.get(f)! - 1);
    if (k.object) last.byObject.get(k.object)?.delete(key);
    for (const d of k.entry.dependsOn) last.dependents.get(d)?.delete(key);
    if (k.creates) last.creates -= 1;
    if (k.finds) last.finds -= 1;
  }

  /** Why this run cannot reuse the kept plan; undefined when it can. */
  private spliceable(
    entries: readonly CompiledEntry[],
    snapshot: LiveSnapshot,
    input: PlanMemoInput,
    finds: ReadonlyMap<string, string>,
    rbac: string,
  ): string | undefined {
    if (this.kept.size === 0) return this.fallback ?? 'nothing kept';
    if (this.fingerprint !== input.fingerprint) return 'the state, the options or the server changed';
    // The server as this run read it must be what the kept outcomes saw.
    const replaced = new Map<LiveObject, LiveObject>();
    for (const [model, objects] of snapshot.objects) {
      const before = this.lists.get(model);
      if (before !== undefined && before !== objects && !sameList(before, objects, replaced)) return `live ${model} objects changed`;
    }
    for (const [k, v] of finds) {
      const before = this.finds.get(k);
      if (before !== undefined && before !== v) return 'a server-side lookup answers differently';
    }
    if (rbac !== this.rbac) return 'role permissions changed';
    if (snapshot.blocked && snapshot.blocked.size > 0) return 'observe could not read everything';
    // Files whose blueprint changed, whose entries came or went, or whose dependencies moved.
    const dirty = new Set<string>();
    for (const [uri, token] of input.files) if (this.files.get(uri) !== token) dirty.add(uri);
    let found = 0;
    for (const e of entries) {
      const k = this.kept.get(e.key);
      if (k) found += 1;
      if (k?.entry === e) continue;
      if (!k || k.uri !== e.origin.uri || k.deps !== e.dependsOn.join('\n')) dirty.add(e.origin.uri);
    }
    // Kept entries that are gone (the keys are unique, so a count tells whether there are any).
    if (found !== this.kept.size) {
      const now = new Set(entries.map((e) => e.key));
      for (const [key, k] of this.kept) if (!now.has(key)) dirty.add(k.uri);
    }
    const dirtyKeys = new Set<string>();
    const dirtyObjects = new Set<string>();
    for (const [key, k] of this.kept) {
      if (!dirty.has(k.uri)) continue;
      dirtyKeys.add(key);
      if (k.object) dirtyObjects.add(k.object);
    }
    for (const e of entries) {
      if (!dirty.has(e.origin.uri)) continue;
      dirtyKeys.add(e.key);
      const m = snapshot.byKey.get(e.key);
      if (m) dirtyObjects.add(`${e.model}|${pkKey(m.pk)}`);
    }
    for (const e of entries) {
      if (dirty.has(e.origin.uri)) continue;
      const k = this.kept.get(e.key)!;
      if (!sameObject(k.match, snapshot.byKey.get(e.key), replaced)) return `the live object of ${e.key} changed`;
      if (k.object && dirtyObjects.has(k.object)) return `${e.key} declares an object a changed file declares too`;
      if (e.dependsOn.some((d) => dirtyKeys.has(d))) return `${e.key} depends on an entry of a changed file`;
    }
    for (const e of entries)
      if (dirty.has(e.origin.uri) && e.dependsOn.some((d) => !dirtyKeys.has(d))) return `${e.key} depends on an entry of an unchanged file`;
    this.dirty = dirty;
    return undefined;
  }

  private remember(snapshot: LiveSnapshot, input: PlanMemoInput, finds: ReadonlyMap<string, string>, rbac: string): void {
    this.fallback = undefined;
    this.files = new Map(input.files);
    this.fingerprint = input.fingerprint;
    this.lists = new Map(snapshot.objects);
    for (const [k, v] of finds) this.finds.set(k, v);
    this.rbac = rbac;
  }
}
