// What `akbp watch` keeps of a plan between saves: each entry's outcome (its Change, diagnostics,
// the live objects its `!Find`s answered), so a save re-plans only the files whose entries
// changed. Reuse is all or nothing per run: when anything couples a changed file to the others,
// or the server or the state differs, the whole plan is made again. The rule and why the spliced
// plan equals a full plan are in src/gitops/README.md ("Incremental watch").
import type { Change, CompiledEntry, Diagnostic, LiveObject, LiveSnapshot } from '../model/types.js';
import { pkKey } from '../live/index.js';
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
  if (replaced.get(a) === b) return true;
  return a.model === b.model && pkKey(a.pk) === pkKey(b.pk) && JSON.stringify(a.body) === JSON.stringify(b.body);
}

/** Whether a list read again equals the one kept; the objects found equal are mapped old → new. */
function sameList(a: readonly LiveObject[], b: readonly LiveObject[], replaced: Map<LiveObject, LiveObject>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x === y) continue;
    if (x.model !== y.model || pkKey(x.pk) !== pkKey(y.pk) || JSON.stringify(x.body) !== JSON.stringify(y.body)) return false;
    replaced.set(x, y);
  }
  return true;
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
  private readonly counts: Stats = { full: 0, spliced: 0, replanned: 0, reused: 0 };

  /** Forget everything: the next plan is made whole (akbp wrote, or the server failed). */
  reset(): void {
    this.kept = new Map();
    this.files = new Map();
    this.fingerprint = undefined;
  }

  stats(): Stats {
    return { ...this.counts };
  }

  /**
   * Starts a plan: returns, per entry, its kept record when the whole plan may be spliced, else
   * nothing for every entry (a full plan). Called once per plan() with the sorted entries.
   */
  start(entries: readonly CompiledEntry[], snapshot: LiveSnapshot, input: PlanMemoInput): (e: CompiledEntry) => EntryRecord | undefined {
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
    const match = snapshot.byKey.get(e.key);
    const object = match ? `${e.model}|${pkKey(match.pk)}` : undefined;
    if (this.splicing) this.counts.replanned += 1;
    this.next?.set(e.key, {
      ...r,
      uri: e.origin.uri,
      match,
      ...(object ? { object } : {}),
      deps: e.dependsOn.join('\n'),
      finds: holdsFind(e.attrs) || holdsFind(e.identifiers) || holdsFind(e.conditions) || holdsFind(e.secrets),
    });
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
    const now = new Set<string>();
    for (const [uri, token] of input.files) if (this.files.get(uri) !== token) dirty.add(uri);
    for (const e of entries) {
      now.add(e.key);
      const k = this.kept.get(e.key);
      if (!k || k.uri !== e.origin.uri || k.deps !== e.dependsOn.join('\n')) dirty.add(e.origin.uri);
    }
    for (const [key, k] of this.kept) if (!now.has(key)) dirty.add(k.uri);
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
