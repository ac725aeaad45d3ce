// What `akbp watch` keeps of a compile between saves: the last result, so a save recompiles only
// the files it changed, as long as no file is coupled to another (see src/gitops/README.md,
// "Incremental watch"). Anything else compiles everything, as before.
import type { CompiledEntry, CompileResult, DesiredValue, DroppedEntry, ParsedBlueprint } from '../model/index.js';
import { compileBlueprints, type CompileOptions } from '../compile/index.js';
import { findCovers, type Registry } from '../authentik/registry.js';
import { sortDiagnostics } from '../diag/index.js';
import { noteEntriesDelta } from '../live/index.js';
import { containsDeferred, isDeferred, stableStringify } from '../values/index.js';

/** A `!Find` compile orders by: model and field = value pairs written out (see compile's findMatches). */
interface LiteralFind {
  uri: string;
  model: string;
  query: [string, DesiredValue][];
}

interface Kept {
  result: CompileResult;
  blueprints: Map<string, ParsedBlueprint>;
  library: ParsedBlueprint[];
  options: string;
  finds: LiteralFind[];
  /** `model|identifiers` of every declaration compile chains across files, with the files declaring it. */
  objects: Map<string, Set<string>>;
  /** Each file's positions in `result.entries`, ascending. */
  positions: Map<string, number[]>;
  /** The entries of each model (a changed file's `!Find` is checked against the others' of its model). */
  byModel: Map<string, Set<CompiledEntry>>;
}

function indexEntries(entries: readonly CompiledEntry[]): Pick<Kept, 'positions' | 'byModel'> {
  const positions = new Map<string, number[]>();
  const byModel = new Map<string, Set<CompiledEntry>>();
  entries.forEach((e, i) => {
    const p = positions.get(e.origin.uri);
    if (p) p.push(i);
    else positions.set(e.origin.uri, [i]);
    const m = byModel.get(e.model);
    if (m) m.add(e);
    else byModel.set(e.model, new Set([e]));
  });
  return { positions, byModel };
}

interface Stats {
  full: number;
  spliced: number;
  /** Why the last full compile was full. */
  lastReason?: string;
}

const META_APPLY = 'metaapplyblueprint';

/** The ORM compares a query value after converting it to the field's type (compile's rule, kept loose). */
function looseEqual(a: DesiredValue, b: DesiredValue): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object')
    return (typeof a === 'number' || typeof a === 'string') && (typeof b === 'number' || typeof b === 'string') && String(a) === String(b);
  if (isDeferred(a) || isDeferred(b)) return false;
  return stableStringify(a) === stableStringify(b);
}

function* deferredFinds(v: unknown): Generator<{ model: string; query: [string, DesiredValue][] }> {
  if (v === null || typeof v !== 'object') return;
  const o = v as { $find?: { model: string; query: [string, DesiredValue][] }; $findObject?: { model: string; query: [string, DesiredValue][] } };
  if (isDeferred(v as never) && (o.$find || o.$findObject)) yield (o.$find ?? o.$findObject)!;
  for (const x of Array.isArray(v) ? v : Object.values(v)) yield* deferredFinds(x);
}

function literalFinds(e: CompiledEntry): LiteralFind[] {
  const out: LiteralFind[] = [];
  for (const part of [e.identifiers, e.attrs, e.secrets, e.conditions]) {
    for (const q of deferredFinds(part)) {
      if (q.query.length === 0 || q.query.some(([f, v]) => f === 'pk' || f.includes('__') || containsDeferred(v))) continue;
      out.push({ uri: e.origin.uri, model: q.model, query: q.query });
    }
  }
  return out;
}

function objectKey(e: CompiledEntry): string | undefined {
  const ids = e.identifiers;
  if (Object.keys(ids).length === 0 || 'pk' in ids || containsDeferred(ids)) return undefined;
  return `${e.model}|${stableStringify(ids)}`;
}

/** Whether a literal `!Find` of a model covering the entry's may match what it declares (a superset of compile's test). */
function mayMatch(f: LiteralFind, e: CompiledEntry): boolean {
  if (e.state === 'absent') return false;
  return f.query.every(([k, v]) => Object.hasOwn(e.attrs, k) && looseEqual(e.attrs[k]!, v));
}

export class CompileMemo {
  private kept: Kept | undefined;
  private readonly counts: Stats = { full: 0, spliced: 0 };

  constructor(private readonly registry: Registry) {}

  reset(): void {
    this.kept = undefined;
  }

  stats(): Stats {
    return { ...this.counts };
  }

  compile(bps: readonly ParsedBlueprint[], opts: CompileOptions): CompileResult {
    const spliced = this.splice(bps, opts);
    if (typeof spliced !== 'string') {
      this.counts.spliced += 1;
      return spliced;
    }
    this.counts.full += 1;
    this.counts.lastReason = spliced;
    const result = compileBlueprints([...bps], opts);
    this.remember(bps, opts, result);
    return result;
  }

  private optionsKey(opts: CompileOptions): string {
    const { registry: _r, library: _l, readFile: _f, env, ...rest } = opts;
    return stableStringify({ rest, env } as never);
  }

  /**
   * Keeps the result when nothing couples files: no entry depends on another file's entry (no
   * metaapplyblueprint compiled in, no `!Find` answered by another file, no object declared in
   * two), no `!File`, no path twice. Otherwise the next save compiles everything.
   */
  private remember(bps: readonly ParsedBlueprint[], opts: CompileOptions, result: CompileResult): void {
    this.kept = undefined;
    const library = opts.library ?? [];
    const all = [...bps, ...library];
    if (all.some((bp) => bp.text.includes('!File'))) return;
    if (new Set(all.map((bp) => bp.path || bp.uri)).size !== all.length) return;
    if (result.diagnostics.some((d) => !d.subject?.uri)) return;
    const uriOf = new Map(result.entries.map((e) => [e.key, e.origin.uri]));
    for (const e of result.entries) for (const d of e.dependsOn) if (uriOf.get(d) !== e.origin.uri) return;
    const objects = new Map<string, Set<string>>();
    for (const e of result.entries) {
      const k = objectKey(e);
      if (!k) continue;
      const s = objects.get(k);
      if (s) s.add(e.origin.uri);
      else objects.set(k, new Set([e.origin.uri]));
    }
    this.kept = {
      result,
      blueprints: new Map(bps.map((bp) => [bp.uri, bp])),
      library,
      options: this.optionsKey(opts),
      finds: result.entries.flatMap(literalFinds),
      objects,
      ...indexEntries(result.entries),
    };
  }

  /**
   * The changed files' entries put where their predecessors were, when every changed file keeps
   * its number of entries and the order still holds around each of them: no pass over the rest.
   */
  private inPlace(
    kept: Kept,
    changed: ReadonlySet<string>,
    fresh: readonly CompiledEntry[],
    before: (a: CompiledEntry, b: CompiledEntry) => number,
  ): { entries: CompiledEntry[]; changed: number[] } | undefined {
    const byUri = new Map<string, CompiledEntry[]>();
    for (const e of fresh) {
      const l = byUri.get(e.origin.uri);
      if (l) l.push(e);
      else byUri.set(e.origin.uri, [e]);
    }
    const entries = kept.result.entries.slice();
    const at: number[] = [];
    for (const uri of changed) {
      const pos = kept.positions.get(uri) ?? [];
      const mine = (byUri.get(uri) ?? []).sort(before);
      if (mine.length !== pos.length) return undefined;
      pos.forEach((p, i) => {
        entries[p] = mine[i]!;
        at.push(p);
      });
    }
    at.sort((a, b) => a - b);
    for (const p of at) {
      if (p > 0 && before(entries[p - 1]!, entries[p]!) >= 0) return undefined;
      if (p + 1 < entries.length && before(entries[p]!, entries[p + 1]!) >= 0) return undefined;
    }
    // Entries are values of the result handed out before: renumbered ones are copies.
    for (const p of at) if (entries[p]!.order !== p) entries[p] = { ...entries[p]!, order: p };
    return { entries, changed: at };
  }

  /** The spliced result, or why there is none. */
  private splice(bps: readonly ParsedBlueprint[], opts: CompileOptions): CompileResult | string {
    const kept = this.kept;
    if (!kept) return 'nothing kept (first compile, or files were coupled)';
    const library = opts.library ?? [];
    if (library.length !== kept.library.length || library.some((bp, i) => bp !== kept.library[i])) return 'the library changed';
    if (this.optionsKey(opts) !== kept.options) return 'the compile options changed';
    const changed = new Set<string>();
    const now = new Map(bps.map((bp) => [bp.uri, bp]));
    for (const [uri, bp] of now) if (kept.blueprints.get(uri) !== bp) changed.add(uri);
    for (const uri of kept.blueprints.keys()) if (!now.has(uri)) changed.add(uri);
    for (const uri of changed) {
      const bp = now.get(uri);
      const before = kept.blueprints.get(uri);
      if (bp?.text.includes('!File')) return `${uri} reads a file (!File)`;
      if (bp?.text.includes(META_APPLY) || before?.text.includes(META_APPLY)) return `${uri} holds a metaapplyblueprint`;
    }
    const all = [...bps, ...library];
    if (new Set(all.map((bp) => bp.path || bp.uri)).size !== all.length) return 'two files have one path';
    const fresh = [...changed].flatMap((uri) => (now.has(uri) ? [now.get(uri)!] : []));
    const part = fresh.length > 0 ? compileBlueprints(fresh, opts) : { entries: [], dropped: [], diagnostics: [] };
    if (part.diagnostics.some((d) => !d.subject?.uri || !changed.has(d.subject.uri))) return 'a compile diagnostic names no changed file';
    // Coupling of the changed files' new entries to the others', and among themselves.
    const keyUri = new Map(part.entries.map((e) => [e.key, e.origin.uri]));
    for (const e of part.entries) for (const d of e.dependsOn) if (keyUri.get(d) !== e.origin.uri) return `${e.key} depends on another file`;
    // Which declared models a find's model covers, asked once per pair of models.
    const covers = new Map<string, boolean>();
    const covered = (query: string, model: string): boolean => {
      const k = `${query}\0${model}`;
      let c = covers.get(k);
      if (c === undefined) covers.set(k, (c = query.toLowerCase() === model || findCovers(this.registry, query, model)));
      return c;
    };
    for (const f of part.entries.flatMap(literalFinds)) {
      for (const [model, es] of kept.byModel) {
        if (!covered(f.model, model)) continue;
        for (const e of es) if (!changed.has(e.origin.uri) && mayMatch(f, e)) return `a !Find of ${f.uri} looks for another file's object`;
      }
    }
    const otherFinds = kept.finds.filter((f) => !changed.has(f.uri));
    // By the model they look in: a declaration is compared only with the finds that cover its model.
    const findsByModel = new Map<string, LiteralFind[]>();
    for (const f of otherFinds) {
      const l = findsByModel.get(f.model);
      if (l) l.push(f);
      else findsByModel.set(f.model, [f]);
    }
    for (const e of part.entries) {
      for (const [model, fs] of findsByModel) {
        if (covered(model, e.model) && fs.some((f) => mayMatch(f, e))) return `${e.key} declares what another file's !Find looks for`;
      }
      const k = objectKey(e);
      const holders = k ? kept.objects.get(k) : undefined;
      if (holders && [...holders].some((u) => !changed.has(u))) return `${e.key} declares an object another file declares`;
    }
    const name = new Map(all.map((bp) => [bp.uri, bp.path || bp.uri]));
    // The order compile gives: wave, instance (by path: nothing ranks one file after another
    // here), uri, then the order within the file, which the file's own compile decided.
    const before = (a: CompiledEntry, b: CompiledEntry): number => {
      if (a.wave !== b.wave) return a.wave - b.wave;
      const na = name.get(a.origin.uri) ?? a.origin.uri;
      const nb = name.get(b.origin.uri) ?? b.origin.uri;
      if (na !== nb) return na < nb ? -1 : 1;
      if (a.origin.uri !== b.origin.uri) return a.origin.uri < b.origin.uri ? -1 : 1;
      return a.order - b.order;
    };
    const placed = this.inPlace(kept, changed, part.entries, before);
    let entries: CompiledEntry[];
    if (placed) {
      entries = placed.entries;
      // Observe and plan redo only the positions that hold other entries than last time.
      noteEntriesDelta(entries, kept.result.entries, placed.changed);
    } else {
      // The kept entries are in that order already: merge the changed files' entries in.
      const others = kept.result.entries.filter((e) => !changed.has(e.origin.uri));
      const added = [...part.entries].sort(before);
      const merged: CompiledEntry[] = [];
      let j = 0;
      for (const e of others) {
        while (j < added.length && before(added[j]!, e) < 0) merged.push(added[j++]!);
        merged.push(e);
      }
      while (j < added.length) merged.push(added[j++]!);
      // Entries are values of the result handed out before: renumbered ones are copies.
      entries = merged.map((e, order) => (e.order === order ? e : { ...e, order }));
      noteEntriesDelta(entries, kept.result.entries);
    }
    const dropped: DroppedEntry[] = [...kept.result.dropped.filter((d) => !changed.has(d.origin.uri)), ...part.dropped].sort((a, b) =>
      a.origin.uri !== b.origin.uri ? (a.origin.uri < b.origin.uri ? -1 : 1) : a.origin.range.start - b.origin.range.start,
    );
    const diagnostics = sortDiagnostics([...kept.result.diagnostics.filter((d) => !changed.has(d.subject!.uri)), ...part.diagnostics]);
    const result: CompileResult = { entries, dropped, diagnostics };
    // The kept state moves on: the changed files' finds and declarations replace their old ones.
    // Changed in place: the checks above are passed, nothing returns before the new state is kept.
    const objects = kept.objects;
    for (const uri of changed) {
      for (const i of kept.positions.get(uri) ?? []) {
        const old = kept.result.entries[i]!;
        const k = objectKey(old);
        const s = k ? objects.get(k) : undefined;
        if (!s) continue;
        s.delete(uri);
        if (s.size === 0) objects.delete(k!);
      }
    }
    for (const e of part.entries) {
      const k = objectKey(e);
      if (!k) continue;
      const s = objects.get(k);
      if (s) s.add(e.origin.uri);
      else objects.set(k, new Set([e.origin.uri]));
    }
    let index: Pick<Kept, 'positions' | 'byModel'>;
    if (placed) {
      const byModel = kept.byModel;
      for (const uri of changed) for (const i of kept.positions.get(uri) ?? []) byModel.get(kept.result.entries[i]!.model)?.delete(kept.result.entries[i]!);
      for (const i of placed.changed) {
        const e = entries[i]!;
        const m = byModel.get(e.model);
        if (m) m.add(e);
        else byModel.set(e.model, new Set([e]));
      }
      index = { positions: kept.positions, byModel };
    } else index = indexEntries(entries);
    this.kept = {
      result,
      blueprints: now,
      library,
      options: kept.options,
      finds: [...otherFinds, ...part.entries.flatMap(literalFinds)],
      objects,
      ...index,
    };
    return result;
  }
}
