// (entries, live snapshot, ownership state, now) → Plan. Pure and synchronous: every fact about
// the server comes from the snapshot, the clock is `now`, secrets appear only as HMAC digests.
import type { Change, CompiledEntry, Diagnostic, DroppedEntry, LiveObject, LiveSnapshot, Plan, SourceRange, OwnershipState } from '../model/types.js';
import type { Registry } from '../authentik/registry.js';
import { LineIndex, msg, sortDiagnostics, type TextLookup } from '../diag/index.js';
import { PLAN_CODES } from './codes.js';
import type { PasswordPolicy } from './extras.js';
import { EntryTable, ObjectIndex, redactBody, sortedEntries } from '../live/index.js';
import { assignDeleteWaves, assignWaves, compareChanges } from './order.js';
import { META_CLEAN, planAdoptions, planMetaClean, planPrune } from './prune.js';
import { createdExisting } from './permissions.js';
import { canonicalModel, modelLiteral } from '../authentik/registry.js';
import { checkSelfLockout, type Actor } from './lockout.js';
import { createChange, fieldDiff, sameObjectChange, updateChange, type FieldDiff } from './changes.js';
import { PlanResolver } from './resolver.js';
import { Outcomes } from './outcomes.js';
import { decide, type Verdict } from './decide.js';
import { describeObject, firstIdentifier, overriddenLater, resolveEntry, type PlanContext, type Resolved } from './resolve.js';
import type { EntryRecord, PlanMemoInput } from './memo.js';

export { compareChanges } from './order.js';
export { extraSpec, secretText, type SensitiveFieldChange, type PasswordPolicy, type ExtraSpec } from './extras.js';
export { PLAN_CODES } from './codes.js';
export { grantOf, isGrantPath, managedRoleName, qualifyPermission, ROLE_MODEL, USER_MODEL, type Grant } from './permissions.js';
export { sendableFields } from './fields.js';
export { PlanMemo, type PlanMemoInput } from './memo.js';

export interface PlanInput {
  entries: CompiledEntry[];
  dropped: DroppedEntry[];
  snapshot: LiveSnapshot;
  registry: Registry;
  state: OwnershipState;
  now: Date;
  source: Plan['source'];
  server: Plan['server'];
  options: {
    prune?: boolean;
    /** `--prune-adopted`: with prune, adopted objects no entry declares are deleted too. */
    pruneAdopted?: boolean;
    /** `--adopt`: list the live objects entries match that the state does not own (`Plan.adoptions`). */
    adopt?: boolean;
    /** Prune refuses to delete more than this many objects (default 10). */
    maxDeletes?: number;
    passwordPolicy?: PasswordPolicy;
    secretDigest: (entryKey: string, field: string, value: string) => string;
  };
  /** Blueprint texts by uri, so each change can name its origin line. */
  texts?: TextLookup;
  /** The API token's own user, so the plan can refuse to lock it out. */
  actor?: Actor;
  /** `akbp watch`: outcomes kept from the last plan, reused for unchanged files (memo.ts). */
  memo?: PlanMemoInput;
}

const entryOrder = (a: CompiledEntry, b: CompiledEntry): number => a.order - b.order || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/** What the per-entry steps share; `overridden` is computed over the entries this plan resolves. */
function planContext(input: PlanInput, entries: readonly CompiledEntry[], planning: readonly CompiledEntry[]): PlanContext {
  const reg = input.registry;
  const index = new ObjectIndex(reg, input.snapshot.objects);
  const table = EntryTable.of(entries);
  const outcomes = new Outcomes();
  let currentOrder = 0;
  const resolver = new PlanResolver(reg, index, input.snapshot.finds, table, outcomes, () => currentOrder);
  return {
    reg,
    snapshot: input.snapshot,
    state: input.state,
    policy: input.options.passwordPolicy ?? 'on-change',
    secretDigest: input.options.secretDigest,
    entries,
    index,
    table,
    outcomes,
    resolver,
    setOrder: (order) => {
      currentOrder = order;
    },
    diagnostics: [],
    lines: lineFinder(input.texts),
    updatedBy: new Map(),
    // Entries that share a live object are re-planned together, so only those planned matter.
    overridden: overriddenLater(planning, input.snapshot, reg),
    declared: new Map(),
    objectOf: new Map(),
    createdBy: new Map(),
    skipped: new Set(),
  };
}

/** Sorted, with repeats (identifiers are merged into attrs, so one bad value is reported twice) dropped. */
function finalDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return sortDiagnostics(diagnostics).filter((d) => {
    const k = JSON.stringify([d.code, d.summary, d.entry, d.subject?.start]);
    return seen.has(k) ? false : (seen.add(k), true);
  });
}

/**
 * akbp watch's fast splice (memo.ts `fastStart`): only the entries compile replaced are planned,
 * and the last plan's sorted changes, summary and diagnostics are patched. Undefined when the
 * memo cannot tell that this equals the full plan; plan() then makes it the usual way.
 */
function planFast(input: PlanInput, entries: readonly CompiledEntry[]): Plan | undefined {
  const memo = input.memo!.memo;
  const fs = memo.fastStart(entries, input.snapshot, input.memo!, input.options.adopt === true);
  if (!fs) return undefined;
  const ctx = planContext(input, entries, fs.dirty);
  const records = new Map<string, EntryRecord>();
  const planned: { change: Change; entry: CompiledEntry }[] = [];
  for (const e of fs.dirty) {
    const r = planEntry(ctx, e, ctx.resolver, undefined);
    records.set(e.key, r);
    if (r.change && r.planned) planned.push({ change: r.change, entry: e });
  }
  // The re-planned entries depend on each other only: their waves are theirs alone.
  assignWaves(planned);
  const patch = memo.fastPatch(fs, records, compareChanges);
  if (!patch) return undefined;
  const pruned = planPrune({
    state: input.state,
    entries: input.entries,
    dropped: input.dropped,
    index: ctx.index,
    registry: input.registry,
    prune: input.options.prune === true,
    pruneAdopted: input.options.pruneAdopted === true,
    maxDeletes: input.options.maxDeletes ?? 10,
    claimed: claimedObjects(input.snapshot, new Map()),
    found: patch.found,
  });
  // A change prune makes is not kept between plans: the usual way plans it with the rest.
  if (pruned.changes.length > 0) return undefined;
  const diagnostics = [
    ...patch.diagnostics,
    ...pruned.diagnostics,
    ...checkSelfLockout(patch.lockout, input.actor, input.snapshot.objects.get(modelLiteral('authentik_core.group')) ?? []),
  ];
  memo.fastCommit(fs, records, entries, input.snapshot, input.memo!, patch);
  const sorted = finalDiagnostics(diagnostics);
  return {
    formatVersion: 2,
    createdAt: input.now.toISOString(),
    source: input.source,
    server: input.server,
    changes: patch.changes.slice(),
    diagnostics: sorted,
    applyable: !sorted.some((d) => d.severity === 'error') && patch.summary.conflict === 0,
    summary: { ...patch.summary },
  };
}

/** `model|pk` of every live object an entry of this run matched, gathered on first use: prune and metaclean ask only about orphans, which most runs have none of. */
function claimedObjects(snapshot: LiveSnapshot, cleanedLater: ReadonlyMap<string, CompiledEntry>): { has(id: string): boolean } {
  let claimed: Set<string> | undefined;
  return {
    has: (id) =>
      (claimed ??= new Set(
        [...snapshot.byKey].filter((kv): kv is [string, LiveObject] => kv[1] !== null && !cleanedLater.has(kv[0])).map(([, o]) => `${o.model}|${String(o.pk)}`),
      )).has(id),
  };
}

export function plan(input: PlanInput): Plan {
  const reg = input.registry;
  const entries = sortedEntries(input.entries, entryOrder);
  const fast = input.memo ? planFast(input, entries) : undefined;
  if (fast) return fast;
  // watch: the kept outcome of each entry of an unchanged file (memo.ts), when this run may splice.
  const memo = input.memo?.memo;
  const kept = memo?.start(entries, input.snapshot, input.memo!);
  const ctx = planContext(input, entries, memo ? entries.filter((e) => memo.replans(e)) : entries);
  const { index, resolver, diagnostics } = ctx;
  const changes: Change[] = [];
  // Changes of the entries that were resolved, in entry order: the sequence step gives them waves.
  const planned: { change: Change; entry: CompiledEntry }[] = [];
  const liveOfChange = new Map<string, LiveObject>();
  // metacleanblueprint entries declare no object: they become deletes, planned after prune's.
  const cleans: CompiledEntry[] = [];
  const cleanedLater = cleanedByLaterClean(entries, reg);

  // resolve → decide → build, entry by entry: later entries see what earlier ones decided.
  for (const e of entries) {
    if (e.model === META_CLEAN) {
      cleans.push(e);
      continue;
    }
    const k = kept?.(e);
    const r = k ?? planEntry(ctx, e, resolver, cleanedLater.get(e.key));
    if (k) {
      diagnostics.push(...k.diagnostics);
      for (const f of k.found) resolver.found.add(f);
      if (k.skipped) ctx.skipped.add(e.key);
    } else input.memo?.memo.record(e, r, input.snapshot);
    if (!r.change) continue;
    // A kept change is shared with the plan it came from: copied when this plan numbers it
    // differently, and always for a delete, whose wave depends on every other delete of the run.
    // assignWaves gives a kept write the wave it had (its dependencies are all kept too).
    const change = k && (r.change.order !== e.order || r.change.action === 'delete') ? { ...r.change, order: e.order, wave: e.wave } : r.change;
    if (r.deletes) liveOfChange.set(e.key, r.deletes);
    changes.push(change);
    if (r.planned) planned.push({ change, entry: e });
  }
  if (input.memo && !input.memo.memo.finish()) return plan(input);

  // sequence: waves of the writes, prune's deletes, delete waves, one total order.
  assignWaves(planned);
  // `model|pk` of every live object an entry of this run matched: neither prune nor metaclean deletes it.
  const claimed = claimedObjects(input.snapshot, cleanedLater);
  const pruned = planPrune({
    state: input.state,
    entries: input.entries,
    dropped: input.dropped,
    index,
    registry: reg,
    prune: input.options.prune === true,
    pruneAdopted: input.options.pruneAdopted === true,
    maxDeletes: input.options.maxDeletes ?? 10,
    claimed,
    found: resolver.found,
  });
  changes.push(...pruned.changes);
  diagnostics.push(...pruned.diagnostics);
  const cleaned = planMetaClean({
    entries: cleans,
    state: input.state,
    index,
    registry: reg,
    maxDeletes: input.options.maxDeletes ?? 10,
    claimed,
    found: resolver.found,
    deleted: new Set(changes.filter((c) => c.action === 'delete').map((c) => `${c.model}|${String(c.pk)}`)),
    declared: cleans.length ? new Set(entries.map((e) => e.key)) : new Set(),
    line: ctx.lines,
  });
  changes.push(...cleaned.changes);
  diagnostics.push(...cleaned.diagnostics);
  for (const [k, o] of cleaned.live) liveOfChange.set(k, o);
  diagnostics.push(...checkSelfLockout(changes, input.actor, input.snapshot.objects.get(modelLiteral('authentik_core.group')) ?? []));
  for (const [k, o] of pruned.live) liveOfChange.set(k, o);

  const deletes = changes.filter((c) => c.action === 'delete');
  assignDeleteWaves(deletes, liveOfChange, reg);
  changes.sort(compareChanges);

  const summary = { create: 0, update: 0, delete: 0, noop: 0, conflict: 0 };
  for (const c of changes) summary[c.action]++;
  const sorted = finalDiagnostics(diagnostics);
  const adoptions = input.options.adopt ? planAdoptions({ state: input.state, changes, entries, skipped: ctx.skipped, registry: reg }) : undefined;
  const made: Plan = {
    formatVersion: 2,
    createdAt: input.now.toISOString(),
    source: input.source,
    server: input.server,
    changes,
    ...(adoptions ? { adoptions } : {}),
    diagnostics: sorted,
    applyable: !sorted.some((d) => d.severity === 'error') && summary.conflict === 0,
    summary,
  };
  // What the next save's fast splice starts from (a no-op outside akbp watch).
  memo?.settle(entries, input.snapshot, made, compareChanges, input.options.adopt === true);
  return made;
}

/** resolve → decide → build for one entry, with what it contributed besides its change. */
/** One entry, planned; `clean` is a metacleanblueprint of its own file that deletes its object afterwards. */
function planEntry(ctx: PlanContext, e: CompiledEntry, resolver: PlanResolver, clean: CompiledEntry | undefined): EntryRecord {
  const first = ctx.diagnostics.length;
  resolver.log = [];
  const record = (r: Omit<EntryRecord, 'diagnostics' | 'found' | 'creates'>): EntryRecord => {
    const found = resolver.log ?? [];
    resolver.log = undefined;
    return { ...r, diagnostics: ctx.diagnostics.slice(first), found, creates: ctx.outcomes.get(e.key)?.creates === true };
  };
  const r = resolveEntry(ctx, e);
  if (r.kind === 'failed') return record({ planned: false, skipped: false });
  if (r.kind === 'skipped') return record({ change: r.change, planned: false, skipped: true });
  if (clean) {
    // Written, then deleted with every other object of its model: the clean's delete of the live
    // object (if any) is the whole effect, and no object is recorded for this entry.
    const { pk: _gone, ...base } = r.base;
    const change: Change = { ...base, action: 'noop', reason: `metacleanblueprint at line ${ctx.lines(clean.origin.range)} deletes it afterwards`, patch: [] };
    ctx.outcomes.set(e.key, { entry: e, live: null, creates: false, body: {} });
    return record({ change, planned: true, skipped: false });
  }
  const diff = r.e.state === 'present' ? diffOf(ctx, r) : undefined;
  const verdict = decide({ state: e.state, live: r.where, differs: diff !== undefined && diff.patch.length > 0 });
  const change = build(ctx, r, verdict, diff);
  settle(ctx, r, change);
  return record({ change, planned: true, skipped: false, ...(change.action === 'delete' ? { deletes: r.live! } : {}) });
}

/**
 * How a `present` entry's fields differ from its object: the live body (as an earlier entry of
 * this run leaves it), or what an earlier declaration creates. Nothing to compare when missing.
 */
function diffOf(ctx: PlanContext, r: Resolved): FieldDiff | undefined {
  const current = r.live ? (r.earlier?.body ?? r.live.body) : r.twin ? ctx.outcomes.get(r.twin)!.body : undefined;
  return current ? fieldDiff(r.info, current, r.after, r.resolvedBody, r.unresolved, ctx.index, r.extras.changes) : undefined;
}

/** The Change for a verdict: its reason, patch, before- and after-images. */
function build(ctx: PlanContext, r: Resolved, v: Verdict, diff: FieldDiff | undefined): Change {
  const { base, info, live, e } = r;
  switch (v.action) {
    case 'create':
      if (v.error === 'created-earlier') {
        r.err(
          PLAN_CODES.sameObjectTwice,
          msg(PLAN_CODES.sameObjectTwice, 'twinCreates', { twin: String(r.twin) }),
          firstIdentifier(e),
          msg(PLAN_CODES.sameObjectTwice, 'twinCreatesDetail', {}),
        );
      }
      return createChange(base, r.after, r.extras.changes);
    case 'update':
      return updateChange(base, info, r.earlier ? { ...live!, body: r.earlier.body } : live!, diff!, ctx.index, r.extras.changes, r.extras.reasons);
    case 'update-created':
      return sameObjectChange(base, r.twin!, diff!);
    case 'delete':
      return { ...base, action: 'delete', reason: 'state absent: the object exists', patch: [], before: redactBody(info, live!.body) };
    case 'conflict':
      r.err(PLAN_CODES.mustCreatedExists, msg(PLAN_CODES.mustCreatedExists, 'exists', { model: info.model, pk: String(live!.pk) }), firstIdentifier(e));
      return { ...base, action: 'conflict', reason: 'state must_created: the object exists already', patch: [], before: redactBody(info, live!.body) };
    case 'noop':
      switch (v.why) {
        case 'up-to-date':
          return { ...base, action: 'noop', reason: 'up to date', patch: [] };
        case 'declared-again':
          return { ...base, sameObjectAs: r.twin!, action: 'noop', reason: `declared again: ${r.twin} creates it with these values`, patch: [] };
        case 'created-earlier':
          return { ...base, sameObjectAs: r.twin!, action: 'noop', reason: `state created: ${r.twin} creates the object earlier in this run`, patch: [] };
        case 'created-exists':
          return createdExisting(base, r.extras.changes);
        case 'absent-missing':
          return { ...base, action: 'noop', reason: 'state absent: no such object', patch: [] };
      }
  }
}

/** What later entries see of this one; a create's missing required fields; errors in the reason. */
function settle(ctx: PlanContext, r: Resolved, change: Change): void {
  const { e, info, live, twin } = r;
  if (twin && e.state !== 'must_created') {
    const creator = ctx.outcomes.get(twin)!;
    creator.body = { ...creator.body, ...(e.state === 'created' ? {} : r.resolvedBody) };
  }
  if (r.objectId && live) {
    ctx.updatedBy.set(r.objectId, {
      key: e.key,
      body: { ...(r.earlier?.body ?? live.body), ...r.resolvedBody },
      fields: new Set([...(r.earlier?.fields ?? []), ...Object.keys(r.resolvedBody)]),
    });
  }
  if (change.action === 'create') {
    // authentik runs the serializer in full mode on a new object: the blueprint fails there.
    const missing = info.requiredOnCreate.filter((f) => !(f in e.attrs) && !(f in e.secrets));
    if (missing.length) {
      r.hardError = true;
      r.err(
        PLAN_CODES.requiredMissing,
        msg(PLAN_CODES.requiredMissing, 'missing', {
          model: info.model,
          object: describeObject(change.identifiers),
          fields: missing.map((f) => `\`${f}\``).join(', '),
          verb: missing.length === 1 ? 'is' : 'are',
        }),
        firstIdentifier(e),
        msg(PLAN_CODES.requiredMissing, 'missingDetail', { version: ctx.reg.version, pronoun: missing.length === 1 ? 'it' : 'them' }),
      );
    }
  }
  if (r.hardError && change.action !== 'noop') change.reason += ' (has errors)';
  ctx.outcomes.set(e.key, {
    entry: e,
    live: change.action === 'delete' ? null : live,
    creates: change.action === 'create' || twin !== undefined,
    body: twin ? ctx.outcomes.get(twin)!.body : r.resolvedBody,
  });
}

/**
 * Entries a metacleanblueprint of their own file cleans after them: authentik runs the file in
 * document order and the clean deletes every object of its model then (clean_blueprint.py), the
 * ones earlier entries just wrote included. Entries after it, and other files, are not cleaned here.
 */
function cleanedByLaterClean(entries: readonly CompiledEntry[], reg: Registry): Map<string, CompiledEntry> {
  const out = new Map<string, CompiledEntry>();
  const cleans = entries.filter((e) => e.state !== 'absent' && e.model === META_CLEAN && !e.conditions.length);
  if (!cleans.length) return out;
  for (const e of entries) {
    if (e.state === 'absent') continue;
    const model = e.model;
    const clean = cleans.find((c) => {
      const name = c.attrs.model_name;
      return c.origin.uri === e.origin.uri && c.origin.range.start > e.origin.range.start && typeof name === 'string' && canonicalModel(reg, name) === model;
    });
    if (clean) out.set(e.key, clean);
  }
  return out;
}

function lineFinder(texts: TextLookup | undefined): (r: SourceRange) => number {
  const cache = new Map<string, LineIndex | null>();
  return (r) => {
    if (!texts) return 0;
    let ix = cache.get(r.uri);
    if (ix === undefined) {
      const t = texts(r.uri);
      ix = t === undefined ? null : new LineIndex(t);
      cache.set(r.uri, ix);
    }
    return ix ? ix.lineCol(r.start).line : 0;
  };
}
export { mapLimit } from '../values/index.js';
