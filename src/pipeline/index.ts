// reconcileOnce: runs sources → load → validate → compile → observe → plan → (apply) once, with
// the adapters the driver hands in. It never builds adapters and never prints: drivers render.
import { createHash } from 'node:crypto';
import type { CompiledEntry, Diagnostic, Json, Plan, SourceFile } from '../model/index.js';
import { hasErrors, strictify } from '../diag/index.js';
import { compileBlueprints } from '../compile/index.js';
import { observe } from '../observe/index.js';
import { plan as makePlan } from '../plan/index.js';
import { apply as applyPlan, checkPlanFresh } from '../apply/index.js';
import { randomBytes } from 'node:crypto';
import { diagnose, msg } from '../diag/index.js';
import { emptyState, makeSecretDigest, StateError, StateJournal, STATE_CODES, type OwnershipState } from '../state/index.js';
import type { BlockedFile, ReconcileDeps, ReconcileOutcome, ReconcileSpec } from './types.js';
import { blockedBy, isolate, protectedRecords } from './isolate.js';
import { PIPELINE_CODES } from './codes.js';
import { planDifferences } from './saved-plan.js';

export type { ReconcileDeps, ReconcileOutcome, ReconcileSpec } from './types.js';
export { createIncremental, type Incremental } from './incremental.js';
export { loadAndValidate, type Loaded } from './load.js';
import { loadAndValidate, type Loaded } from './load.js';

/** Each file's own digest, by its bytes: akbp watch hands the unchanged files' bytes in again. */
const fileDigests = new WeakMap<object, Buffer>();

/** Digest of everything read: changes whenever any file's content or path changes. */
function sourceDigest(files: readonly SourceFile[]): string {
  const h = createHash('sha256');
  for (const f of [...files].sort((a, b) => (a.uri < b.uri ? -1 : a.uri > b.uri ? 1 : 0))) {
    let d = fileDigests.get(f.bytes);
    if (!d) fileDigests.set(f.bytes, (d = createHash('sha256').update(f.bytes).digest()));
    h.update(f.uri).update('\0').update(d).update('\0');
  }
  return `sha256:${h.digest('hex')}`;
}

/** load → validate → compile; the compiled entries carry secrets, so they stay in memory only. */
export async function compileLoaded(loaded: Loaded, spec: ReconcileSpec, deps: ReconcileDeps) {
  const result = await (deps.compile ?? (async (b, o) => compileBlueprints(b, o)))(loaded.blueprints, {
    registry: deps.registry,
    contextOverrides: (spec.context ?? {}) as { [key: string]: Json },
    env: deps.env,
    ...(deps.envAllow ? { envAllow: deps.envAllow } : {}),
    ...(deps.readFile ? { readFile: deps.readFile } : {}),
    ...(deps.fileRoots ? { fileRoots: deps.fileRoots } : {}),
    library: loaded.library,
  });
  // Each check has one owner (validate for what the text shows), so nothing here repeats it.
  return { ...result, diagnostics: spec.strict ? strictify(result.diagnostics) : result.diagnostics };
}

type Compiled = Awaited<ReturnType<typeof compileLoaded>>;

/** Compiled healthy files, the files left out and every diagnostic so far; `blocked` is empty when nothing is isolated. */
interface Prepared {
  compiled?: Compiled;
  blocked: BlockedFile[];
  diagnostics: Diagnostic[];
}

/**
 * validate → compile with failure isolation: files with load, validate or compile errors of their
 * own, and the files that need them, are left out and the rest is compiled. A compile error is
 * known only once compile ran, so compile runs again without the files it failed in (each round
 * leaves out at least one more file). Without a file to blame (an unreadable source, a compile
 * worker that died outside any file) nothing is compiled.
 */
async function prepare(loaded: Loaded, spec: ReconcileSpec, deps: ReconcileDeps): Promise<Prepared> {
  const files = new Set(loaded.files.map((f) => f.uri));
  const compileErrors: Diagnostic[] = [];
  let lastSize = Number.POSITIVE_INFINITY;
  for (;;) {
    const iso = isolate({ ...loaded, registry: deps.registry }, [...loaded.diagnostics, ...compileErrors]);
    if (!iso) return { blocked: [], diagnostics: [...loaded.diagnostics, ...compileErrors] };
    const size = iso.blueprints.length + iso.library.length;
    const compiled = await compileLoaded({ ...loaded, blueprints: iso.blueprints, library: iso.library }, spec, deps);
    const failedIn = compiled.diagnostics.filter((d) => d.severity === 'error' && d.subject !== undefined && files.has(d.subject.uri));
    const unblamed = compiled.diagnostics.some((d) => d.severity === 'error' && !failedIn.includes(d));
    // A round that left nothing more out would fail the same way again: report it as it is.
    const stuck = size >= lastSize;
    lastSize = size;
    if (failedIn.length === 0 || unblamed || stuck) {
      return { compiled, blocked: iso.blocked, diagnostics: [...loaded.diagnostics, ...compileErrors, ...iso.diagnostics, ...compiled.diagnostics] };
    }
    compileErrors.push(...failedIn);
  }
}

interface LoadedState {
  state: OwnershipState;
  /** The store's version of what was read: apply's writes compare-and-swap against it. */
  version: number;
  key: string;
  notes: Diagnostic[];
}

/** Without a store (validate, tests) digests are never compared across runs: a key for this process. */
const EPHEMERAL_KEY = randomBytes(32).toString('hex');

/**
 * The ownership state and the digest key. A record in an older format is written back at once in
 * the current one, so the note about it is said once.
 */
async function loadState(deps: ReconcileDeps): Promise<LoadedState> {
  if (!deps.state) return { state: emptyState(), version: 0, key: deps.env.AKBP_STATE_KEY || EPHEMERAL_KEY, notes: [] };
  // Plan only reads the record and apply copies it: a store may hand out the one it read last.
  const snap = await (deps.state.readShared ? deps.state.readShared() : deps.state.read());
  const key = await deps.state.digestKey();
  const notes: Diagnostic[] = [];
  let version = snap.version;
  if (snap.migrated) {
    version = await deps.state.write(snap.state, snap.version);
    notes.push(
      diagnose(
        STATE_CODES.migrated,
        'migrated',
        { store: deps.state.description, steps: snap.migrated.join('; ') },
        { detail: msg(STATE_CODES.migrated, 'migratedDetail', {}) },
      ),
    );
  }
  return { state: snap.state, version, key, notes };
}

export async function reconcileOnce(spec: ReconcileSpec, deps: ReconcileDeps): Promise<ReconcileOutcome> {
  const loaded = await loadAndValidate(spec, deps);
  const texts = { texts: loaded.texts, ...(loaded.revision ? { revision: loaded.revision } : {}) };
  if (spec.mode === 'validate') {
    return { ...texts, diagnostics: loaded.diagnostics, ok: !hasErrors(loaded.diagnostics) };
  }
  const { compiled, blocked, diagnostics } = await prepare(loaded, spec, deps);
  const base = { ...texts, ...(blocked.length > 0 ? { blocked } : {}) };
  const isolated = blockedBy(blocked);
  if (!compiled || spec.mode === 'compile' || hasErrors(diagnostics.filter((d) => !isolated(d)))) {
    return { ...base, diagnostics, ...(compiled ? { compiled } : {}), ok: !hasErrors(diagnostics) };
  }
  if (!deps.client) throw new Error('reconcileOnce: plan and apply need a server client');
  releaseParsed(loaded, deps);

  const loadedState = await loadState(deps);
  const plan = await planCompiled(loaded, compiled, diagnostics, loadedState, spec, deps, blocked);
  if (spec.mode === 'plan' || !plan.applyable) {
    return {
      ...base,
      diagnostics: plan.diagnostics,
      compiled,
      plan,
      state: loadedState.state,
      stateVersion: loadedState.version,
      ok: plan.applyable && blocked.length === 0,
    };
  }
  return runApply(plan, compiled.entries, loadedState, spec, deps, base);
}

/**
 * After compile, observe and plan read the parsed blueprints only to reuse a snapshot (watch).
 * Without one they go before observe: their values and pointer maps are most of what a large
 * file costs, and observe and plan would otherwise run with them still in memory.
 */
function releaseParsed(loaded: Loaded, deps: ReconcileDeps): void {
  if (deps.snapshot) return;
  loaded.blueprints = [];
  loaded.library = [];
}

/** observe → plan over compiled entries; the one way a plan is made, for new and saved plans alike. */
async function planCompiled(
  loaded: Loaded,
  compiled: Compiled,
  diagnostics: Diagnostic[],
  loadedState: LoadedState,
  spec: ReconcileSpec,
  deps: ReconcileDeps,
  blocked: readonly BlockedFile[],
): Promise<Plan> {
  if (!deps.client) throw new Error('reconcileOnce: plan and apply need a server client');
  const state = loadedState.state;
  const secretDigest = makeSecretDigest(loadedState.key);
  const options = {
    prune: spec.prune ?? false,
    maxDeletes: spec.maxDeletes ?? 10,
    passwordPolicy: spec.passwordPolicy ?? 'on-change',
    ...(spec.adopt ? { adopt: true } : {}),
    ...(spec.prune && spec.pruneAdopted ? { pruneAdopted: true } : {}),
  } as const;
  // Observe reads the models of prunable records only; --prune-adopted makes adopted ones prunable.
  const observedState = options.pruneAdopted
    ? { ...state, objects: Object.fromEntries(Object.entries(state.objects).map(([k, r]) => [k, { ...r, adopted: false }])) }
    : state;
  const lists = deps.snapshot?.prepare(compiled.entries, [...loaded.blueprints, ...loaded.library]);
  const [observed, actor] = await Promise.all([
    observe(compiled.entries, deps.client, deps.registry, {
      concurrency: deps.concurrency ?? 8,
      state: observedState,
      ...(lists ? { lists } : {}),
      ...(deps.snapshot?.observeMemo ? { memo: deps.snapshot.observeMemo } : {}),
    }),
    deps.client.whoami ? deps.client.whoami() : Promise.resolve(null),
  ]);
  const memo = deps.snapshot?.planMemo?.([...loaded.blueprints, ...loaded.library], {
    state,
    stateVersion: loadedState.version,
    options,
    key: loadedState.key,
    actor,
  });
  const plan = makePlan({
    ...(memo ? { memo } : {}),
    entries: compiled.entries,
    // What blocked files own is declared as far as prune knows: their entries are unknown this run.
    dropped: [...compiled.dropped, ...protectedRecords(state, blocked)],
    snapshot: observed.snapshot,
    registry: deps.registry,
    state,
    now: deps.now(),
    source: { uris: [...spec.sources], ...(loaded.revision ? { revision: loaded.revision } : {}), digest: sourceDigest(loaded.files) },
    texts: (uri) => loaded.texts.get(uri),
    ...(actor ? { actor } : {}),
    server: { url: deps.client.baseUrl, version: await deps.client.version() },
    options: { ...options, secretDigest },
  });
  plan.options = { ...options };
  plan.diagnostics.unshift(...diagnostics, ...loadedState.notes, ...observed.diagnostics);
  if (spec.prune && Object.keys(state.objects).length === 0) {
    plan.diagnostics.push(
      diagnose(
        STATE_CODES.nothingToPrune,
        'empty',
        { store: deps.state?.description ?? 'none' },
        { detail: msg(STATE_CODES.nothingToPrune, 'emptyDetail', {}) },
      ),
    );
  }
  if (spec.strict) plan.diagnostics = strictify(plan.diagnostics);
  // A blocked file's errors hold back that file only; the plan of the others stays applyable.
  const isolated = blockedBy(blocked);
  if (hasErrors(plan.diagnostics.filter((d) => !isolated(d)))) plan.applyable = false;
  return plan;
}

async function runApply(
  plan: Plan,
  entries: CompiledEntry[],
  loaded: LoadedState,
  spec: ReconcileSpec,
  deps: ReconcileDeps,
  base: { texts: Map<string, string>; revision?: string; blocked?: BlockedFile[] },
): Promise<ReconcileOutcome> {
  const client = deps.client!;
  // Each write's record is durable before the next write: a run killed midway keeps ownership.
  const journal = deps.state ? new StateJournal(deps.state, loaded.version) : undefined;
  const { result, state: next } = await applyPlan(plan, client, {
    registry: deps.registry,
    concurrency: deps.concurrency ?? 8,
    rollbackOnFailure: spec.rollbackOnFailure ?? false,
    keepPartial: spec.keepPartial ?? false,
    entries,
    state: loaded.state,
    secretDigest: makeSecretDigest(loaded.key),
    now: deps.now,
    ...(journal ? { journal: (s: OwnershipState) => journal.record(s) } : {}),
    ...(deps.onProgress ? { onProgress: (r, done, total) => deps.onProgress!(done, total, `${r.status} ${r.action} ${r.model} ${r.key}`) } : {}),
  });
  if (plan.adoptions) {
    result.adopted = plan.adoptions.filter((a) => next.objects[a.key]?.adopted === true && String(next.objects[a.key]!.pk) === String(a.pk)).length;
  }
  const diagnostics = [...plan.diagnostics, ...result.diagnostics];
  let ok = result.phase === 'succeeded' && !base.blocked?.length;
  if (journal) {
    try {
      await journal.record(next);
    } catch (e) {
      if (!(e instanceof StateError)) throw e;
      ok = false;
      diagnostics.push({
        code: e.code,
        severity: 'error',
        summary: e.message,
        detail: 'the objects written are on the server; run akbp plan again to see what the state is missing',
      });
    }
  }
  return { ...base, diagnostics, plan, apply: result, state: next, ...(journal ? { stateVersion: journal.version } : {}), ok };
}

/** Applies the plan of an earlier `reconcileOnce({mode: 'plan'})` (after the user confirmed it). */
export async function applyOutcome(planned: ReconcileOutcome, spec: ReconcileSpec, deps: ReconcileDeps): Promise<ReconcileOutcome> {
  if (!planned.plan || !planned.compiled || !planned.plan.applyable) return planned;
  const base = {
    texts: planned.texts,
    ...(planned.revision ? { revision: planned.revision } : {}),
    ...(planned.blocked ? { blocked: planned.blocked } : {}),
  };
  const loaded =
    planned.state && planned.stateVersion !== undefined
      ? {
          state: planned.state,
          version: planned.stateVersion,
          key: deps.state ? await deps.state.digestKey() : deps.env.AKBP_STATE_KEY || EPHEMERAL_KEY,
          notes: [],
        }
      : await loadState(deps);
  return runApply(planned.plan, planned.compiled.entries, loaded, spec, deps, base);
}

/**
 * Applies a saved plan: re-reads its sources (secrets are never stored in a plan), refuses when
 * they changed since the plan or when the server no longer matches what the plan saw, then
 * recomputes the plan (every check included: lockout, delete caps) and applies only when the
 * saved changes are exactly the recomputed ones. A plan file is only as trustworthy as whoever
 * could write it; the sources and the server are the authority.
 */
export async function applySavedPlan(plan: Plan, given: ReconcileSpec, deps: ReconcileDeps): Promise<ReconcileOutcome> {
  const spec: ReconcileSpec = { ...given, sources: plan.source.uris, ...(plan.options ?? {}) };
  const loaded = await loadAndValidate(spec, deps);
  const base = { texts: loaded.texts, ...(loaded.revision ? { revision: loaded.revision } : {}) };
  const digest = sourceDigest(loaded.files);
  const refuse = (code: string, summary: string, detail: string): ReconcileOutcome => ({
    ...base,
    plan,
    diagnostics: [...loaded.diagnostics, { code, severity: 'error', summary, detail }],
    ok: false,
  });
  if (digest !== plan.source.digest) {
    return refuse(
      PIPELINE_CODES.sourceChanged.code,
      msg(PIPELINE_CODES.sourceChanged, 'changed', {}),
      msg(PIPELINE_CODES.sourceChanged, 'changedDetail', { then: plan.source.digest, now: digest }),
    );
  }
  if (!plan.applyable)
    return refuse(
      PIPELINE_CODES.planNotApplyable.code,
      msg(PIPELINE_CODES.planNotApplyable, 'hasErrors', {}),
      msg(PIPELINE_CODES.planNotApplyable, 'hasErrorsDetail', {}),
    );
  const prepared = await prepare(loaded, spec, deps);
  const { compiled, blocked } = prepared;
  const isolated = blockedBy(blocked);
  if (!compiled || hasErrors(prepared.diagnostics.filter((d) => !isolated(d)))) return { ...base, plan, diagnostics: prepared.diagnostics, ok: false };
  const planned = { ...base, ...(blocked.length > 0 ? { blocked } : {}) };
  const client = deps.client;
  if (!client) throw new Error('applySavedPlan needs a server client');
  const stale = await checkPlanFresh(plan, client, deps.registry);
  if (hasErrors(stale)) return { ...base, plan, diagnostics: stale, ok: false };
  releaseParsed(loaded, deps);
  const loadedState = await loadState(deps);
  const now = await planCompiled(loaded, compiled, prepared.diagnostics, loadedState, spec, deps, blocked);
  if (!now.applyable) {
    return { ...planned, plan: now, compiled, state: loadedState.state, diagnostics: now.diagnostics, ok: false };
  }
  const differences = planDifferences(plan, now);
  if (differences.length > 0) {
    const shown = differences.slice(0, 10).join('; ') + (differences.length > 10 ? `; and ${differences.length - 10} more` : '');
    return refuse(
      PIPELINE_CODES.planChanged.code,
      msg(PIPELINE_CODES.planChanged, 'differs', { count: differences.length }),
      msg(PIPELINE_CODES.planChanged, 'differsDetail', { shown }),
    );
  }
  return runApply(now, compiled.entries, loadedState, spec, deps, planned);
}
