// plan's first step for one entry: find its object (the snapshot's match, or an earlier create of
// this run declaring the same object), evaluate its conditions and values against the snapshot
// (what waits for this run's creates stays Deferred), and report what cannot work before apply.
// What happens to the object is decided afterwards (decide.ts), in one switch.
import type {
  Change,
  CompiledEntry,
  DesiredValue,
  Diagnostic,
  FieldChange,
  Json,
  JsonObject,
  LiveObject,
  LiveSnapshot,
  OwnershipState,
  SourceRange,
} from '../model/types.js';
import type { ModelInfo, Registry } from '../authentik/registry.js';
import { findModel } from '../authentik/registry.js';
import { diag, msg } from '../diag/index.js';
import { containsDeferred, describeDeferred, isDeferred, pyTruthy, resolveDeferred } from '../values/index.js';
import { containsJson, identifierLookup, looseEqual, pkKey, requiredFindKeys, type EntryTable, type ObjectIndex } from '../live/index.js';
import { PLAN_CODES } from './codes.js';
import { planExtras, type PasswordPolicy } from './extras.js';
import { sendableFields } from './fields.js';
import type { Outcomes } from './outcomes.js';
import type { PlanResolver } from './resolver.js';
import { danglingPks, laterExport } from './references.js';
import type { LiveState } from './decide.js';

type Code = (typeof PLAN_CODES)[keyof typeof PLAN_CODES];
type Declared = Map<string, Map<string, { key: string; value: DesiredValue; uri: string; line: number }>>;

/** What the per-entry steps share across the entries of one plan, in entry order. */
export interface PlanContext {
  reg: Registry;
  snapshot: LiveSnapshot;
  state: OwnershipState;
  policy: PasswordPolicy;
  secretDigest: (entryKey: string, field: string, value: string) => string;
  entries: readonly CompiledEntry[];
  index: ObjectIndex;
  table: EntryTable;
  outcomes: Outcomes;
  resolver: PlanResolver;
  /** The entry being planned: a `!Find` sees creates of entries before it. */
  setOrder(order: number): void;
  diagnostics: Diagnostic[];
  lines: (r: SourceRange) => number;
  /**
   * Live objects an earlier entry of this run updates: a later entry of the same object is diffed
   * against what that write leaves and runs after it, as the importer applies entries in turn.
   */
  updatedBy: Map<string, { key: string; body: JsonObject; fields: Set<string> }>;
  /**
   * Instances declaring one object: the last declaration of a field is its final value, so
   * earlier ones leave it out, and a different earlier value is reported.
   */
  overridden: Map<string, Set<string>>;
  declared: Declared;
  objectOf: Map<string, string>;
  /** Creates whose identifiers hold !KeyOf references, by what those references point at. */
  createdBy: Map<string, string>;
  skipped: Set<string>;
}

/** One entry, resolved: its object, its values, and everything decide and the builders need. */
export interface Resolved {
  e: CompiledEntry;
  info: ModelInfo;
  live: LiveObject | null;
  /** Where the object is, for decide. */
  where: LiveState;
  base: Omit<Change, 'action' | 'reason' | 'patch'>;
  after: { [k: string]: DesiredValue };
  resolvedBody: JsonObject;
  unresolved: Set<string>;
  /** Set by a live object of `present` entries: `model|pk`. */
  objectId?: string;
  /** An earlier entry of this run updating the same live object. */
  earlier?: { key: string; body: JsonObject; fields: Set<string> };
  /** The earlier entry of this run that creates the same object. */
  twin?: string;
  extras: { changes: FieldChange[]; reasons: string[] };
  hardError: boolean;
  err: (code: Code, summary: string, field?: string, detail?: string) => void;
}

/**
 * Resolves one entry. An entry that cannot be planned (unknown or meta model, not observed) only
 * reports; one whose conditions are false becomes a skipped noop.
 */
export function resolveEntry(ctx: PlanContext, e: CompiledEntry): { kind: 'failed' } | { kind: 'skipped'; change: Change } | ({ kind: 'resolved' } & Resolved) {
  const { reg, resolver, diagnostics } = ctx;
  ctx.setOrder(e.order);
  const info = findModel(reg, e.model);
  const at = (field?: string): SourceRange => (field && e.origin.fields[field]) || e.origin.range;
  const err = (code: Code, summary: string, field?: string, detail?: string) =>
    diagnostics.push(diag(code, summary, { entry: e.key, subject: at(field), ...(detail ? { detail } : {}) }));
  if (!info) {
    err(PLAN_CODES.unknownModel, msg(PLAN_CODES.unknownModel, 'modelDoesNot', { model: e.model, version: reg.version }));
    return { kind: 'failed' };
  }
  if (info.kind === 'meta' || !info.apiPath) {
    err(PLAN_CODES.metaModel, msg(PLAN_CODES.metaModel, 'entriesRunServer', { model: e.model }));
    return { kind: 'failed' };
  }
  // Observe reported the failed read that blocks it; a second error would only repeat it.
  if (ctx.snapshot.blocked?.has(e.key)) return { kind: 'failed' };
  if (!ctx.snapshot.byKey.has(e.key)) {
    err(PLAN_CODES.notObserved, msg(PLAN_CODES.notObserved, 'entryWasNot', { key: e.key }));
    return { kind: 'failed' };
  }
  const live = ctx.snapshot.byKey.get(e.key) ?? null;
  const base: Omit<Change, 'action' | 'reason' | 'patch'> = {
    key: e.key,
    model: info.model,
    identifiers: {},
    order: e.order,
    wave: e.wave,
    origin: { uri: e.origin.uri, line: ctx.lines(e.origin.range), range: e.origin.range },
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
        msg(PLAN_CODES.conditionUndecided, 'conditionCannotDecided', { key: e.key }),
        undefined,
        [...r.missing, ...(r.errors ?? []), ...resolver.hard].join('; '),
      );
      skip = true;
      break;
    }
    if (!pyTruthy(r.value)) skip = true;
  }
  if (skip) {
    ctx.skipped.add(e.key);
    ctx.outcomes.set(e.key, { entry: e, live: null, creates: false, body: {} });
    return { kind: 'skipped', change: { ...base, action: 'noop', reason: 'skipped: a condition is false or undecidable', patch: [] } };
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
      err(PLAN_CODES.keyOfNoObject, msg(PLAN_CODES.keyOfNoObject, 'failed', { field, why: String(hard[0]) }), field, hard.slice(1).join('; ') || undefined);
    }
    if (!r.ok && r.errors?.length) {
      hardError = true;
      err(PLAN_CODES.unresolved, msg(PLAN_CODES.unresolved, 'failed', { field, why: String(r.errors[0]) }), field);
    }
    if (required && nulls.size) {
      for (const [k, q] of requiredFindKeys(v, resolver, e.key)) {
        if (!nulls.has(k)) continue;
        // authentik writes null; where the field takes null that is what it ends with.
        if (nullable && isDeferred(v) && '$find' in v) {
          diagnostics.push(
            diag(PLAN_CODES.findNull, msg(PLAN_CODES.findNull, 'nullMatchedNothing', { field, find: describeDeferred({ $find: q }) }), {
              entry: e.key,
              subject: at(field),
              detail: msg(PLAN_CODES.findNull, 'nullMatchedNothingDetail', {}),
            }),
          );
          continue;
        }
        hardError = true;
        err(
          PLAN_CODES.findNoMatch,
          msg(PLAN_CODES.findNoMatch, 'matchedNothing', { field, find: describeDeferred({ $find: q }) }),
          field,
          msg(PLAN_CODES.findNoMatch, 'authentikWouldWrite', {}),
        );
      }
    }
    return r.ok ? { ok: true, value: r.value } : { ok: false, value: v };
  };

  const identifiers: { [k: string]: DesiredValue } = {};
  for (const k of Object.keys(e.identifiers).sort()) identifiers[k] = resolveField(e.identifiers[k]!, k, true).value;
  base.identifiers = identifiers;

  const sendable = sendableFields(info, e).filter((f) => !ctx.overridden.get(e.key)?.has(f));
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
  const earlier = objectId ? ctx.updatedBy.get(objectId) : undefined;
  if (earlier) pendingOn.add(earlier.key);
  const creating = live === null && e.state !== 'absent';
  const identity = creating ? refIdentity(e, identifiers, ctx.table, ctx.outcomes, ctx.objectOf) : undefined;
  const twin = creating
    ? (earlierCreateOfSameObject(ctx.outcomes, info.model, identifiers) ?? (identity ? ctx.createdBy.get(`${info.model}|${identity}`) : undefined))
    : undefined;
  if (creating && !twin && identity) ctx.createdBy.set(`${info.model}|${identity}`, e.key);
  if (twin) pendingOn.add(twin);
  const object = live ? `${info.model}|${pkKey(live.pk)}` : twin ? ctx.objectOf.get(twin)! : `new|${e.key}`;
  ctx.objectOf.set(e.key, object);
  if (e.state === 'present' || (creating && e.state !== 'created')) {
    for (const c of conflicts(ctx.declared, object, e, sendableFields(info, e), ctx.lines)) {
      diagnostics.push(
        diag(
          PLAN_CODES.fieldSetTwice,
          msg(PLAN_CODES.fieldSetTwice, 'winsOver', {
            field: c.field,
            model: info.model,
            object: describeObject(identifiers),
            winner: c.winner,
            loser: c.loser,
          }),
          {
            entry: e.key,
            subject: at(c.field),
            detail: msg(PLAN_CODES.fieldSetTwice, 'winsOverDetail', { loser: c.loser }),
          },
        ),
      );
    }
  }
  // The wave is the sequence step's; what the change waits for is known now.
  base.dependsOn = [...new Set([...e.dependsOn, ...pendingOn])].sort();

  const extras =
    e.state === 'absent'
      ? { changes: [], reasons: [], diagnostics: [] }
      : planExtras({
          entry: e,
          info,
          live,
          creating,
          state: ctx.state,
          policy: ctx.policy,
          digest: ctx.secretDigest,
          resolver,
          subject: (f) => at(f),
          version: reg.version,
          rbac: ctx.snapshot.rbac,
          index: ctx.index,
        });
  diagnostics.push(...extras.diagnostics);

  if (e.state !== 'absent') {
    for (const d of danglingPks(reg, info, e, ctx.index)) {
      hardError = true;
      const later = laterExport(ctx.entries, e, d.value);
      err(
        PLAN_CODES.danglingPk,
        msg(PLAN_CODES.danglingPk, 'pkNeitherOn', { field: d.field, value: JSON.stringify(d.value), searched: d.searched }),
        e.origin.fields[d.at] ? d.at : d.field,
        later
          ? `the entry at line ${ctx.lines(later.origin.range)} exports it, but after this one: authentik rewrites references to an exported pk only in the entries that follow it; move that entry up`
          : 'authentik would refuse the entry with "Invalid pk" after writing the entries before it; export the object too, or point the field at one this server has',
      );
    }
  }

  // An integer pk is a counter: on another install the same number is another object.
  const pk = e.identifiers.pk;
  if (live && info.pkType === 'integer' && (typeof pk === 'number' || typeof pk === 'string') && pkKey(live.pk) === pkKey(pk)) {
    const other = info.uniqueFields.find((f) => resolvedBody[f] !== undefined && live.body[f] !== undefined && !looseEqual(resolvedBody[f], live.body[f]));
    if (other) {
      diagnostics.push(
        diag(
          PLAN_CODES.integerPkOther,
          msg(PLAN_CODES.integerPkOther, 'pkHereNot', {
            pk: String(pk),
            model: info.model,
            got: JSON.stringify(live.body[other]),
            want: JSON.stringify(resolvedBody[other]),
          }),
          {
            entry: e.key,
            subject: at('pk'),
            detail: msg(PLAN_CODES.integerPkOther, 'pkHereNotDetail', { pk: String(pk), other }),
          },
        ),
      );
    }
  }

  return {
    kind: 'resolved',
    e,
    info,
    live,
    where: live ? 'exists' : twin ? 'created-earlier' : 'missing',
    base,
    after,
    resolvedBody,
    unresolved,
    ...(objectId ? { objectId } : {}),
    ...(earlier ? { earlier } : {}),
    ...(twin ? { twin } : {}),
    extras: { changes: extras.changes, reasons: extras.reasons },
    hardError,
    err,
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
export function overriddenLater(entries: readonly CompiledEntry[], snapshot: LiveSnapshot, reg: Registry): Map<string, Set<string>> {
  const groups = new Map<string, CompiledEntry[]>();
  for (const e of entries) {
    const live = snapshot.byKey.get(e.key);
    if (!live || e.state !== 'present') continue;
    const id = `${e.model}|${pkKey(live.pk)}`;
    const group = groups.get(id);
    if (group) group.push(e);
    else groups.set(id, [e]);
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
  declared: Declared,
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

export function describeObject(ids: { [k: string]: DesiredValue }): string {
  return Object.entries(ids)
    .map(([k, v]) => `${k}=${isDeferred(v) ? describeDeferred(v) : containsDeferred(v) ? '(known after apply)' : JSON.stringify(v)}`)
    .join(' ');
}

export function firstIdentifier(e: CompiledEntry): string | undefined {
  return Object.keys(e.identifiers).sort()[0];
}
