// reconcileOnce: runs sources → load → validate → compile → observe → plan → (apply) once, with
// the adapters the driver hands in. It never builds adapters and never prints: drivers render.
import { createHash } from 'node:crypto';
import type { CompiledEntry, Diagnostic, Json, ParsedBlueprint, Plan, SourceFile } from '../model/index.js';
import { hasErrors, strictify } from '../diag/index.js';
import { loadBlueprint } from '../load/index.js';
import { validateBlueprints } from '../validate/index.js';
import { compileBlueprints } from '../compile/index.js';
import { observe } from '../observe/index.js';
import { plan as makePlan } from '../plan/index.js';
import { apply as applyPlan, checkPlanFresh } from '../apply/index.js';
import { emptyState, generateStateKey, makeSecretDigest, readState, writeStateAtomic, type OwnershipState } from '../state/index.js';
import type { ReconcileDeps, ReconcileOutcome, ReconcileSpec } from './types.js';
import { PIPELINE_CODES } from './codes.js';
import { maskSecretValues } from './secrets.js';

export type { ReconcileDeps, ReconcileOutcome, ReconcileSpec, ReconcileMode, ReadSourcesResult } from './types.js';

/** Digest of everything read: changes whenever any file's content or path changes. */
export function sourceDigest(files: readonly SourceFile[]): string {
  const h = createHash('sha256');
  for (const f of [...files].sort((a, b) => (a.uri < b.uri ? -1 : a.uri > b.uri ? 1 : 0))) {
    h.update(f.uri).update('\0').update(createHash('sha256').update(f.bytes).digest()).update('\0');
  }
  return `sha256:${h.digest('hex')}`;
}

export interface Loaded {
  blueprints: ParsedBlueprint[];
  library: ParsedBlueprint[];
  files: SourceFile[];
  texts: Map<string, string>;
  diagnostics: Diagnostic[];
  revision?: string;
}

/** sources → load → validate. */
export async function loadAndValidate(spec: ReconcileSpec, deps: ReconcileDeps): Promise<Loaded> {
  const read = await deps.readSources(spec.sources);
  const diagnostics: Diagnostic[] = [...read.diagnostics];
  const texts = new Map<string, string>();
  const load = deps.loadBlueprint ?? loadBlueprint;
  const parse = (files: readonly SourceFile[]): ParsedBlueprint[] => {
    const out: ParsedBlueprint[] = [];
    for (const f of files) {
      const r = load(f);
      diagnostics.push(...r.diagnostics);
      if (r.blueprint) {
        texts.set(f.uri, maskSecretValues(r.blueprint, deps.registry));
        out.push(r.blueprint);
      } else {
        texts.set(f.uri, new TextDecoder('utf-8', { fatal: false }).decode(f.bytes));
      }
    }
    return out;
  };
  const blueprints = parse(read.files);
  const library = parse(read.library ?? []);
  diagnostics.push(...validateBlueprints(blueprints, { registry: deps.registry, strict: spec.strict ?? false }));
  const revisions = [...new Set(read.origins.map((o) => o.revision).filter((r): r is string => Boolean(r)))];
  const out: Loaded = { blueprints, library, files: [...read.files, ...(read.library ?? [])], texts, diagnostics: spec.strict ? strictify(diagnostics) : diagnostics };
  if (revisions.length > 0) out.revision = revisions.join(',');
  return out;
}

/** One report per problem: a compile diagnostic at a range validate already reported on is dropped. */
function withoutRepeats(seen: readonly Diagnostic[], more: readonly Diagnostic[]): Diagnostic[] {
  const at = new Set(seen.filter((d) => d.subject).map((d) => `${d.severity}|${d.subject!.uri}|${d.subject!.start}`));
  return more.filter((d) => !d.subject || !at.has(`${d.severity}|${d.subject.uri}|${d.subject.start}`));
}

/** load → validate → compile; the compiled entries carry secrets, so they stay in memory only. */
export function compileLoaded(loaded: Loaded, spec: ReconcileSpec, deps: ReconcileDeps) {
  const result = compileBlueprints(loaded.blueprints, {
    registry: deps.registry,
    contextOverrides: (spec.context ?? {}) as { [key: string]: Json },
    env: deps.env,
    ...(deps.envAllow ? { envAllow: deps.envAllow } : {}),
    ...(deps.readFile ? { readFile: deps.readFile } : {}),
    ...(deps.fileRoots ? { fileRoots: deps.fileRoots } : {}),
    library: loaded.library,
  });
  const diagnostics = withoutRepeats(loaded.diagnostics, spec.strict ? strictify(result.diagnostics) : result.diagnostics);
  return { ...result, diagnostics };
}

/**
 * The ownership state; a new state gets its HMAC key here and, when it lives in a file, is written
 * at once so that a plan saved now and applied later digests secrets with the same key.
 */
function loadState(deps: ReconcileDeps): OwnershipState {
  const s = deps.statePath ? readState(deps.statePath) : emptyState();
  if (!s.key) {
    s.key = generateStateKey();
    if (deps.statePath) writeStateAtomic(deps.statePath, s);
  }
  return s;
}

function stateKey(state: OwnershipState, env: ReconcileDeps['env']): string {
  return env.AKBP_STATE_KEY || state.key || '';
}

export async function reconcileOnce(spec: ReconcileSpec, deps: ReconcileDeps): Promise<ReconcileOutcome> {
  const loaded = await loadAndValidate(spec, deps);
  const base = { texts: loaded.texts, ...(loaded.revision ? { revision: loaded.revision } : {}) };
  if (spec.mode === 'validate' || hasErrors(loaded.diagnostics)) {
    return { ...base, diagnostics: loaded.diagnostics, ok: !hasErrors(loaded.diagnostics) };
  }
  const compiled = compileLoaded(loaded, spec, deps);
  const diagnostics = [...loaded.diagnostics, ...compiled.diagnostics];
  if (spec.mode === 'compile' || hasErrors(diagnostics)) {
    return { ...base, diagnostics, compiled, ok: !hasErrors(diagnostics) };
  }
  if (!deps.client) throw new Error('reconcileOnce: plan and apply need a server client');

  const state = loadState(deps);
  const secretDigest = makeSecretDigest(stateKey(state, deps.env));
  const [observed, actor] = await Promise.all([
    observe(compiled.entries, deps.client, deps.registry, { concurrency: deps.concurrency ?? 8, state }),
    deps.client.whoami ? deps.client.whoami() : Promise.resolve(null),
  ]);
  const plan = makePlan({
    entries: compiled.entries,
    dropped: compiled.dropped,
    snapshot: observed.snapshot,
    registry: deps.registry,
    state,
    now: deps.now(),
    source: { uri: spec.sources.join(' '), ...(loaded.revision ? { revision: loaded.revision } : {}), digest: sourceDigest(loaded.files) },
    texts: (uri) => loaded.texts.get(uri),
    ...(actor ? { actor } : {}),
    server: { url: deps.client.baseUrl, version: await deps.client.version() },
    options: {
      prune: spec.prune ?? false,
      maxDeletes: spec.maxDeletes ?? 10,
      passwordPolicy: spec.passwordPolicy ?? 'on-change',
      secretDigest,
    },
  });
  plan.diagnostics.unshift(...diagnostics, ...observed.diagnostics);
  if (spec.strict) plan.diagnostics = strictify(plan.diagnostics);
  if (hasErrors(plan.diagnostics)) plan.applyable = false;
  if (spec.mode === 'plan' || !plan.applyable) {
    return { ...base, diagnostics: plan.diagnostics, compiled, plan, state, ok: plan.applyable };
  }
  return runApply(plan, compiled.entries, state, spec, deps, base);
}

async function runApply(
  plan: Plan,
  entries: CompiledEntry[],
  state: OwnershipState,
  spec: ReconcileSpec,
  deps: ReconcileDeps,
  base: { texts: Map<string, string>; revision?: string },
): Promise<ReconcileOutcome> {
  const client = deps.client!;
  const { result, state: next } = await applyPlan(plan, client, {
    registry: deps.registry,
    concurrency: deps.concurrency ?? 8,
    rollbackOnFailure: spec.rollbackOnFailure ?? false,
    keepPartial: spec.keepPartial ?? false,
    entries,
    state,
    secretDigest: makeSecretDigest(stateKey(state, deps.env)),
    now: deps.now,
    ...(deps.onProgress
      ? { onProgress: (r, done, total) => deps.onProgress!(done, total, `${r.status} ${r.action} ${r.model} ${r.key}`) }
      : {}),
  });
  if (deps.statePath) writeStateAtomic(deps.statePath, next);
  return { ...base, diagnostics: [...plan.diagnostics, ...result.diagnostics], plan, apply: result, state: next, ok: result.phase === 'succeeded' };
}

/** Applies the plan of an earlier `reconcileOnce({mode: 'plan'})` (after the user confirmed it). */
export async function applyOutcome(planned: ReconcileOutcome, spec: ReconcileSpec, deps: ReconcileDeps): Promise<ReconcileOutcome> {
  if (!planned.plan || !planned.compiled || !planned.plan.applyable) return planned;
  const base = { texts: planned.texts, ...(planned.revision ? { revision: planned.revision } : {}) };
  return runApply(planned.plan, planned.compiled.entries, planned.state ?? loadState(deps), spec, deps, base);
}

/**
 * Applies a saved plan: re-reads its sources (secrets are never stored in a plan), refuses when
 * they changed since the plan or when the server no longer matches what the plan saw.
 */
export async function applySavedPlan(plan: Plan, spec: ReconcileSpec, deps: ReconcileDeps): Promise<ReconcileOutcome> {
  const loaded = await loadAndValidate({ ...spec, sources: plan.source.uri.split(' ') }, deps);
  const base = { texts: loaded.texts, ...(loaded.revision ? { revision: loaded.revision } : {}) };
  const digest = sourceDigest(loaded.files);
  const refuse = (code: string, summary: string, detail: string): ReconcileOutcome => ({
    ...base,
    plan,
    diagnostics: [...loaded.diagnostics, { code, severity: 'error', summary, detail }],
    ok: false,
  });
  if (digest !== plan.source.digest) {
    return refuse(PIPELINE_CODES.sourceChanged.code, 'the blueprints changed since this plan was made', `plan was made from ${plan.source.digest}, the sources are now ${digest}; run akbp plan again`);
  }
  if (!plan.applyable) return refuse(PIPELINE_CODES.planNotApplyable.code, 'this plan has errors and cannot be applied', 'run akbp plan again after fixing them');
  const compiled = compileLoaded(loaded, spec, deps);
  if (hasErrors(compiled.diagnostics)) return { ...base, plan, diagnostics: compiled.diagnostics, ok: false };
  const client = deps.client;
  if (!client) throw new Error('applySavedPlan needs a server client');
  const stale = await checkPlanFresh(plan, client, deps.registry);
  if (hasErrors(stale)) return { ...base, plan, diagnostics: stale, ok: false };
  return runApply(plan, compiled.entries, loadState(deps), spec, deps, base);
}
