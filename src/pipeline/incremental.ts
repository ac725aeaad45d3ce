// What `akbp watch` keeps between runs so a save does not redo everything: validation results per
// blueprint (validate looks at one file at a time) and the whole-collection lists observe read.
// A save re-reads the models its changed entries touch; the other lists are reused until the
// refresh interval passes, akbp writes (an apply), or the server fails a request. The rule and
// why the plan stays the full plan are in src/gitops/README.md ("Incremental watch").
import type { CompiledEntry, Diagnostic, LiveObject, ParsedBlueprint } from '../model/index.js';
import { sortDiagnostics, strictify } from '../diag/index.js';
import { entriesDelta } from '../live/index.js';
import { validateBlueprints, type ValidateOptions } from '../validate/index.js';
import { chooseReads, ObserveMemo, type ListCache } from '../observe/index.js';
import type { Registry } from '../authentik/registry.js';
import { stableStringify } from '../values/index.js';
import { PlanMemo, type PlanMemoInput } from '../plan/index.js';
import { CompileMemo } from './compile-memo.js';
import type { OwnershipState } from '../state/index.js';
import { createHash } from 'node:crypto';
import type { ReconcileDeps, ReconcileOutcome, ReconcileSpec } from './types.js';

/** The lists observe may reuse in this run; the pipeline calls it between compile and observe. */
export interface SnapshotReuse {
  prepare(entries: readonly CompiledEntry[], blueprints: readonly ParsedBlueprint[]): ListCache;
  /** The matches observe may reuse for unchanged entries (see observe/memo.ts). */
  observeMemo?: ObserveMemo;
  /** The kept plan outcomes plan() may reuse for unchanged files, and what they were planned against. */
  planMemo?(blueprints: readonly ParsedBlueprint[], against: PlanAgainst): PlanMemoInput;
}

/** What a plan reads besides the entries and the snapshot: a change to any of it re-plans everything. */
interface PlanAgainst {
  state: OwnershipState;
  /**
   * The store's version of the state (its serial, raised by every write): the state stands for
   * itself by it, so 20k records are not written out on every save. 0: no version (no store, or
   * an empty one), the records themselves are compared.
   */
  stateVersion?: number;
  options: object;
  /** The digest key: secret digests change with it (only its hash is kept). */
  key: string;
  actor: unknown;
}

export interface IncrementalOptions {
  registry: Registry;
  /** Lists older than this are read again (someone else's writes show up within it). Default 60 s. */
  refreshMs?: number;
  now?: () => number;
}

interface IncrementalStats {
  /** Runs that started with no list kept (first run, timer, error, apply). */
  fullRefreshes: number;
  /** Lists taken from the previous runs instead of the server. */
  listsReused: number;
  listsRead: number;
  /** Blueprints validated again (their bytes changed) and reused. */
  validated: number;
  validationsReused: number;
  /** Observes that matched only what changed, and those that matched everything (see observe/memo.ts). */
  observe?: ReturnType<ObserveMemo['stats']>;
  /** Plans spliced from kept outcomes and plans made whole (see plan/memo.ts). */
  plan?: ReturnType<PlanMemo['stats']>;
  /** Compiles of the changed files only and compiles of everything (see compile-memo.ts). */
  compile?: ReturnType<CompileMemo['stats']>;
}

export interface Incremental {
  /** Hooks for ReconcileDeps: `validate`, `compile` and `snapshot`. */
  validate: NonNullable<ReconcileDeps['validate']>;
  compile: NonNullable<ReconcileDeps['compile']>;
  snapshot: SnapshotReuse;
  /** Runs `reconcile` and drops what is kept when the run wrote or the server failed. */
  run(reconcile: (spec: ReconcileSpec) => Promise<ReconcileOutcome>, spec: ReconcileSpec): Promise<ReconcileOutcome>;
  /** Forget every kept list: the next run reads everything (timer, server error, apply). */
  reset(): void;
  stats(): IncrementalStats;
}

/** Codes that mean the server failed a read or a write: observe (AKB41xx) and the client (AKB6001–6049). */
function serverTrouble(d: Diagnostic): boolean {
  const n = Number.parseInt(d.code.replace(/^AKB/, ''), 10);
  return d.severity === 'error' && ((n >= 4100 && n < 4200) || (n >= 6001 && n <= 6049));
}

/** What observe's reads depend on in an entry; secrets included, since a `!Find` may sit there. */
function entryPrint(e: CompiledEntry): string {
  return stableStringify({ m: e.model, s: e.state, i: e.identifiers, a: e.attrs, c: e.conditions, x: e.secrets } as never);
}

export function createIncremental(opts: IncrementalOptions): Incremental {
  const now = opts.now ?? Date.now;
  const refreshMs = opts.refreshMs ?? 60_000;
  const stats: IncrementalStats = { fullRefreshes: 0, listsReused: 0, listsRead: 0, validated: 0, validationsReused: 0 };
  /** Validation of one blueprint object (the parse cache hands back the same object for unchanged bytes). */
  const validated = new WeakMap<ParsedBlueprint, { lenient: boolean; diagnostics: Diagnostic[] }>();
  let lists = new Map<string, readonly LiveObject[]>();
  let filledAt: number | undefined;
  /** Last run's blueprints and entries by uri, to tell which files' entries changed. */
  let lastBlueprints = new Map<string, ParsedBlueprint>();
  let lastEntries = new Map<string, CompiledEntry[]>();

  const memo = new PlanMemo();
  const observeMemo = new ObserveMemo();
  const compileMemo = new CompileMemo(opts.registry);
  const dropLists = (): void => {
    lists = new Map();
    filledAt = undefined;
  };
  const reset = (): void => {
    dropLists();
    memo.reset();
    observeMemo.reset();
  };

  const validate = (bps: ParsedBlueprint[], o: ValidateOptions): Diagnostic[] => {
    const lenient = o.lenient === true;
    const out: Diagnostic[] = [];
    for (const bp of bps) {
      let hit = validated.get(bp);
      if (hit && hit.lenient === lenient) stats.validationsReused += 1;
      else {
        stats.validated += 1;
        hit = { lenient, diagnostics: validateBlueprints([bp], { registry: o.registry, lenient }) };
        validated.set(bp, hit);
      }
      out.push(...hit.diagnostics);
    }
    // Each file's list is sorted with a stable sort, so sorting the concatenation gives the order
    // validateBlueprints gives for all files at once; --strict turns warnings into errors after it.
    const sorted = sortDiagnostics(out);
    return o.strict ? strictify(sorted) : sorted;
  };

  /** The entries of the last run, as one array (compile's delta is relative to it). */
  let lastArray: readonly CompiledEntry[] | undefined;

  /** Models whose lists observe must read again because entries reading them changed. */
  const changedModels = (entries: readonly CompiledEntry[], blueprints: readonly ParsedBlueprint[]): Set<string> => {
    const delta = lastArray ? entriesDelta(entries, lastArray) : undefined;
    const before = lastArray;
    lastArray = entries;
    if (delta && before) {
      // Compile said which positions hold other entries: only those can have changed, and the
      // per-file record is patched for their files alone.
      const touched: CompiledEntry[] = [];
      const uris = new Set<string>();
      for (const i of delta) {
        const o = before[i]!;
        const n = entries[i]!;
        uris.add(o.origin.uri).add(n.origin.uri);
        if (o.key !== n.key || entryPrint(o) !== entryPrint(n)) touched.push(o, n);
      }
      for (const uri of uris) {
        const byKey = new Map((lastEntries.get(uri) ?? []).map((e) => [e.key, e]));
        for (const i of delta) if (before[i]!.origin.uri === uri) byKey.delete(before[i]!.key);
        for (const i of delta) if (entries[i]!.origin.uri === uri) byKey.set(entries[i]!.key, entries[i]!);
        const list = [...byKey.values()].sort((a, b) => a.order - b.order);
        if (list.length) lastEntries.set(uri, list);
        else lastEntries.delete(uri);
      }
      lastBlueprints = new Map(blueprints.map((bp) => [bp.uri, bp]));
      return new Set(chooseReads(touched, opts.registry, {}).reads.map((r) => r.model));
    }
    const byUri = new Map<string, CompiledEntry[]>();
    for (const e of entries) {
      const l = byUri.get(e.origin.uri);
      if (l) l.push(e);
      else byUri.set(e.origin.uri, [e]);
    }
    const current = new Map(blueprints.map((bp) => [bp.uri, bp]));
    const uris = new Set<string>();
    for (const [uri, bp] of current) if (lastBlueprints.get(uri) !== bp) uris.add(uri);
    for (const uri of lastBlueprints.keys()) if (!current.has(uri)) uris.add(uri);
    // A file whose entries come and go without its bytes changing (compiled in by a changed
    // metaapplyblueprint) counts as changed too.
    for (const uri of new Set([...byUri.keys(), ...lastEntries.keys()])) {
      if ((byUri.get(uri)?.length ?? 0) !== (lastEntries.get(uri)?.length ?? 0)) uris.add(uri);
    }
    const touched: CompiledEntry[] = [];
    for (const uri of uris) {
      const old = lastEntries.get(uri) ?? [];
      const before = new Map(old.map((e) => [e.key, entryPrint(e)]));
      const after = new Map((byUri.get(uri) ?? []).map((e) => [e.key, { e, print: entryPrint(e) }]));
      // Both versions of a changed entry: the models it read before and the ones it reads now.
      for (const { e, print } of after.values()) if (before.get(e.key) !== print) touched.push(e);
      for (const e of old) if (after.get(e.key)?.print !== before.get(e.key)) touched.push(e);
    }
    lastBlueprints = current;
    lastEntries = byUri;
    return new Set(chooseReads(touched, opts.registry, {}).reads.map((r) => r.model));
  };

  const snapshot: SnapshotReuse = {
    observeMemo,
    prepare(entries, blueprints) {
      const stale = changedModels(entries, blueprints);
      // The kept plan stays: plan compares what is read again with what its outcomes saw.
      if (filledAt !== undefined && now() - filledAt >= refreshMs) dropLists();
      if (filledAt === undefined) stats.fullRefreshes += 1;
      for (const m of stale) lists.delete(m);
      return {
        get(model) {
          const hit = lists.get(model);
          if (hit) stats.listsReused += 1;
          else stats.listsRead += 1;
          return hit;
        },
        set(model, objects) {
          filledAt ??= now();
          lists.set(model, objects);
        },
      };
    },
    planMemo(blueprints, against) {
      const files = new Map<string, unknown>();
      // A `!File` reads outside the watched files: such a blueprint is planned again on every save.
      for (const bp of blueprints) files.set(bp.uri, bp.text.includes('!File') ? {} : bp);
      // JSON.stringify, not a sorted form: the record is read the same way each time, and a
      // difference in key order only costs a full plan.
      const fingerprint = JSON.stringify({
        state: against.stateVersion ? { version: against.stateVersion } : against.state,
        options: against.options,
        key: createHash('sha256').update(against.key).digest('hex'),
        actor: against.actor,
      });
      return { memo, files, fingerprint };
    },
  };

  return {
    validate,
    compile: async (bps, o) => compileMemo.compile(bps, o),
    snapshot,
    async run(reconcile, spec) {
      let outcome: ReconcileOutcome;
      try {
        outcome = await reconcile(spec);
      } catch (e) {
        reset();
        throw e;
      }
      // A write by akbp changes lists, and a failed request may have left any of them wrong.
      if (outcome.apply || outcome.diagnostics.some(serverTrouble)) reset();
      return outcome;
    },
    reset,
    stats: () => ({ ...stats, observe: observeMemo.stats(), plan: memo.stats(), compile: compileMemo.stats() }),
  };
}
