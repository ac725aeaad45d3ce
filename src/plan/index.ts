// (entries, live snapshot, ownership state, now) → Plan. Pure and synchronous: every fact about
// the server comes from the snapshot, the clock is `now`, secrets appear only as HMAC digests.
import type {
  Change,
  CompiledEntry,
  DesiredValue,
  Diagnostic,
  DroppedEntry,
  Json,
  JsonObject,
  LiveObject,
  LiveSnapshot,
  Plan,
  SourceRange,
  OwnershipState,
} from '../model/types.js';
import type { Registry } from '../authentik/registry.js';
import { findModel } from '../authentik/registry.js';
import { diag, LineIndex, sortDiagnostics, type TextLookup } from '../diag/index.js';
import { containsDeferred, describeDeferred, isDeferred, pyTruthy, resolveDeferred } from '../values/index.js';
import { PLAN_CODES } from './codes.js';
import { planExtras, type PasswordPolicy } from './extras.js';
import { createdExisting } from './permissions.js';
import { containsJson, EntryTable, identifierLookup, looseEqual, ObjectIndex, pkKey, redactBody, requiredFindKeys } from '../live/index.js';
import { assignDeleteWaves, compareChanges } from './order.js';
import { META_CLEAN, planAdoptions, planMetaClean, planPrune } from './prune.js';
import { checkSelfLockout, type Actor } from './lockout.js';
import { createChange, sameObjectChange, updateChange } from './changes.js';
import { sendableFields } from './fields.js';
import { PlanResolver } from './resolver.js';
import { Outcomes } from './outcomes.js';

export { compareChanges } from './order.js';
export { extraSpec, secretText, type SensitiveFieldChange, type PasswordPolicy, type ExtraSpec } from './extras.js';
export { PLAN_CODES } from './codes.js';
export { grantOf, isGrantPath, managedRoleName, qualifyPermission, ROLE_MODEL, USER_MODEL, type Grant } from './permissions.js';
export { sendableFields } from './fields.js';

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
}

export function plan(input: PlanInput): Plan {
  const reg = input.registry;
  const index = new ObjectIndex(reg, input.snapshot.objects);
  const entries = [...input.entries].sort((a, b) => a.order - b.order || (a.key < b.key ? -1 : 1));
  const table = new EntryTable(entries);
  const outcomes = new Outcomes();
  let currentOrder = 0;
  const resolver = new PlanResolver(reg, index, input.snapshot.finds, table, outcomes, () => currentOrder);
  const diagnostics: Diagnostic[] = [];
  const changes: Change[] = [];
  const waves = new Map<string, number>();
  const liveOfChange = new Map<string, LiveObject>();
  const lines = lineFinder(input.texts);
  const policy = input.options.passwordPolicy ?? 'on-change';
  // Live objects an earlier entry of this run updates: a later entry of the same object is diffed
  // against what that write leaves and runs after it, as the importer applies entries in turn.
  const updatedBy = new Map<string, { key: string; body: JsonObject; fields: Set<string> }>();
  // Instances declaring one object: the last declaration of a field is its final value, so
  // earlier ones leave it out, and a different earlier value is reported.
  const overridden = overriddenLater(entries, input.snapshot, reg);
  const declared = new Map<string, Map<string, { key: string; value: DesiredValue; uri: string; line: number }>>();
  const objectOf = new Map<string, string>();
  // Creates whose identifiers hold !KeyOf references, by what those references point at.
  const createdBy = new Map<string, string>();
  const skipped = new Set<string>();
  const cleans: CompiledEntry[] = [];

  for (const e of entries) {
    currentOrder = e.order;
    const info = findModel(reg, e.model);
    const at = (field?: string): SourceRange => (field && e.origin.fields[field]) || e.origin.range;
    const err = (code: (typeof PLAN_CODES)[keyof typeof PLAN_CODES], summary: string, field?: string, detail?: string) =>
      diagnostics.push(diag(code, summary, { entry: e.key, subject: at(field), ...(detail ? { detail } : {}) }));
    if (!info) {
      err(PLAN_CODES.unknownModel, `model ${e.model} does not exist in authentik ${reg.version}`);
      continue;
    }
    if (info.model === META_CLEAN) {
      cleans.push(e);
      continue;
    }
    if (info.kind === 'meta' || !info.apiPath) {
      err(PLAN_CODES.metaModel, `${e.model} entries run server-side actions; akbp does not reconcile them`);
      continue;
    }
    if (!input.snapshot.byKey.has(e.key)) {
      err(PLAN_CODES.notObserved, `entry ${e.key} was not observed; re-run observe`);
      continue;
    }
    const live = input.snapshot.byKey.get(e.key) ?? null;
    const base: Omit<Change, 'action' | 'reason' | 'patch'> = {
      key: e.key,
      model: info.model,
      identifiers: {},
      order: e.order,
      wave: e.wave,
      origin: { uri: e.origin.uri, line: lines(e.origin.range), range: e.origin.range },
      dependsOn: [...e.dependsOn].sort(),
    };
    if (live) base.pk = live.pk;

    // Conditions compile could not decide (they hold a !Find): all must be truthy.
    let skip = false;
    for (const c of e.conditions) {
      resolver.reset();
      const r = resolveDeferred(c, resolver, e.key);
      if (!r.ok) {
        err(
          PLAN_CODES.conditionUndecided,
          `condition of ${e.key} cannot be decided before apply`,
          undefined,
          [...r.missing, ...(r.errors ?? []), ...resolver.hard].join('; '),
        );
        skip = true;
        break;
      }
      if (!pyTruthy(r.value)) skip = true;
    }
    if (skip) {
      skipped.add(e.key);
      changes.push({ ...base, action: 'noop', reason: 'skipped: a condition is false or undecidable', patch: [] });
      outcomes.set(e.key, { entry: e, live: null, creates: false, body: {} });
      continue;
    }

    const pendingOn = new Set<string>();
    let hardError = false;
    const resolveField = (v: DesiredValue, field: string, required: boolean, nullable = false): { ok: boolean; value: DesiredValue } => {
      resolver.reset();
      const r = resolveDeferred(v, resolver, e.key);
      const pending = [...resolver.pendingOn];
      const hard = [...resolver.hard];
      const nulls = new Set(resolver.nullFinds);
      for (const p of pending) pendingOn.add(p);
      if (hard.length) {
        hardError = true;
        err(PLAN_CODES.keyOfNoObject, `${field}: ${hard[0]}`, field, hard.slice(1).join('; ') || undefined);
      }
      if (!r.ok && r.errors?.length) {
        hardError = true;
        err(PLAN_CODES.unresolved, `${field}: ${r.errors[0]}`, field);
      }
      if (required && nulls.size) {
        for (const [k, q] of requiredFindKeys(v, resolver, e.key)) {
          if (!nulls.has(k)) continue;
          // authentik writes null; where the field takes null that is what it ends with.
          if (nullable && isDeferred(v) && '$find' in v) {
            diagnostics.push(
              diag(PLAN_CODES.findNull, `${field}: null — ${describeDeferred({ $find: q })} matched nothing`, {
                entry: e.key,
                subject: at(field),
                detail: 'authentik writes null when a !Find matches nothing; create the object first if a value was meant (--strict refuses this)',
              }),
            );
            continue;
          }
          hardError = true;
          err(
            PLAN_CODES.findNoMatch,
            `${field}: ${describeDeferred({ $find: q })} matched nothing`,
            field,
            'authentik would write null here (issue #19715); fix the query or create the object first',
          );
        }
      }
      return r.ok ? { ok: true, value: r.value } : { ok: false, value: v };
    };

    const identifiers: { [k: string]: DesiredValue } = {};
    for (const k of Object.keys(e.identifiers).sort()) identifiers[k] = resolveField(e.identifiers[k]!, k, true).value;
    base.identifiers = identifiers;

    const sendable = sendableFields(info, e).filter((f) => !overridden.get(e.key)?.has(f));
    const after: { [k: string]: DesiredValue } = {};
    const resolvedBody: JsonObject = {};
    const unresolved = new Set<string>();
    for (const f of sendable) {
      const r = resolveField(e.attrs[f]!, f, true, info.fields[f]?.nullable === true && !(f in e.identifiers));
      after[f] = r.value;
      if (r.ok) resolvedBody[f] = r.value as Json;
      else unresolved.add(f);
    }

    const objectId = live && e.state === 'present' ? `${info.model}|${pkKey(live.pk)}` : undefined;
    const earlier = objectId ? updatedBy.get(objectId) : undefined;
    if (earlier) pendingOn.add(earlier.key);
    const creating = live === null && e.state !== 'absent';
    const identity = creating ? refIdentity(e, identifiers, table, outcomes, objectOf) : undefined;
    const twin = creating
      ? (earlierCreateOfSameObject(outcomes, info.model, identifiers) ?? (identity ? createdBy.get(`${info.model}|${identity}`) : undefined))
      : undefined;
    if (creating && !twin && identity) createdBy.set(`${info.model}|${identity}`, e.key);
    if (twin) pendingOn.add(twin);
    const object = live ? `${info.model}|${pkKey(live.pk)}` : twin ? objectOf.get(twin)! : `new|${e.key}`;
    objectOf.set(e.key, object);
    if (e.state === 'present' || (creating && e.state !== 'created')) {
      for (const c of conflicts(declared, object, e, sendableFields(info, e), lines)) {
        diagnostics.push(
          diag(PLAN_CODES.fieldSetTwice, `${c.field} of ${info.model} ${describeObject(identifiers)}: ${c.winner} wins over ${c.loser}`, {
            entry: e.key,
            subject: at(c.field),
            detail: `${c.loser} sets another value; authentik applies the declarations in instance order (${c.loser} first), so the object keeps this one. Keep one value, or --strict refuses the plan.`,
          }),
        );
      }
    }

    let wave = e.wave;
    for (const d of [...e.dependsOn, ...pendingOn]) {
      const w = waves.get(d);
      if (w !== undefined) wave = Math.max(wave, w + 1);
    }
    base.wave = wave;
    base.dependsOn = [...new Set([...e.dependsOn, ...pendingOn])].sort();
    waves.set(e.key, wave);

    const extras =
      e.state === 'absent'
        ? { changes: [], reasons: [], diagnostics: [] }
        : planExtras({
            entry: e,
            info,
            live,
            creating,
            state: input.state,
            policy,
            digest: input.options.secretDigest,
            resolver,
            subject: (f) => at(f),
            version: reg.version,
            rbac: input.snapshot.rbac,
            index,
          });
    diagnostics.push(...extras.diagnostics);

    if (creating && Object.keys(e.identifiers).length === 1 && 'pk' in e.identifiers && info.readOnlyFields.includes(info.pkField ?? 'pk')) {
      err(
        PLAN_CODES.pkOnlyCreate,
        `${e.key} is identified only by pk, which the REST API cannot assign: every apply would create another object`,
        'pk',
        'Add a natural identifier (name, slug, username, …) next to pk.',
      );
    }
    if (twin && e.state === 'must_created') {
      err(
        PLAN_CODES.sameObjectTwice,
        `state is must_created but ${twin} creates this object earlier in the run`,
        firstIdentifier(e),
        'authentik applies that declaration first, so the object exists when this one runs and the blueprint fails',
      );
    }

    let change: Change;
    switch (twin && e.state !== 'must_created' ? 'twin' : e.state) {
      case 'twin': {
        const creator = outcomes.get(twin!)!;
        change =
          e.state === 'created'
            ? { ...base, sameObjectAs: twin!, action: 'noop', reason: `state created: ${twin} creates the object earlier in this run`, patch: [] }
            : sameObjectChange(base, info, twin!, creator.body, after, resolvedBody, unresolved, index, extras.changes);
        creator.body = { ...creator.body, ...(e.state === 'created' ? {} : resolvedBody) };
        break;
      }
      case 'absent':
        change = live
          ? { ...base, action: 'delete', reason: 'state absent: the object exists', patch: [], before: redactBody(info, live.body) }
          : { ...base, action: 'noop', reason: 'state absent: no such object', patch: [] };
        if (live) liveOfChange.set(e.key, live);
        break;
      case 'must_created':
        if (live) {
          err(PLAN_CODES.mustCreatedExists, `state is must_created but ${info.model} ${String(live.pk)} already exists`, firstIdentifier(e));
          change = { ...base, action: 'conflict', reason: 'state must_created: the object exists already', patch: [], before: redactBody(info, live.body) };
          break;
        }
        change = createChange(base, after, extras.changes);
        break;
      case 'created':
        change = live ? createdExisting(base, extras.changes) : createChange(base, after, extras.changes);
        break;
      default:
        change = live
          ? updateChange(base, info, earlier ? { ...live, body: earlier.body } : live, after, resolvedBody, unresolved, index, extras.changes, extras.reasons)
          : createChange(base, after, extras.changes);
    }
    if (objectId && live) {
      updatedBy.set(objectId, {
        key: e.key,
        body: { ...(earlier?.body ?? live.body), ...resolvedBody },
        fields: new Set([...(earlier?.fields ?? []), ...Object.keys(resolvedBody)]),
      });
    }
    if (change.action === 'create') {
      // authentik runs the serializer in full mode on a new object: the blueprint fails there.
      const missing = info.requiredOnCreate.filter((f) => !(f in e.attrs) && !(f in e.secrets));
      if (missing.length) {
        hardError = true;
        err(
          PLAN_CODES.requiredMissing,
          `${info.model} ${describeObject(identifiers)} does not exist and ${missing.map((f) => `\`${f}\``).join(', ')} ${missing.length === 1 ? 'is' : 'are'} required to create it`,
          firstIdentifier(e),
          `authentik ${reg.version} refuses the create ("This field is required."), failing the blueprint; add ${missing.length === 1 ? 'it' : 'them'} to attrs`,
        );
      }
    }
    if (hardError && change.action !== 'noop') change.reason += ' (has errors)';
    changes.push(change);
    outcomes.set(e.key, {
      entry: e,
      live: change.action === 'delete' ? null : live,
      creates: change.action === 'create' || twin !== undefined,
      body: twin ? outcomes.get(twin)!.body : resolvedBody,
    });
  }

  const pruned = planPrune({
    state: input.state,
    entries: input.entries,
    dropped: input.dropped,
    index,
    registry: reg,
    prune: input.options.prune === true,
    pruneAdopted: input.options.pruneAdopted === true,
    maxDeletes: input.options.maxDeletes ?? 10,
    claimed: new Set([...input.snapshot.byKey.values()].filter((o): o is LiveObject => o !== null).map((o) => `${o.model}|${String(o.pk)}`)),
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
    claimed: new Set([...input.snapshot.byKey.values()].filter((o): o is LiveObject => o !== null).map((o) => `${o.model}|${String(o.pk)}`)),
    found: resolver.found,
    deleted: new Set(changes.filter((c) => c.action === 'delete').map((c) => `${c.model}|${String(c.pk)}`)),
    line: lines,
  });
  changes.push(...cleaned.changes);
  diagnostics.push(...cleaned.diagnostics);
  for (const [k, o] of cleaned.live) liveOfChange.set(k, o);
  diagnostics.push(...checkSelfLockout(changes, input.actor, input.snapshot.objects.get('authentik_core.group') ?? []));
  for (const [k, o] of pruned.live) liveOfChange.set(k, o);

  const deletes = changes.filter((c) => c.action === 'delete');
  assignDeleteWaves(deletes, liveOfChange, reg);
  changes.sort(compareChanges);

  const summary = { create: 0, update: 0, delete: 0, noop: 0, conflict: 0 };
  for (const c of changes) summary[c.action]++;
  // Identifiers are merged into attrs, so one bad value would otherwise be reported twice.
  const seen = new Set<string>();
  const sorted = sortDiagnostics(diagnostics).filter((d) => {
    const k = JSON.stringify([d.code, d.summary, d.entry, d.subject?.start]);
    return seen.has(k) ? false : (seen.add(k), true);
  });
  const adoptions = input.options.adopt ? planAdoptions({ state: input.state, changes, entries, skipped, registry: reg }) : undefined;
  return {
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
}

/** An earlier entry of this run creates an object these (literal) identifiers would match. */
function earlierCreateOfSameObject(outcomes: Outcomes, model: string, ids: { [k: string]: DesiredValue }): string | undefined {
  const { pk, rest } = identifierLookup(ids as JsonObject);
  if (pk !== undefined || rest.length === 0 || rest.some(([, v]) => containsDeferred(v))) return undefined;
  const lookups = rest.filter(([, , how]) => how === 'lookup').map(([k, v]): [string, Json] => [k, v]);
  for (const o of outcomes.createsMatching(model, lookups, () => true)) {
    const hit = rest.every(([k, v, how]) =>
      how === 'contains' ? o.body[k] !== undefined && containsJson(o.body[k]!, v) : o.body[k] !== undefined && looseEqual(o.body[k], v),
    );
    if (hit) return o.entry.key;
  }
  return undefined;
}

/**
 * For each entry of a live object other `present` entries also declare: the fields a later one
 * sets, which this one therefore leaves alone (the object ends with the later value).
 */
function overriddenLater(entries: readonly CompiledEntry[], snapshot: LiveSnapshot, reg: Registry): Map<string, Set<string>> {
  const groups = new Map<string, CompiledEntry[]>();
  for (const e of entries) {
    const live = snapshot.byKey.get(e.key);
    const info = findModel(reg, e.model);
    if (!live || !info || e.state !== 'present') continue;
    const id = `${info.model}|${pkKey(live.pk)}`;
    groups.set(id, [...(groups.get(id) ?? []), e]);
  }
  const out = new Map<string, Set<string>>();
  for (const g of groups.values()) {
    if (g.length < 2) continue;
    const later = new Set<string>();
    for (let i = g.length - 1; i >= 0; i--) {
      out.set(g[i]!.key, new Set(later));
      for (const f of sendableFields(findModel(reg, g[i]!.model)!, g[i]!)) later.add(f);
    }
  }
  return out;
}

/**
 * Identifiers holding `!KeyOf`s of objects this run creates, named by those objects, so that two
 * instances binding "their" flow (the same object, declared in both) to one stage match.
 */
function refIdentity(
  e: CompiledEntry,
  ids: { [k: string]: DesiredValue },
  table: EntryTable,
  outcomes: Outcomes,
  objectOf: Map<string, string>,
): string | undefined {
  if (!containsDeferred(ids) || 'pk' in ids) return undefined;
  const parts: string[] = [];
  for (const k of Object.keys(ids).sort()) {
    const v = ids[k]!;
    if (!containsDeferred(v)) {
      parts.push(`${k}=${stableJson(v as Json)}`);
      continue;
    }
    if (!isDeferred(v) || !('$keyOf' in v)) return undefined;
    const target = table.withId(v.$keyOf, e.key).find((t) => outcomes.get(t.key)?.creates);
    const object = target && objectOf.get(target.key);
    if (!object) return undefined;
    parts.push(`${k}=@${object}`);
  }
  return parts.join('&');
}

/** Fields this entry sets to a value other than an earlier declaration of the same object did. */
function conflicts(
  declared: Map<string, Map<string, { key: string; value: DesiredValue; uri: string; line: number }>>,
  object: string,
  e: CompiledEntry,
  fields: string[],
  lines: (r: SourceRange) => number,
): { field: string; winner: string; loser: string }[] {
  let d = declared.get(object);
  if (!d) declared.set(object, (d = new Map()));
  const out: { field: string; winner: string; loser: string }[] = [];
  for (const f of fields) {
    const v = e.attrs[f]!;
    const r = e.origin.fields[f] ?? e.origin.range;
    const here = { key: e.key, value: v, uri: e.origin.uri, line: lines(r) };
    const prev = d.get(f);
    // Values that wait for the server (!KeyOf, !Find) cannot be compared before apply.
    if (prev && prev.key !== e.key && !containsDeferred(prev.value) && !containsDeferred(v) && stableJson(prev.value as Json) !== stableJson(v as Json)) {
      out.push({ field: f, winner: `${here.uri}:${here.line}`, loser: `${prev.uri}:${prev.line}` });
    }
    d.set(f, here);
  }
  return out;
}

function stableJson(v: Json): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  return `{${Object.keys(v)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${stableJson(v[k]!)}`)
    .join(',')}}`;
}

function describeObject(ids: { [k: string]: DesiredValue }): string {
  return Object.entries(ids)
    .map(([k, v]) => `${k}=${isDeferred(v) ? describeDeferred(v) : containsDeferred(v) ? '(known after apply)' : JSON.stringify(v)}`)
    .join(' ');
}

function firstIdentifier(e: CompiledEntry): string | undefined {
  return Object.keys(e.identifiers).sort()[0];
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
